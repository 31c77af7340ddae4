"""Users through the HTTP API: created with a personal group, listed, shown, changed, disabled;
who the caller is; the permission table as the UI reads it."""

from __future__ import annotations

import pytest

from tests.accounts import api_user
from tests.conftest import both_backends

pytestmark = both_backends


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    return response.json()["error"]


def test_a_new_user_gets_a_personal_group_they_manage_as_default(platform_app, client):
    created = client.post("/api/v1/users", json={"name": "alice", "display_name": "Alice A."})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["name"], body["display_name"], body["default_group"]) == ("alice", "Alice A.", "alice")
    assert body["disabled"] is None and not body["platform_admin"] and not body["code_execution"]

    members = client.get("/api/v1/groups/alice/members").json()
    assert [(m["user"], m["permission"]) for m in members] == [("alice", "manage")]
    group = client.get("/api/v1/groups/alice").json()
    assert group["personal"] is True and group["personal_of"] == "alice"

    token = client.post("/api/v1/users/alice/tokens", json={"name": "laptop"}).json()["token"]
    me = platform_app.client(token).get("/api/v1/auth/me").json()
    assert me["default_group"] == "alice"
    assert me["groups"] == [{"name": "alice", "permission": "manage", "personal": True}]


def test_a_personal_group_never_takes_over_an_existing_group(client):
    assert client.post("/api/v1/groups", json={"name": "bob"}).status_code == 201
    bob = client.post("/api/v1/users", json={"name": "bob"}).json()
    assert bob["default_group"] not in (None, "bob")
    members = {m["user"] for m in client.get("/api/v1/groups/bob/members").json()}
    assert "bob" not in members
    own = client.get(f"/api/v1/groups/{bob['default_group']}").json()
    assert own["personal_of"] == "bob"


def test_users_are_listed_and_shown_to_platform_admins(client):
    api_user(client, "carol", display_name="Carol")
    listed = {user["name"]: user for user in client.get("/api/v1/users").json()}
    assert {"admin", "carol"} <= set(listed)
    assert listed["admin"]["platform_admin"] is True
    assert listed["carol"]["display_name"] == "Carol"
    shown = client.get("/api/v1/users/carol").json()
    assert shown == listed["carol"]
    assert "nobody" in _error(client.get("/api/v1/users/nobody"), 404)["message"]


def test_user_administration_needs_a_platform_admin(platform_app, client):
    token = api_user(client, "dave")
    api_user(client, "erin")
    dave = platform_app.client(token)
    for response in (dave.post("/api/v1/users", json={"name": "mallory"}),
                     dave.get("/api/v1/users"),
                     dave.get("/api/v1/users/erin"),
                     dave.patch("/api/v1/users/erin", json={"display_name": "E"})):
        error = _error(response, 403)
        assert error["details"]["permission"] == "platform_admin"
        assert "platform admin" in error["message"]
    assert dave.get("/api/v1/users/me").json()["name"] == "dave"
    assert dave.get("/api/v1/users/dave").json()["name"] == "dave"
    assert client.get("/api/v1/users/erin").json()["display_name"] is None


def test_a_duplicate_user_is_409(client):
    assert client.post("/api/v1/users", json={"name": "frank"}).status_code == 201
    error = _error(client.post("/api/v1/users", json={"name": "frank"}), 409)
    assert "frank" in error["message"]


@pytest.mark.parametrize("body, field", [
    ({"name": "two words"}, "name"),
    ({"name": "../up"}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 65}, "name"),
    ({"name": "me"}, "name"),
    ({"name": "ok", "display_name": "d" * 129}, "display_name"),
    ({"name": "ok", "platform_admin": "perhaps"}, "platform_admin"),
    ({}, "name"),
])
def test_bad_user_fields_are_422_naming_the_field(client, body, field):
    error = _error(client.post("/api/v1/users", json=body), 422)
    assert error["details"]["field"] == field
    assert client.get("/api/v1/users/ok").status_code == 404


