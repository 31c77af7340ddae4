"""The platform serves the built web UI at / without ever masking an API answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from daas.platform.app import create_app
from tests.conftest import make_settings
from tests.fakes import FakeServe, InProcessWorker


@pytest.fixture
def built_ui(tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=app>ui</div>")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside")
    return dist


def client_for(tmp_path, ui_dir) -> TestClient:
    settings = make_settings(tmp_path / "home", ui_dir=ui_dir)
    return TestClient(create_app(settings, InProcessWorker(), FakeServe()))


def test_pages_get_the_app_and_assets_are_immutable(tmp_path, built_ui) -> None:
    client = client_for(tmp_path, built_ui)
    for page in ("/", "/models/iris", "/services"):
        response = client.get(page)
        assert response.status_code == 200 and "ui</div>" in response.text
        assert response.headers["cache-control"] == "no-cache"
    asset = client.get("/assets/index-abc123.js")
    assert asset.text == "console.log(1)" and "immutable" in asset.headers["cache-control"]
    assert client.get("/favicon.svg").text == "<svg/>"


def test_api_paths_stay_json_errors(tmp_path, built_ui) -> None:
    client = client_for(tmp_path, built_ui)
    admin = {"Authorization": f"Bearer {(tmp_path / 'home' / 'admin-token').read_text().strip()}"}
    for method, path in (("GET", "/api/v1/nothing"), ("POST", "/api/v1/nothing"), ("GET", "/v2/x"),
                         ("POST", "/models/iris"), ("DELETE", "/")):
        response = client.request(method, path, headers=admin)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "not_found"
    for path in ("/api/v1/nothing", "/api/v1/models"):  # an unknown caller learns nothing more
        assert client.get(path).json()["error"]["code"] == "unauthenticated"
    assert client.get("/healthz").json() == {"status": "ok"}


def test_no_file_outside_the_build_is_served(tmp_path, built_ui) -> None:
    client = client_for(tmp_path, built_ui)
    response = client.get("/..%2fsecret.txt")
    assert "outside" not in response.text
    assert client.get("/assets/../../secret.txt").text != "outside"


def test_an_unbuilt_ui_says_how_to_build_it(tmp_path) -> None:
    response = client_for(tmp_path, tmp_path / "missing").get("/")
    assert response.status_code == 503 and "make run" in response.text
