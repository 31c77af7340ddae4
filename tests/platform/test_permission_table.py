"""The permission table of issue 14, through the HTTP API: every permission x every action, on
a service the caller deployed and on one another member deployed.

The expected table is ``NEEDS`` of ``test_policy``, written from the issue's words, not read
from ``access.policy``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select

from daas.platform.access.policy import Action
from daas.store.tables import Service
from tests.accounts import add_user, set_permission
from tests.conftest import PMML_DIR
from tests.platform.test_policy import NEEDS, RANK

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()
TEAM = "team"
ORDER = (None, "read", "change", "manage")


def _holds(permission: str | None, needed: str) -> bool:
    return RANK[permission] >= RANK[needed]


#: action -> one HTTP call doing it to service ``name`` of group ``team``.
CALLS: dict[Action, Callable] = {
    Action.READ: lambda client, name: client.get(f"/api/v1/services/{name}"),
    Action.CREATE: lambda client, name: client.post(f"/api/v1/services?group={TEAM}",
                                               json={"name": f"{name}-copy", "model": "iris"}),
    Action.CHANGE: lambda client, name: client.patch(f"/api/v1/services/{name}", json={"replicas": 2}),
    Action.STOP: lambda client, name: client.post(f"/api/v1/services/{name}/pause"),
    Action.DELETE: lambda client, name: client.delete(f"/api/v1/services/{name}"),
    Action.MANAGE: lambda client, name: client.put(f"/api/v1/groups/{TEAM}/members/guest",
                                              json={"permission": "read"}),
}


def deploy(platform_app, name: str, deployed_by: str, group: str = TEAM) -> None:
    """A service of ``group`` as if ``deployed_by`` had deployed it."""
    admin = platform_app.client()
    response = admin.post(f"/api/v1/services?group={group}", json={"name": name, "model": "iris"})
    assert response.status_code == 201, response.text
    with platform_app.container.db.write() as session:
        row = session.exec(select(Service).where(Service.name == name)).one()
        row.created_by = deployed_by
        session.add(row)


@pytest.fixture
def team(platform_app):
    """Group ``team`` with model ``iris``, a user ``guest`` to share with, and a function
    giving a client of a user holding a permission (None: a stranger to the group)."""
    admin = platform_app.client()
    assert admin.post("/api/v1/groups", json={"name": TEAM}).status_code == 201
    assert admin.post(f"/api/v1/models?group={TEAM}", files={"file": ("m.pmml", PMML)},
                      data={"name": "iris"}).status_code == 201
    add_user(platform_app.container, "guest", {"elsewhere": "manage"})

    def member(permission: str | None):
        name = f"as-{permission or 'stranger'}"
        groups = {TEAM: permission} if permission else {"own-place": "manage"}
        return name, platform_app.client(add_user(platform_app.container, name, groups))

    return member


CASES = [(permission, action, own) for permission in ORDER for action in Action
         for own in (True, False)]


@pytest.mark.parametrize(("permission", "action", "own"), CASES,
                         ids=[f"{p or 'none'}-{a.value}-{'own' if o else 'other'}" for p, a, o in CASES])
def test_permission_x_action_x_owner(platform_app, team, permission, action, own):
    user, client = team(permission)
    deploy(platform_app, "svc", deployed_by=user if own else "someone-else")
    platform_app.container.reconciler.reconcile()
    needed = NEEDS[action][0 if own else 1]
    response = CALLS[action](client, "svc")
    if _holds(permission, needed):
        assert response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["details"]["permission"] == needed
        assert f"needs the {needed} permission on group {TEAM!r}" in error["message"]


def test_platform_admins_may_do_everything_to_anyones_service(platform_app, team):
    admin = platform_app.client()
    for action in Action:
        deploy(platform_app, f"svc-{action.value}", deployed_by="someone-else")
        response = CALLS[action](admin, f"svc-{action.value}")
        assert response.status_code < 300, f"{action}: {response.text}"


@pytest.mark.parametrize("permission", ORDER)
def test_models_follow_the_same_rules(platform_app, team, permission):
    """Reading a model needs read, uploading a version change, deleting another's manage."""
    _user, client = team(permission)
    read = client.get(f"/api/v1/models/iris?group={TEAM}")
    upload = client.post(f"/api/v1/models?group={TEAM}", files={"file": ("m.pmml", PMML)},
                         data={"name": "iris"})
    delete = client.delete(f"/api/v1/models/iris?group={TEAM}")  # every version is the admin's
    for response, needed in ((read, "read"), (upload, "change"), (delete, "manage")):
        expected = (200, 201, 204) if _holds(permission, needed) else (403,)
        assert response.status_code in expected, f"{needed}: {response.text}"


