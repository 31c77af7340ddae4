"""No body is read before the caller's token is checked, and each route takes only the body
its form can need: measured on the platform process over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from daas.platform.app import FORM_BODY_BYTES
from daas.platform.authenticate_first import takes_user_token
from tests.accounts import api_user
from tests.child_server import fake_platform, rss_bytes
from tests.platform.test_route_callers import OPERATIONS

BIG = 64 * 1024 * 1024


def _body_routes() -> list[tuple[str, str]]:
    """(method, url) of every operation that takes a body and a user token."""
    return [(op.method.upper(), op.url) for op in OPERATIONS
            if op.method in ("post", "put", "patch") and op.needs == "caller"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    with fake_platform(tmp_path_factory.mktemp("gate") / "home") as running:
        yield running


def _send(url: str, method: str, size: int, token: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Content-Length": str(size)}
    if token:
        headers["Authorization"] = f"Bearer {token}"

    def body():  # streamed: the client never holds the whole body either
        for _ in range(size // (1024 * 1024)):
            yield b" " * (1024 * 1024)

    try:
        return httpx.request(method, url, content=body(), headers=headers, timeout=60)
    except httpx.WriteError:  # the server answered and closed before the whole body was sent
        pytest.fail(f"{method} {url}: the connection closed before the answer")


def test_the_gate_covers_exactly_the_routes_that_take_a_user_token():
    assert [str(op) for op in OPERATIONS if takes_user_token(op.url) != (op.needs == "caller")] == []
    routes = _body_routes()
    assert ("POST", "/api/v1/models") in routes and ("POST", "/api/v1/tokens") in routes


def test_an_unauthenticated_big_body_is_refused_unread(platform):
    process, base, _ = platform
    before = rss_bytes(process.pid)
    for method, path in _body_routes():
        for token in (None, "daas_not-a-token"):
            response = _send(base + path, method, BIG, token)
            assert response.status_code == 401, (method, path, response.text[:200])
            assert response.json()["error"]["code"] == "unauthenticated"
    grown = rss_bytes(process.pid) - before
    assert grown < 10 * 1024 * 1024, f"RSS grew by {grown / 2**20:.1f} MiB"


def test_a_management_form_takes_kilobytes_not_megabytes(platform):
    _, base, admin = platform
    response = _send(base + "/api/v1/tokens", "POST", 2 * FORM_BODY_BYTES, admin)
    assert response.status_code == 413 and response.json()["error"]["details"] == {"limit": FORM_BODY_BYTES}
    created = httpx.post(base + "/api/v1/tokens", json={"name": "ci", "role": "viewer"},
                         headers={"Authorization": f"Bearer {admin}"})
    assert created.status_code == 201, created.text


def test_an_upload_the_caller_may_not_make_is_refused_unread(platform):
    process, base, admin_token = platform
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"}) as admin:
        reader = api_user(admin, "reader")
        admins_group = admin.get("/api/v1/auth/me").json()["default_group"]
        joined = admin.put(f"/api/v1/groups/{admins_group}/members/reader", json={"permission": "read"})
        assert joined.status_code == 200, joined.text
        admin.post("/api/v1/groups", json={"name": "elsewhere"}).raise_for_status()
    before = rss_bytes(process.pid)
    for path in ("/api/v1/models", "/api/v1/datasets"):
        for group, held in ((admins_group, "read"), ("elsewhere", None)):
            response = _send(f"{base}{path}?group={group}", "POST", BIG, reader)
            assert response.status_code == 403, (path, group, response.text[:200])
            assert response.json()["error"]["details"]["held"] == held
        missing = _send(f"{base}{path}?group=nowhere", "POST", BIG, reader)
        assert missing.status_code == 404 and "nowhere" in missing.json()["error"]["message"]
        blank = _send(f"{base}{path}?group=", "POST", BIG, reader)
        assert blank.status_code == 422 and blank.json()["error"]["details"]["field"] == "group"
    grown = rss_bytes(process.pid) - before
    assert grown < 10 * 1024 * 1024, f"RSS grew by {grown / 2**20:.1f} MiB"


def test_an_upload_to_ones_own_group_is_read(platform):
    _, base, admin_token = platform
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"}) as admin:
        maker = api_user(admin, "maker")
    uploaded = httpx.post(f"{base}/api/v1/datasets", headers={"Authorization": f"Bearer {maker}"},
                          files={"file": ("d.csv", b"a,b\n1,2\n")}, data={"name": "tiny"})
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["group"] == "maker"
