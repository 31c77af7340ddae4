"""The audit log through the HTTP API: what each act in a group records, the group's log
(read on it), its filters, and the platform's log of user and token acts (platform admins)."""

from __future__ import annotations

import pytest

from tests.accounts import api_user
from tests.conftest import PMML_DIR, both_backends

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()


def _ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response


@pytest.fixture
def worked(platform_app, client):
    """Group ``ops``, managed by ``lead``, where ``dev`` (change) uploaded a model and
    deployed, scaled, paused and deleted service ``scorer``; ``lead`` shared it with ``dev``."""
    lead = platform_app.client(api_user(client, "lead"))
    dev = platform_app.client(api_user(client, "dev"))
    _ok(lead.post("/api/v1/groups", json={"name": "ops"}), 201)
    _ok(lead.put("/api/v1/groups/ops/members/dev", json={"permission": "change"}))
    _ok(dev.post("/api/v1/models?group=ops", files={"file": ("m.pmml", PMML)},
                 data={"name": "iris"}), 201)
    _ok(dev.post("/api/v1/services?group=ops", json={"name": "scorer", "model": "iris"}), 201)
    platform_app.container.reconciler.reconcile()
    _ok(dev.patch("/api/v1/services/scorer", json={"replicas": 2}))
    platform_app.container.reconciler.reconcile()
    _ok(dev.post("/api/v1/services/scorer/pause"))
    platform_app.container.reconciler.reconcile()
    _ok(dev.delete("/api/v1/services/scorer"), 202)
    platform_app.container.reconciler.reconcile()
    return lead, dev


def _acts(entries) -> list[tuple]:
    return [(e["actor"], e["action"], e["kind"], e["name"]) for e in entries]


def test_each_act_in_a_group_is_recorded_newest_first(worked):
    lead, _dev = worked
    entries = _ok(lead.get("/api/v1/groups/ops/audit")).json()
    assert _acts(entries) == [
        ("dev", "delete", "service", "scorer"),
        ("dev", "pause", "service", "scorer"),
        ("dev", "scale", "service", "scorer"),
        ("dev", "deploy", "service", "scorer"),
        ("dev", "upload", "model", "iris"),
        ("lead", "share", "group", "ops"),
        ("lead", "create", "group", "ops"),
    ]
    assert all(e["group"] == "ops" for e in entries)
    by_action = {e["action"]: e for e in entries}
    assert by_action["share"]["details"]["user"] == "dev"
    assert by_action["share"]["details"]["permission"] == "change"
    assert by_action["deploy"]["details"]["model"] == "iris"
    assert by_action["upload"]["details"]["version"] == 1
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)


def test_the_group_log_filters_and_pages(worked):
    lead, _dev = worked
    log = "/api/v1/groups/ops/audit"
    assert {e["kind"] for e in lead.get(f"{log}?kind=service").json()} == {"service"}
    assert len(lead.get(f"{log}?kind=service").json()) == 4
    assert _acts(lead.get(f"{log}?action=pause").json()) == [("dev", "pause", "service", "scorer")]
    assert _acts(lead.get(f"{log}?kind=model&action=upload").json()) == [("dev", "upload", "model", "iris")]
    assert lead.get(f"{log}?kind=model&action=pause").json() == []
    everything = lead.get(log).json()
    assert lead.get(f"{log}?offset=2&limit=3").json() == everything[2:5]
    assert lead.get(f"{log}?offset=100").json() == []
    for query, field in (("kind=spaceship", "kind"), ("action=explode", "action"),
                         ("limit=0", "limit"), ("offset=-1", "offset"), ("limit=x", "limit")):
        response = lead.get(f"{log}?{query}")
        assert response.status_code == 422, query
        assert response.json()["error"]["details"]["field"] == field


def test_the_group_log_needs_read_on_the_group(platform_app, client, worked):
    lead, _dev = worked
    outsider = platform_app.client(api_user(client, "outsider"))
    denied = outsider.get("/api/v1/groups/ops/audit")
    assert denied.status_code == 403 and denied.json()["error"]["details"]["permission"] == "read"
    _ok(lead.put("/api/v1/groups/ops/members/outsider", json={"permission": "read"}))
    assert len(_ok(outsider.get("/api/v1/groups/ops/audit")).json()) == 8
    assert client.get("/api/v1/groups/nowhere/audit").status_code == 404


def test_a_groups_log_holds_only_its_own_acts(platform_app, client, worked):
    lead, _dev = worked
    _ok(lead.post("/api/v1/models?group=lead", files={"file": ("m.pmml", PMML)},
                  data={"name": "iris"}), 201)
    own = lead.get("/api/v1/groups/lead/audit").json()
    assert _acts(own) == [("lead", "upload", "model", "iris")]
    assert all(e["group"] == "lead" for e in own)
    assert "user_created" not in {e["action"] for e in lead.get("/api/v1/groups/ops/audit").json()}


