"""Tokens through the HTTP API: a user's own (issue, list, revoke, expiry, last use), other
users' (platform admins only), and the legacy ``POST /api/v1/tokens {name, role}``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from daas.store.tables import ApiToken
from tests.accounts import api_user
from tests.conftest import both_backends

pytestmark = both_backends

MINE = "/api/v1/users/me/tokens"


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def test_a_user_issues_lists_and_revokes_their_own_tokens(platform_app, client):
    nina = platform_app.client(api_user(client, "nina"))
    before = datetime.now(timezone.utc)
    issued = nina.post(MINE, json={"name": "ci", "expires_in_days": 7})
    assert issued.status_code == 201, issued.text
    token = issued.json()
    assert (token["name"], token["user"], token["created_by"], token["revoked"]) == \
        ("ci", "nina", "nina", None)
    expires = _moment(token["expires"])
    assert before + timedelta(days=7) - timedelta(minutes=1) <= expires <= \
        datetime.now(timezone.utc) + timedelta(days=7)

    ci = platform_app.client(token["token"])
    me = ci.get("/api/v1/auth/me").json()
    assert (me["name"], me["token"]) == ("nina", "ci")

    listed = {t["name"]: t for t in nina.get(MINE).json()}
    assert set(listed) == {"nina-first", "ci"}
    assert all("token" not in t for t in listed.values())
    for listing in (nina.get(MINE), client.get("/api/v1/tokens"), client.get("/api/v1/users/nina/tokens")):
        assert token["token"] not in listing.text  # the secret is shown only when issued

    assert nina.delete(f"{MINE}/{token['id']}").status_code == 204
    assert ci.get("/api/v1/auth/me").status_code == 401
    assert nina.get("/api/v1/auth/me").status_code == 200  # the other token still works
    revoked = {t["id"]: t for t in nina.get(MINE).json()}[token["id"]]
    assert revoked["revoked"] is not None
    assert nina.delete(f"{MINE}/{token['id']}").status_code == 204  # again: nothing changes


def test_a_token_without_expiry_never_expires(platform_app, client):
    oscar = platform_app.client(api_user(client, "oscar"))
    token = oscar.post(MINE, json={"name": "forever"}).json()
    assert token["expires"] is None


def test_an_expired_token_is_401(platform_app, client):
    pia = platform_app.client(api_user(client, "pia"))
    token = pia.post(MINE, json={"name": "short", "expires_in_days": 1}).json()
    short = platform_app.client(token["token"])
    assert short.get("/api/v1/auth/me").status_code == 200
    with platform_app.container.db.write() as session:
        row = session.get(ApiToken, token["id"])
        row.expires = datetime.now(timezone.utc) - timedelta(seconds=5)
        session.add(row)
    error = short.get("/api/v1/auth/me").json()["error"]
    assert error["code"] == "unauthenticated" and "expired" in error["message"]
    assert short.get("/api/v1/groups").status_code == 401


def test_an_explicit_future_expiry_is_kept(platform_app, client):
    quinn = platform_app.client(api_user(client, "quinn"))
    moment = (datetime.now(timezone.utc) + timedelta(days=30)).replace(microsecond=0)
    token = quinn.post(MINE, json={"name": "month", "expires": moment.isoformat()})
    assert token.status_code == 201, token.text
    assert _moment(token.json()["expires"]) == moment


@pytest.mark.parametrize("body, field", [
    ({"name": "t", "expires_in_days": 0}, "expires_in_days"),
    ({"name": "t", "expires_in_days": -3}, "expires_in_days"),
    ({"name": "t", "expires_in_days": "soon"}, "expires_in_days"),
    ({"name": "t", "expires": "2001-01-01T00:00:00Z"}, "expires"),
    ({"name": "t", "expires": "not a date"}, "expires"),
    ({"name": "t", "expires_in_days": 3, "expires": "2999-01-01T00:00:00Z"}, "expires"),
    ({"name": "t", "expires": "9999-12-31T23:59:59-14:00"}, "expires"),
    ({"name": "t", "expires": "0001-01-01T00:00:00+14:00"}, "expires"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({}, "name"),
])
def test_bad_token_fields_are_422_naming_the_field(platform_app, client, body, field):
    rita = platform_app.client(api_user(client, "rita"))
    response = rita.post(MINE, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == field
    assert [t["name"] for t in rita.get(MINE).json()] == ["rita-first"]


def test_last_used_is_set_once_the_token_is_used(platform_app, client):
    sam = platform_app.client(api_user(client, "sam"))
    token = sam.post(MINE, json={"name": "probe"}).json()
    assert token["last_used"] is None
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert platform_app.client(token["token"]).get("/api/v1/groups").status_code == 200
    row = {t["id"]: t for t in sam.get(MINE).json()}[token["id"]]
    assert row["last_used"] is not None and _moment(row["last_used"]) >= before


def test_other_users_tokens_need_a_platform_admin(platform_app, client):
    api_user(client, "tina")
    theirs = client.post("/api/v1/users/tina/tokens", json={"name": "tina-ci"}).json()
    uma = platform_app.client(api_user(client, "uma"))
    for response in (uma.get("/api/v1/users/tina/tokens"),
                     uma.post("/api/v1/users/tina/tokens", json={"name": "sneaky"}),
                     uma.delete(f"/api/v1/users/tina/tokens/{theirs['id']}"),
                     uma.delete(f"/api/v1/tokens/{theirs['id']}"),
                     uma.get("/api/v1/tokens")):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["details"]["permission"] == "platform_admin"
    # through "me" a token of someone else is simply not one of the caller's
    assert uma.delete(f"{MINE}/{theirs['id']}").status_code == 404
    tina_ci = platform_app.client(theirs["token"])
    assert tina_ci.get("/api/v1/auth/me").status_code == 200

    assert client.delete(f"/api/v1/users/tina/tokens/{theirs['id']}").status_code == 204
    assert tina_ci.get("/api/v1/auth/me").status_code == 401
    assert client.delete(f"/api/v1/users/uma/tokens/{theirs['id']}").status_code == 404
    assert client.delete("/api/v1/users/tina/tokens/99999").status_code == 404
    assert client.get("/api/v1/users/ghost/tokens").status_code == 404


def test_platform_admins_issue_tokens_for_users(platform_app, client):
    api_user(client, "vera")
    issued = client.post("/api/v1/users/vera/tokens", json={"name": "robot"})
    assert issued.status_code == 201
    assert issued.json()["created_by"] == "admin" and issued.json()["user"] == "vera"
    me = platform_app.client(issued.json()["token"]).get("/api/v1/auth/me").json()
    assert (me["name"], me["token"]) == ("vera", "robot")
    everyone = client.get("/api/v1/tokens").json()
    assert {("vera", "robot"), ("admin", "admin")} <= {(t["user"], t["name"]) for t in everyone}


@pytest.mark.parametrize("role, permission, platform_admin", [
    ("viewer", "read", False), ("editor", "change", False), ("admin", "manage", True)])
def test_legacy_role_tokens_make_a_member_of_default(platform_app, client, role, permission,
                                                     platform_admin):
    made = client.post("/api/v1/tokens", json={"name": f"old-{role}", "role": role})
    assert made.status_code == 201, made.text
    assert (made.json()["user"], made.json()["role"]) == (f"old-{role}", role)
    me = platform_app.client(made.json()["token"]).get("/api/v1/auth/me").json()
    assert (me["default_group"], me["platform_admin"]) == ("default", platform_admin)
    assert {"name": "default", "permission": permission, "personal": False} in me["groups"]
    members = {m["user"]: m["permission"] for m in client.get("/api/v1/groups/default/members").json()}
    assert members[f"old-{role}"] == permission
    again = client.post("/api/v1/tokens", json={"name": f"old-{role}", "role": "viewer"})
    assert again.status_code == 409


def test_legacy_tokens_need_a_platform_admin(platform_app, client):
    editor = platform_app.client(
        client.post("/api/v1/tokens", json={"name": "ed", "role": "editor"}).json()["token"])
    denied = editor.post("/api/v1/tokens", json={"name": "boss", "role": "admin"})
    assert denied.status_code == 403
    assert denied.json()["error"]["details"]["permission"] == "platform_admin"
    assert client.get("/api/v1/users/boss").status_code == 404
