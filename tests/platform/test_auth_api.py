"""Bearer tokens: 401 without one, 403 for a too-small role, revocation, hashed storage."""

from __future__ import annotations

import stat

from sqlmodel import select

from daas.store.tables import ApiToken
from tests.conftest import PMML_DIR, both_backends

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()


def make_token(client, role, name=None):
    response = client.post("/api/v1/tokens", json={"name": name or f"{role}-user", "role": role})
    assert response.status_code == 201, response.text
    return response.json()


def test_admin_token_file_is_private_and_works(platform_app):
    path = platform_app.settings.admin_token_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    me = platform_app.client().get("/api/v1/auth/me").json()
    assert (me["name"], me["platform_admin"], me["default_group"]) == ("admin", True, "default")
    assert {"name": "default", "permission": "manage", "personal": False} in me["groups"]


def test_missing_or_bad_token_is_401(platform_app):
    anonymous = platform_app.client(token="")
    response = anonymous.get("/api/v1/models")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    assert platform_app.client(token="daas_wrong").get("/api/v1/models").status_code == 401
    assert anonymous.get("/healthz").status_code == 200


def test_viewer_reads_but_cannot_upload_or_delete(platform_app, client):
    assert client.post("/api/v1/models", files={"file": ("m.pmml", PMML)}, data={"name": "iris"}).status_code == 201
    viewer = platform_app.client(make_token(client, "viewer")["token"])
    assert viewer.get("/api/v1/models").json()["total"] == 1
    assert viewer.post("/api/v1/models/iris/test", json={"data": {"Sepal_Length": 5, "Sepal_Width": 3,
                                                                  "Petal_Length": 1, "Petal_Width": 0.2}}).status_code == 200
    upload = viewer.post("/api/v1/models", files={"file": ("m.pmml", PMML)}, data={"name": "iris"})
    assert upload.status_code == 403 and upload.json()["error"]["details"]["permission"] == "change"
    assert "change permission on group 'default'" in upload.json()["error"]["message"]
    assert viewer.delete("/api/v1/models/iris").status_code == 403
    assert viewer.get("/api/v1/tokens").status_code == 403
    assert client.get("/api/v1/models/iris").json()["versions_count"] == 1


def test_editor_changes_models_but_cannot_manage_tokens(platform_app, client):
    editor = platform_app.client(make_token(client, "editor")["token"])
    created = editor.post("/api/v1/models", files={"file": ("m.pmml", PMML)}, data={"name": "iris"})
    assert created.status_code == 201 and created.json()["created_by"] == "editor-user"
    assert editor.post("/api/v1/tokens", json={"name": "x", "role": "admin"}).status_code == 403
    assert editor.delete("/api/v1/models/iris").status_code == 204


def test_revoked_token_stops_working(platform_app, client):
    token = make_token(client, "editor")
    editor = platform_app.client(token["token"])
    assert editor.get("/api/v1/auth/me").status_code == 200
    assert client.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    assert editor.get("/api/v1/auth/me").status_code == 401
    listed = {t["id"]: t for t in client.get("/api/v1/tokens").json()}
    assert listed[token["id"]]["revoked"] is not None
    assert "token" not in listed[token["id"]]
    assert client.delete("/api/v1/tokens/9999").status_code == 404


def test_tokens_are_stored_hashed(platform_app, client):
    secret = make_token(client, "viewer")["token"]
    with platform_app.container.db.read() as session:
        hashes = [row.token_hash for row in session.exec(select(ApiToken))]
    assert secret not in hashes and all(len(h) == 64 for h in hashes)


def test_unknown_role_is_422_naming_role(client):
    response = client.post("/api/v1/tokens", json={"name": "x", "role": "root"})
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "role"
