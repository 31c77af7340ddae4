"""Every mutating operation of ``/openapi.json``, tried with no token and by a stranger.

Which operations exist is read from the app's routes, never from a hand-written list, so a
new route is covered as soon as it exists, and one without a ``Caller`` dependency fails
here. What each permission allows is tested as a table in ``test_permission_table.py``.
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
from tests.accounts import add_user
from tests.conftest import PMML_DIR

MUTATING = ("post", "put", "patch", "delete")
#: The dependency every route with a signed-in caller has (``deps.Caller``).
CALLER = typing.get_args(deps.Caller)[1].dependency
#: Calls to services (``/v2/.../infer``): a user token with read on the service's group, or
#: the service's own key, checked by the gateway from the raw bearer secret.
SERVICE_CALLER = "service caller"
SERVICE_NAME = "iris"
GROUP = "team"
#: Mutating operations that may be called without a token: (method, path) -> why.
UNGUARDED: dict[tuple[str, str], str] = {}
#: Mutating operations any signed-in user may call, whatever their groups: (method, path).
SELF_SERVICE = {("post", "/api/v1/groups"), ("post", "/api/v1/users/{name}/tokens"),
                ("delete", "/api/v1/users/{name}/tokens/{token_id}"),
                ("patch", "/api/v1/users/{name}")}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    url: str
    needs: str | None  # "caller", SERVICE_CALLER, or None when nothing checks the caller

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _needs(dependant) -> str | None:
    """"caller" when a route's dependencies include the signed-in caller, else SERVICE_CALLER
    if it reads the bearer secret itself, else None."""
    reads_secret = False
    pending = list(dependant.dependencies)
    while pending:
        sub = pending.pop()
        if sub.call is CALLER:
            return "caller"
        reads_secret |= sub.call is typing.get_args(deps.BearerSecret)[1].dependency
        pending.extend(sub.dependencies)
    return SERVICE_CALLER if reads_secret else None


def _plausible(parameter: dict) -> str:
    """An id or version for integer parameters and ``version``, else the test service's name."""
    schema = parameter.get("schema", {})
    types = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf", [])}
    if "integer" in types or parameter["name"] == "version":
        return "1"
    return {"group": GROUP, "name": SERVICE_NAME}.get(parameter["name"], "someone")


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
    assert unguarded == [], "mutating routes without a Caller dependency"
    assert len([op for op in OPERATIONS if op.needs == "caller"]) >= 30


@pytest.fixture
def callers(platform_app):
    """Clients without a token, of a user outside group ``team`` and of the admin; a running
    service of ``team`` named like the path values, so calls get past "unknown service"."""
    admin = platform_app.client()
    assert admin.post("/api/v1/groups", json={"name": GROUP}).status_code == 201
    pmml = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()
    assert admin.post(f"/api/v1/models?group={GROUP}", files={"file": ("m.pmml", pmml)},
                      data={"name": SERVICE_NAME}).status_code == 201
    assert admin.post(f"/api/v1/services?group={GROUP}",
                      json={"name": SERVICE_NAME, "model": SERVICE_NAME}).status_code == 201
    platform_app.container.reconciler.reconcile()
    outsider = add_user(platform_app.container, "outsider", {"elsewhere": "manage"})
    return {"none": platform_app.client(""), "outsider": platform_app.client(outsider),
            "admin": admin}


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.needs], ids=str)
def test_operation_refuses_strangers(callers, operation):
    """No token: 401. A user without access to group ``team``: 403 naming the permission
    (or 404 when the object is looked up in a group they cannot see; 422 when the empty body
    is refused before the permission is looked at), except for what any user may do for
    themselves. Never a 5xx."""
    url = f"{operation.url}?group={GROUP}"
    anonymous = callers["none"].request(operation.method, url)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    response = callers["outsider"].request(operation.method, url)
    assert response.status_code < 500, response.text
    if (operation.method, operation.path) in SELF_SERVICE:
        return
    assert response.status_code in (403, 404, 422), f"{operation}: {response.status_code} {response.text}"
    if response.status_code == 403:
        details = response.json()["error"]["details"] or {}
        assert details.get("permission") in ("read", "change", "manage", "platform_admin"), response.text
        assert details["permission"].replace("_", " ") in response.json()["error"]["message"]