def test_a_user_in_two_groups_sees_exactly_the_objects_of_both(platform_app):
    admin = platform_app.client()
    for group in ("a", "b", "c"):
        assert admin.post("/api/v1/groups", json={"name": group}).status_code == 201
        assert admin.post(f"/api/v1/models?group={group}", files={"file": ("m.pmml", PMML)},
                          data={"name": "iris"}).status_code == 201
        assert admin.post(f"/api/v1/services?group={group}",
                          json={"name": f"svc-{group}", "model": "iris"}).status_code == 201
        assert admin.post(f"/api/v1/datasets?group={group}", files={"file": ("d.csv", b"x,y\n1,2\n")},
                          data={"name": "rows"}).status_code == 201
    client = platform_app.client(add_user(platform_app.container, "two", {"a": "read", "b": "change"}))
    models = client.get("/api/v1/models").json()["items"]
    assert sorted((m["group"], m["name"]) for m in models) == [("a", "iris"), ("b", "iris")]
    services = client.get("/api/v1/services").json()
    assert sorted((s["group"], s["name"]) for s in services) == [("a", "svc-a"), ("b", "svc-b")]
    datasets = client.get("/api/v1/datasets").json()["items"]
    assert sorted(d["group"] for d in datasets) == ["a", "b"]
    assert [s["name"] for s in client.get("/api/v1/services?group=b").json()] == ["svc-b"]
    for path in ("/api/v1/services?group=c", "/api/v1/models?group=c", "/api/v1/models/iris?group=c",
                 "/api/v1/services/svc-c"):
        assert client.get(path).status_code == 403, path
    assert len(admin.get("/api/v1/services").json()) == 3


def test_sharing_and_unsharing_take_effect_on_the_next_call(platform_app, team):
    admin = platform_app.client()
    deploy(platform_app, "svc", deployed_by="someone-else")
    _user, guest = team(None)
    assert guest.get("/api/v1/services/svc").status_code == 403
    assert admin.put(f"/api/v1/groups/{TEAM}/members/as-stranger",
                     json={"permission": "read"}).status_code == 200
    assert guest.get("/api/v1/services/svc").status_code == 200
    assert guest.patch("/api/v1/services/svc", json={"replicas": 2}).status_code == 403
    assert admin.put(f"/api/v1/groups/{TEAM}/members/as-stranger",
                     json={"permission": "change"}).status_code == 200
    assert guest.patch("/api/v1/services/svc", json={"replicas": 2}).status_code == 200
    assert admin.delete(f"/api/v1/groups/{TEAM}/members/as-stranger").status_code == 204
    assert guest.get("/api/v1/services/svc").status_code == 403
    assert "svc" not in [s["name"] for s in guest.get("/api/v1/services").json()]


def test_a_removed_member_is_refused_at_once_on_the_service_calls_too(platform_app, team):
    deploy(platform_app, "svc", deployed_by="someone-else")
    platform_app.container.reconciler.reconcile()
    _user, member = team("read")
    body = {"data": [{"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": 0.2}]}
    assert member.get("/v2/models/svc").status_code == 200
    assert member.post("/api/v1/svc/svc/predict", json=body).status_code != 403
    set_permission(platform_app.container, "as-read", TEAM, None)
    for response in (member.get("/v2/models/svc"), member.post("/api/v1/svc/svc/predict", json=body),
                     member.get(f"/api/v1/models/iris?group={TEAM}")):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["details"]["permission"] == "read"
