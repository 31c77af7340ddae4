"""A real uvicorn server in a child process, patched as a service replica is: a process that
dies between a response's headers and its body has sent nothing, and whole responses
(plain, HEAD, streamed) still arrive as they should."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap

import pytest

from tests.child_server import free_port, wait_for_port

SERVER = textwrap.dedent("""
    import os, sys
    import uvicorn
    from daas.deployments.whole_responses import hold_headers_until_body

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain")]
        if scope["path"] == "/dies-after-headers":
            await send({"type": "http.response.start", "status": 200,
                        "headers": headers + [(b"content-length", b"5")]})
            os._exit(1)  # as a SIGKILL between the two writes
        if scope["path"] == "/streamed":
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for part in (b"one ", b"two ", b"three"):
                await send({"type": "http.response.body", "body": part, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": headers + [(b"content-length", b"5")]})
        await send({"type": "http.response.body", "body": b"hello"})

    if sys.argv[3] == "patched":
        hold_headers_until_body()
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), http=sys.argv[2], log_level="error")
""")


@pytest.fixture(params=["httptools", "h11"])
def server(request):
    def start(mode: str = "patched") -> int:
        port = free_port()
        process = subprocess.Popen([sys.executable, "-c", SERVER, str(port), request.param, mode])
        started.append(process)
        wait_for_port(port, process)
        return port

    started: list[subprocess.Popen] = []
    yield start
    for process in started:
        process.kill()
        process.wait(timeout=10)


def exchange(port: int, method: str, path: str) -> bytes:
    """Everything the server sent on one connection (closed after the response)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_a_process_dying_after_the_headers_has_sent_nothing(server):
    assert exchange(server("unpatched"), "GET", "/dies-after-headers").startswith(b"HTTP/1.1 200")
    assert exchange(server(), "GET", "/dies-after-headers") == b""


def test_whole_responses_arrive_unchanged(server):
    port = server()
    plain = exchange(port, "GET", "/")
    assert plain.startswith(b"HTTP/1.1 200") and plain.endswith(b"\r\n\r\nhello")
    head = exchange(port, "HEAD", "/")
    assert head.startswith(b"HTTP/1.1 200") and b"content-length: 5" in head.lower()
    assert head.endswith(b"\r\n\r\n")
    streamed = exchange(port, "GET", "/streamed")
    assert b"transfer-encoding: chunked" in streamed.lower()
    assert streamed.endswith(b"4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n")