def test_platform_admins_change_any_field(platform_app, client):
    token = api_user(client, "gina")
    assert client.post("/api/v1/groups", json={"name": "lab"}).status_code == 201
    changed = client.patch("/api/v1/users/gina", json={
        "display_name": "Gina G.", "platform_admin": True, "code_execution": True,
        "default_group": "lab"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["display_name"], body["platform_admin"], body["code_execution"],
            body["default_group"]) == ("Gina G.", True, True, "lab")
    gina = platform_app.client(token)
    me = gina.get("/api/v1/auth/me").json()
    assert (me["platform_admin"], me["code_execution"], me["default_group"]) == (True, True, "lab")
    assert gina.get("/api/v1/users").status_code == 200  # now a platform admin
    # only the fields sent change
    again = client.patch("/api/v1/users/gina", json={"code_execution": False}).json()
    assert (again["display_name"], again["platform_admin"], again["code_execution"]) == \
        ("Gina G.", True, False)


def test_users_change_only_their_own_name_and_default_group(platform_app, client):
    token = api_user(client, "hank")
    assert client.post("/api/v1/groups", json={"name": "shared"}).status_code == 201
    assert client.put("/api/v1/groups/shared/members/hank", json={"permission": "read"}).status_code == 200
    hank = platform_app.client(token)
    own = hank.patch("/api/v1/users/me", json={"display_name": "Hank", "default_group": "shared"})
    assert own.status_code == 200, own.text
    assert (own.json()["display_name"], own.json()["default_group"]) == ("Hank", "shared")
    assert hank.get("/api/v1/auth/me").json()["default_group"] == "shared"

    for field, value in (("platform_admin", True), ("code_execution", True), ("disabled", True)):
        error = _error(hank.patch("/api/v1/users/hank", json={field: value}), 403)
        assert error["details"]["permission"] == "platform_admin" and field in error["message"]
    me = client.get("/api/v1/users/hank").json()
    assert (me["platform_admin"], me["code_execution"], me["disabled"]) == (False, False, None)


def test_a_default_group_must_be_one_of_the_users_groups(platform_app, client):
    ivan = platform_app.client(api_user(client, "ivan"))
    assert client.post("/api/v1/groups", json={"name": "private"}).status_code == 201
    error = _error(ivan.patch("/api/v1/users/me", json={"default_group": "private"}), 422)
    assert error["details"]["field"] == "default_group" and "private" in error["message"]
    assert "nowhere" in _error(ivan.patch("/api/v1/users/me", json={"default_group": "nowhere"}),
                               404)["message"]
    assert ivan.get("/api/v1/auth/me").json()["default_group"] == "ivan"


def test_changing_an_unknown_user_is_404(client):
    assert "ghost" in _error(client.patch("/api/v1/users/ghost", json={"display_name": "G"}),
                             404)["message"]


def test_a_disabled_users_tokens_are_refused_at_once(platform_app, client):
    token = api_user(client, "judy")
    judy = platform_app.client(token)
    assert judy.get("/api/v1/auth/me").status_code == 200
    assert client.patch("/api/v1/users/judy", json={"disabled": True}).json()["disabled"] is not None
    assert _error(judy.get("/api/v1/auth/me"), 401)["code"] == "unauthenticated"
    assert judy.get("/api/v1/groups").status_code == 401
    refused = client.post("/api/v1/users/judy/tokens", json={"name": "new"})
    assert refused.status_code == 409 and "disabled" in refused.json()["error"]["message"]
    assert client.patch("/api/v1/users/judy", json={"disabled": False}).json()["disabled"] is None
    assert judy.get("/api/v1/auth/me").status_code == 200


def test_the_last_platform_admin_stays_one(client):
    for body in ({"platform_admin": False}, {"disabled": True}):
        error = _error(client.patch("/api/v1/users/admin", json=body), 409)
        assert "admin" in error["message"]
    assert client.get("/api/v1/users").status_code == 200
    api_user(client, "kim", platform_admin=True)
    assert client.patch("/api/v1/users/admin", json={"platform_admin": False}).status_code == 200


def test_me_shows_the_caller_and_each_group(platform_app, client):
    token = api_user(client, "lena", display_name="Lena")
    for name, permission in (("team-a", "read"), ("team-b", "change")):
        assert client.post("/api/v1/groups", json={"name": name}).status_code == 201
        client.put(f"/api/v1/groups/{name}/members/lena", json={"permission": permission})
    me = platform_app.client(token).get("/api/v1/auth/me").json()
    assert (me["name"], me["display_name"], me["token"]) == ("lena", "Lena", "lena-first")
    assert (me["platform_admin"], me["code_execution"], me["default_group"]) == (False, False, "lena")
    assert sorted(me["groups"], key=lambda g: g["name"]) == [
        {"name": "lena", "permission": "manage", "personal": True},
        {"name": "team-a", "permission": "read", "personal": False},
        {"name": "team-b", "permission": "change", "personal": False},
    ]


def test_the_permission_table_follows_the_issue(platform_app, client):
    viewer = platform_app.client(api_user(client, "mona"))
    table = viewer.get("/api/v1/permissions").json()
    assert table["permissions"] == ["read", "change", "manage"]
    rules = table["rules"]
    assert rules["read"] == {"own": "read", "other": "read"}
    for act in ("stop", "delete"):  # change may stop/delete its own, manage anyone's
        assert rules[act] == {"own": "change", "other": "manage"}
    assert rules["manage"] == {"own": "manage", "other": "manage"}
    assert all(rule["own"] in table["permissions"] and rule["other"] in table["permissions"]
               for rule in rules.values())
    assert platform_app.client(token="").get("/api/v1/permissions").status_code == 401
