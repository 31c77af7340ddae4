"""Every mutating operation of ``/openapi.json``, tried with no token, a viewer and an editor.

What each operation needs is read from its route's own dependencies (the ``Viewer`` /
``Editor`` / ``Admin`` types of ``daas.platform.deps``), never from a hand-written list, so a
new route is covered as soon as it exists, and one without any caller check fails here.
"""

from __future__ import annotations

import tempfile
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from daas.platform import deps
from daas.platform.app import build_api
from daas.settings import Settings
from tests.conftest import PMML_DIR

MUTATING = ("post", "put", "patch", "delete")
RANKS = {"viewer": 0, "editor": 1, "admin": 2}
ROLE_OF_DEPENDENCY = {typing.get_args(role_type)[1].dependency: role
                      for role, role_type in [("viewer", deps.Viewer), ("editor", deps.Editor),
                                              ("admin", deps.Admin)]}
#: Calls to services (``/v2/.../infer``): any user token or the service's own key, checked by
#: the gateway from the raw bearer secret.
SERVICE_CALLER = "service caller"
SERVICE_NAME = "iris"
#: Mutating operations that may be called without a token: (method, path) -> why.
UNGUARDED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    url: str
    needs: str | None  # a role, SERVICE_CALLER, or None when nothing checks the caller

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _needs(dependant) -> str | None:
    """The strongest role among a route's dependencies, else SERVICE_CALLER if it reads the
    bearer secret itself, else None."""
    roles: set[str] = set()
    reads_secret = False
    pending = list(dependant.dependencies)
    while pending:
        sub = pending.pop()
        if sub.call in ROLE_OF_DEPENDENCY:
            roles.add(ROLE_OF_DEPENDENCY[sub.call])
        reads_secret |= sub.call is typing.get_args(deps.BearerSecret)[1].dependency
        pending.extend(sub.dependencies)
    if roles:
        return max(roles, key=RANKS.__getitem__)
    return SERVICE_CALLER if reads_secret else None


def _plausible(parameter: dict) -> str:
    """An id or version for integer parameters and ``version``, else the test service's name."""
    schema = parameter.get("schema", {})
    types = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf", [])}
    return "1" if "integer" in types or parameter["name"] == "version" else SERVICE_NAME


def mutating_operations() -> list[Operation]:
    """The mutating operations of the platform's OpenAPI document, with what each needs."""
    with tempfile.TemporaryDirectory() as home:
        app = build_api(Settings(home=Path(home)))
        document = get_openapi(title=app.title, version="test", routes=app.routes)
        needs = {(method.lower(), context.path_format): _needs(context.dependant)
                 for context in iter_route_contexts(app.routes)
                 if isinstance(context.original_route, APIRoute)
                 for method in context.methods}
    operations = []
    for path, items in document["paths"].items():
        for method, operation in items.items():
            if method not in MUTATING:
                continue
            url = path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", _plausible(parameter))
            operations.append(Operation(method, path, url, needs[(method, path)]))
    return operations


OPERATIONS = mutating_operations()


def test_every_mutating_operation_checks_its_caller():
    unguarded = [str(op) for op in OPERATIONS
                 if op.needs is None and (op.method, op.path) not in UNGUARDED]
    assert unguarded == [], "mutating routes without a Viewer/Editor/Admin dependency"
    assert len([op for op in OPERATIONS if op.needs in ("editor", "admin")]) >= 20


@pytest.fixture
def callers(platform_app):
    """Clients without a token and with a viewer, an editor and the admin token; a running
    service named like the path values, so service calls get past "unknown service"."""
    admin = platform_app.client()

    def token(role: str) -> str:
        response = admin.post("/api/v1/tokens", json={"name": f"a-{role}", "role": role})
        assert response.status_code == 201, response.text
        return response.json()["token"]

    clients = {"none": platform_app.client(""), "viewer": platform_app.client(token("viewer")),
               "editor": platform_app.client(token("editor")), "admin": admin}
    pmml = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()
    assert admin.post("/api/v1/models", files={"file": ("m.pmml", pmml)},
                      data={"name": SERVICE_NAME}).status_code == 201
    assert admin.post("/api/v1/services",
                      json={"name": SERVICE_NAME, "model": SERVICE_NAME}).status_code == 201
    platform_app.container.reconciler.reconcile()
    return clients


def _allowed(role: str, needs: str) -> bool:
    return needs == SERVICE_CALLER or RANKS[role] >= RANKS[needs]


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.needs], ids=str)
def test_operation_answers_each_role_as_its_dependency_says(callers, operation):
    anonymous = callers["none"].request(operation.method, operation.url)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    for role in ("viewer", "editor", "admin"):
        response = callers[role].request(operation.method, operation.url)
        if _allowed(role, operation.needs):
            assert response.status_code not in (401, 403), f"{role}: {response.text}"
            assert response.status_code < 500, f"{role}: {response.text}"
        else:
            assert response.status_code == 403, f"{role}: {response.text}"
            assert operation.needs in response.json()["error"]["message"]