def test_unsharing_and_renaming_are_recorded(worked):
    lead, _dev = worked
    _ok(lead.delete("/api/v1/groups/ops/members/dev"), 204)
    _ok(lead.patch("/api/v1/groups/ops", json={"name": "ops2"}))
    recent = lead.get("/api/v1/groups/ops2/audit?limit=2").json()
    assert _acts(recent) == [("lead", "rename", "group", "ops2"), ("lead", "unshare", "group", "ops")]
    assert recent[0]["details"]["previous"] == "ops"
    assert recent[1]["details"]["user"] == "dev"
    assert {e["group"] for e in recent} == {"ops2"}  # the entries follow the group


def test_the_platform_log_holds_user_and_token_acts(platform_app, client):
    token = api_user(client, "wes")
    wes = platform_app.client(token)
    issued = _ok(wes.post("/api/v1/users/me/tokens", json={"name": "ci"}), 201).json()
    _ok(wes.delete(f"/api/v1/users/me/tokens/{issued['id']}"), 204)
    _ok(client.patch("/api/v1/users/wes", json={"display_name": "Wes"}))

    entries = _ok(client.get("/api/v1/audit")).json()
    acts = _acts(entries)
    assert ("admin", "user_created", "user", "wes") in acts
    assert ("admin", "token_created", "token", "wes-first") in acts
    assert ("wes", "token_created", "token", "ci") in acts
    assert ("wes", "token_revoked", "token", "ci") in acts
    assert ("admin", "user_changed", "user", "wes") in acts
    revoked_at = acts.index(("wes", "token_revoked", "token", "ci"))
    assert revoked_at < acts.index(("wes", "token_created", "token", "ci"))  # newest first
    assert all(e["group"] is None for e in entries if e["kind"] in ("user", "token"))
    revoked = next(e for e in entries if e["action"] == "token_revoked")
    assert revoked["details"]["user"] == "wes"
    only = client.get("/api/v1/audit?action=token_revoked").json()
    assert _acts(only) == [("wes", "token_revoked", "token", "ci")]
    assert {e["kind"] for e in client.get("/api/v1/audit?kind=user").json()} == {"user"}


def test_the_platform_log_also_holds_every_groups_acts(client, worked):
    assert ("dev", "deploy", "service", "scorer") in _acts(client.get("/api/v1/audit").json())
    entry = client.get("/api/v1/audit?action=deploy").json()[0]
    assert entry["group"] == "ops"


def test_the_platform_log_needs_a_platform_admin(platform_app, client, worked):
    lead, dev = worked
    for caller in (lead, dev):
        denied = caller.get("/api/v1/audit")
        assert denied.status_code == 403
        assert denied.json()["error"]["details"]["permission"] == "platform_admin"
    assert platform_app.client(token="").get("/api/v1/audit").status_code == 401


def test_a_refused_act_is_not_recorded(platform_app, client, worked):
    lead, _dev = worked
    reader = platform_app.client(api_user(client, "reader"))
    _ok(lead.put("/api/v1/groups/ops/members/reader", json={"permission": "read"}))
    before = lead.get("/api/v1/groups/ops/audit").json()
    assert reader.post("/api/v1/models?group=ops", files={"file": ("m.pmml", PMML)},
                       data={"name": "iris"}).status_code == 403
    assert reader.put("/api/v1/groups/ops/members/reader", json={"permission": "manage"}).status_code == 403
    assert lead.get("/api/v1/groups/ops/audit").json() == before


def test_a_deleted_groups_acts_stay_in_the_platform_log(platform_app, client):
    lead = platform_app.client(api_user(client, "keeper"))
    _ok(lead.post("/api/v1/groups", json={"name": "temp"}), 201)
    _ok(lead.delete("/api/v1/groups/temp"), 204)
    acts = [(e["actor"], e["action"], e["kind"], e["name"], e["group"])
            for e in client.get("/api/v1/audit?kind=group").json()]
    assert acts[:2] == [("keeper", "delete", "group", "temp", None),
                        ("keeper", "create", "group", "temp", None)]
    _ok(lead.post("/api/v1/groups", json={"name": "temp"}), 201)
    assert _acts(lead.get("/api/v1/groups/temp/audit").json()) == [("keeper", "create", "group", "temp")]


def test_revoking_through_the_legacy_route_is_recorded(platform_app, client):
    made = _ok(client.post("/api/v1/tokens", json={"name": "oldie", "role": "viewer"}), 201).json()
    oldie = platform_app.client(made["token"])
    _ok(oldie.delete(f"/api/v1/tokens/{made['id']}"), 204)  # one's own token needs no admin
    assert oldie.get("/api/v1/auth/me").status_code == 401
    acts = _acts(client.get("/api/v1/audit?kind=token").json())
    assert acts[:2] == [("oldie", "token_revoked", "token", "oldie"),
                        ("admin", "token_created", "token", "oldie")]
