"""Groups through the HTTP API: create, list, show, rename (objects follow), delete only when
empty, and members: share, change, unshare, keep a manager."""

from __future__ import annotations

import pytest

from tests.accounts import api_user
from tests.conftest import PMML_DIR, both_backends

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    return response.json()["error"]


def _upload(client, group: str, name: str = "iris"):
    response = client.post(f"/api/v1/models?group={group}", files={"file": ("m.pmml", PMML)},
                           data={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def _deploy(client, group: str, name: str) -> None:
    response = client.post(f"/api/v1/services?group={group}", json={"name": name, "model": "iris"})
    assert response.status_code == 201, response.text


@pytest.fixture
def team(platform_app, client):
    """Group ``team`` made by ``owner`` (who manages it), and clients of owner and ``guest``,
    a user with no access to it."""
    owner = platform_app.client(api_user(client, "owner"))
    guest = platform_app.client(api_user(client, "guest"))
    created = owner.post("/api/v1/groups", json={"name": "team"})
    assert created.status_code == 201, created.text
    return owner, guest


def test_the_creator_manages_a_new_group(client, team):
    owner, _guest = team
    shown = owner.get("/api/v1/groups/team").json()
    assert (shown["name"], shown["permission"], shown["personal"], shown["created_by"]) == \
        ("team", "manage", False, "owner")
    members = owner.get("/api/v1/groups/team/members").json()
    assert [(m["user"], m["permission"]) for m in members] == [("owner", "manage")]


def test_groups_list_the_callers_groups_and_all_for_platform_admins(client, team):
    owner, guest = team
    assert {(g["name"], g["permission"]) for g in owner.get("/api/v1/groups").json()} == \
        {("owner", "manage"), ("team", "manage")}
    assert [g["name"] for g in guest.get("/api/v1/groups").json()] == ["guest"]
    assert {"default", "owner", "guest", "team"} <= {g["name"] for g in client.get("/api/v1/groups").json()}


def test_a_group_is_seen_by_its_members_only(client, team):
    owner, guest = team
    error = _error(guest.get("/api/v1/groups/team"), 403)
    assert error["details"]["permission"] == "read" and "team" in error["message"]
    assert _error(guest.get("/api/v1/groups/team/members"), 403)["details"]["permission"] == "read"
    assert client.get("/api/v1/groups/team").json()["permission"] == "manage"  # platform admin


def test_group_names_are_unique_and_checked(client, team):
    owner, guest = team
    assert "team" in _error(guest.post("/api/v1/groups", json={"name": "team"}), 409)["message"]
    assert _error(guest.post("/api/v1/groups", json={"name": "owner"}), 409)  # a personal group
    for bad in ("two words", "../x", "", "g" * 65, "-dash"):
        assert _error(owner.post("/api/v1/groups", json={"name": bad}), 422)["details"]["field"] == "name"
    assert _error(owner.post("/api/v1/groups", json={}), 422)["details"]["field"] == "name"


def test_unknown_groups_and_users_are_404(client, team):
    owner, _guest = team
    for response in (owner.get("/api/v1/groups/nowhere"),
                     owner.patch("/api/v1/groups/nowhere", json={"name": "x"}),
                     owner.delete("/api/v1/groups/nowhere"),
                     owner.get("/api/v1/groups/nowhere/members"),
                     owner.put("/api/v1/groups/nowhere/members/guest", json={"permission": "read"})):
        assert "nowhere" in _error(response, 404)["message"]
    for response in (owner.put("/api/v1/groups/team/members/ghost", json={"permission": "read"}),
                     owner.delete("/api/v1/groups/team/members/ghost")):
        assert "ghost" in _error(response, 404)["message"]
    assert "guest" in _error(owner.delete("/api/v1/groups/team/members/guest"), 404)["message"]


def test_renaming_keeps_the_groups_objects(client, team):
    owner, _guest = team
    _upload(owner, "team")
    _deploy(owner, "team", "scorer")
    renamed = owner.patch("/api/v1/groups/team", json={"name": "squad"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "squad"
    model = owner.get("/api/v1/models/iris?group=squad")
    assert model.status_code == 200, model.text
    assert model.json()["group"] == "squad"
    assert owner.get("/api/v1/models/iris?group=team").status_code == 404
    assert [(v["name"], v["group"]) for v in owner.get("/api/v1/services?group=squad").json()] == \
        [("scorer", "squad")]
    assert owner.get("/api/v1/services/scorer").json()["group"] == "squad"
    assert owner.get("/api/v1/groups/team").status_code == 404
    assert [(m["user"], m["permission"]) for m in owner.get("/api/v1/groups/squad/members").json()] == \
        [("owner", "manage")]
    assert _error(owner.patch("/api/v1/groups/squad", json={"name": "guest"}), 409)
    bad = _error(owner.patch("/api/v1/groups/squad", json={"name": "a b"}), 422)
    assert bad["details"]["field"] == "name"


def test_managing_a_group_needs_manage(client, team):
    owner, guest = team
    owner.put("/api/v1/groups/team/members/guest", json={"permission": "change"})
    api_user(client, "third")
    for response in (guest.patch("/api/v1/groups/team", json={"name": "mine"}),
                     guest.delete("/api/v1/groups/team"),
                     guest.put("/api/v1/groups/team/members/third", json={"permission": "read"}),
                     guest.put("/api/v1/groups/team/members/guest", json={"permission": "manage"}),
                     guest.delete("/api/v1/groups/team/members/owner")):
        error = _error(response, 403)
        assert error["details"]["permission"] == "manage" and "manage" in error["message"]
    assert owner.get("/api/v1/groups/team").status_code == 200
    assert {m["user"]: m["permission"] for m in owner.get("/api/v1/groups/team/members").json()} == \
        {"owner": "manage", "guest": "change"}


def test_only_an_empty_group_is_deleted(platform_app, team):
    owner, _guest = team
    _upload(owner, "team")
    _deploy(owner, "team", "scorer")
    error = _error(owner.delete("/api/v1/groups/team"), 409)
    assert "1 model" in error["message"] and "1 service" in error["message"]
    assert (error["details"]["models"], error["details"]["services"]) == (1, 1)
    assert owner.delete("/api/v1/services/scorer").status_code == 202
    platform_app.container.reconciler.reconcile()
    assert owner.get("/api/v1/services/scorer").status_code == 404
    assert owner.delete("/api/v1/models/iris?group=team").status_code == 204
    assert owner.delete("/api/v1/groups/team").status_code == 204
    assert owner.get("/api/v1/groups/team").status_code == 404
    assert "team" not in {g["name"] for g in owner.get("/api/v1/groups").json()}


def test_personal_and_default_groups_are_never_deleted(client, team):
    owner, _guest = team
    assert "personal" in _error(owner.delete("/api/v1/groups/owner"), 409)["message"]
    assert _error(client.delete("/api/v1/groups/owner"), 409)
    assert _error(client.delete("/api/v1/groups/default"), 409)
    assert owner.get("/api/v1/groups/owner").status_code == 200


def test_sharing_changing_and_unsharing_a_member(client, team):
    owner, guest = team
    shared = owner.put("/api/v1/groups/team/members/guest", json={"permission": "read"})
    assert shared.status_code == 200, shared.text
    assert (shared.json()["user"], shared.json()["permission"], shared.json()["added_by"]) == \
        ("guest", "read", "owner")
    assert guest.get("/api/v1/groups/team").json()["permission"] == "read"
    assert _error(guest.post("/api/v1/models?group=team", files={"file": ("m.pmml", PMML)},
                             data={"name": "iris"}), 403)["details"]["permission"] == "change"

    owner.put("/api/v1/groups/team/members/guest", json={"permission": "change"})
    assert guest.get("/api/v1/groups/team").json()["permission"] == "change"
    _upload(guest, "team")

    assert owner.delete("/api/v1/groups/team/members/guest").status_code == 204
    assert _error(guest.get("/api/v1/groups/team"), 403)["details"]["permission"] == "read"
    assert guest.get("/api/v1/models/iris?group=team").status_code == 403
    assert [m["user"] for m in owner.get("/api/v1/groups/team/members").json()] == ["owner"]


@pytest.mark.parametrize("permission", ["admin", "write", "", None, 3])
def test_a_bad_permission_is_422(client, team, permission):
    owner, _guest = team
    error = _error(owner.put("/api/v1/groups/team/members/guest", json={"permission": permission}), 422)
    assert error["details"]["field"] == "permission"
    assert [m["user"] for m in owner.get("/api/v1/groups/team/members").json()] == ["owner"]


def test_the_last_manager_stays(client, team):
    owner, guest = team
    for response in (owner.put("/api/v1/groups/team/members/owner", json={"permission": "change"}),
                     owner.delete("/api/v1/groups/team/members/owner")):
        assert "last manager" in _error(response, 409)["message"]
    owner.put("/api/v1/groups/team/members/guest", json={"permission": "manage"})
    assert owner.put("/api/v1/groups/team/members/owner", json={"permission": "read"}).status_code == 200
    assert "last manager" in _error(guest.delete("/api/v1/groups/team/members/guest"), 409)["message"]
    assert guest.delete("/api/v1/groups/team/members/owner").status_code == 204
    assert [(m["user"], m["permission"]) for m in guest.get("/api/v1/groups/team/members").json()] == \
        [("guest", "manage")]


def test_a_user_keeps_manage_on_their_personal_group(client, team):
    owner, _guest = team
    client.put("/api/v1/groups/owner/members/guest", json={"permission": "manage"})
    assert _error(client.put("/api/v1/groups/owner/members/owner", json={"permission": "read"}), 409)
    assert _error(client.delete("/api/v1/groups/owner/members/owner"), 409)
    assert owner.get("/api/v1/groups/owner").json()["permission"] == "manage"


def test_losing_a_default_group_falls_back_to_the_personal_one(platform_app, client, team):
    owner, guest = team
    assert client.post("/api/v1/groups", json={"name": "spare"}).status_code == 201
    owner.put("/api/v1/groups/team/members/guest", json={"permission": "read"})
    client.put("/api/v1/groups/spare/members/guest", json={"permission": "read"})
    assert guest.patch("/api/v1/users/me", json={"default_group": "team"}).status_code == 200
    assert owner.delete("/api/v1/groups/team/members/guest").status_code == 204
    assert guest.get("/api/v1/auth/me").json()["default_group"] == "guest"

    assert guest.patch("/api/v1/users/me", json={"default_group": "spare"}).status_code == 200
    assert client.delete("/api/v1/groups/spare").status_code == 204
    assert guest.get("/api/v1/auth/me").json()["default_group"] == "guest"
    uploaded = guest.post("/api/v1/models", files={"file": ("m.pmml", PMML)}, data={"name": "iris"})
    assert uploaded.status_code == 201 and uploaded.json()["group"] == "guest"
