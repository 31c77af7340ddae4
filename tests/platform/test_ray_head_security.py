"""The pieces of a closed Ray head that need no cluster: token file, join rules, ports, HAProxy."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from daas.errors import Unavailable
from daas.platform.ray_adapter import auth, haproxy_wrapper, local_head


def test_the_token_file_is_made_once_with_mode_0600(tmp_path) -> None:
    path = auth.ensure_token_file(tmp_path)
    token = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(token) == 64
    path.chmod(0o644)
    assert auth.ensure_token_file(tmp_path).read_text() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_local_head_names_its_token_explicitly(tmp_path) -> None:
    env = auth.local_head_environment(tmp_path)
    assert env == {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(tmp_path / "ray-auth-token")}


def test_joining_without_any_token_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("RAY_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    with pytest.raises(Unavailable, match="auth token"):
        auth.join_environment(tmp_path)
    auth.ensure_token_file(tmp_path)
    assert auth.join_environment(tmp_path)["RAY_AUTH_TOKEN_PATH"] == str(tmp_path / "ray-auth-token")
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", "/elsewhere/token")
    assert auth.join_environment(tmp_path) == {"RAY_AUTH_MODE": "token"}


def _dashboard_answering(mode: str):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"authentication_mode": mode}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("mode", ["disabled", "k8s"])
def test_a_cluster_that_does_not_check_tokens_is_refused(mode) -> None:
    server = _dashboard_answering(mode)
    try:
        with pytest.raises(Unavailable, match="does not require token authentication"):
            auth.require_token_auth(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()


def test_a_cluster_that_checks_tokens_is_accepted() -> None:
    server = _dashboard_answering("token")
    try:
        auth.require_token_auth(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()


def test_an_unreadable_mode_is_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(Unavailable, match="authentication mode"):
        auth.require_token_auth(f"http://127.0.0.1:{port}")


def test_a_busy_preferred_port_is_replaced_by_a_free_one() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken: set[int] = set()
        port = local_head.pick_port(busy.getsockname()[1], taken)
        assert port != busy.getsockname()[1] and taken == {port}
        assert local_head.pick_port(None, taken) not in {port, busy.getsockname()[1]}


_CONFIG = """global
    stats socket /x/admin.sock mode 666 level admin expose-fd listeners
defaults
    option abortonclose
    option splice-request
    option splice-response
frontend prometheus
    bind :9101
frontend http_frontend
    bind *:8000
listen stats
  bind *:8404
"""


def test_the_haproxy_wrapper_pins_stats_metrics_and_socket(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "real-haproxy"
    fake.write_text('#!/bin/sh\necho "ran with: $*"\n')
    fake.chmod(0o755)
    monkeypatch.setenv(haproxy_wrapper.BINARY_VARIABLE, str(fake))
    wrapper = haproxy_wrapper.write_wrapper(tmp_path, stats_port=8404, metrics_port=9101)
    config = tmp_path / "haproxy.cfg"
    config.write_text(_CONFIG)
    ran = subprocess.run([str(wrapper), "-db", "-f", str(config), "-sf", "12"],
                         capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == f"ran with: -db -f {config} -sf 12"
    rewritten = config.read_text()
    assert "bind 127.0.0.1:9101" in rewritten and "bind 127.0.0.1:8404" in rewritten
    assert "bind *:8000" in rewritten  # the ingress keeps the host the settings chose
    assert "mode 600 level admin" in rewritten and "mode 666" not in rewritten
    # Request bodies stay in HAProxy's buffer, so a request whose replica died is replayed.
    assert "    option http-buffer-request\n" in rewritten and "splice-request" not in rewritten
    assert "option splice-response" in rewritten


def test_stopping_a_head_that_never_started_is_harmless(tmp_path: Path) -> None:
    local_head.stop_head(tmp_path)
    assert local_head.recorded_head(tmp_path) is None
