"""A replica's HTTP response leaves the process whole, or not at all.

Serve's direct ingress answers through uvicorn, which writes a response's status line and
headers to the socket at ``http.response.start`` and its body at the next message. A replica
killed between the two writes (tens of microseconds a response) leaves HAProxy holding
headers it has already passed on, so the client gets a response cut short, and no proxy can
replay that. Held back until the body, the headers go out in the same write: a replica that
dies first has sent nothing, which HAProxy retries on another replica (``empty-response``).

``hold_headers_until_body()`` patches uvicorn's request cycles in the calling process (a
service replica) to do that; a response with no body write (``HEAD``) sends its headers once
the body message has been handled.
"""

from __future__ import annotations

from typing import Any

_PATCHED = "_daas_holds_headers"


class _Capture:
    """Stands in for the transport during ``http.response.start``: keeps what is written."""

    def __init__(self, transport: Any) -> None:
        self.transport, self.held = transport, b""

    def write(self, data: bytes) -> None:
        self.held += data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class _Prefixed:
    """Stands in for the transport during the first body message: headers go out with it."""

    def __init__(self, transport: Any, prefix: bytes) -> None:
        self.transport, self.prefix = transport, prefix

    def write(self, data: bytes) -> None:
        self.transport.write(self.prefix + data)
        self.prefix = b""

    def flush(self) -> None:
        if self.prefix:
            self.write(b"")

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def _holding(send):
    async def send_whole(cycle, message) -> None:
        held = getattr(cycle, "_daas_held", None)
        if message["type"] == "http.response.start" and not cycle.response_started:
            capture = cycle.transport = _Capture(cycle.transport)
            try:
                await send(cycle, message)
            finally:
                cycle.transport = capture.transport
            cycle._daas_held = capture.held
        elif held and message["type"] == "http.response.body":
            cycle._daas_held = None
            prefixed = cycle.transport = _Prefixed(cycle.transport, held)
            try:
                await send(cycle, message)
                prefixed.flush()
            finally:
                cycle.transport = prefixed.transport
        else:
            await send(cycle, message)

    setattr(send_whole, _PATCHED, True)
    return send_whole


def hold_headers_until_body() -> None:
    """Patch uvicorn (httptools and h11 cycles) in this process; calling it again is a no-op."""
    from uvicorn.protocols.http import h11_impl

    cycles = [h11_impl.RequestResponseCycle]
    try:
        from uvicorn.protocols.http import httptools_impl
    except ImportError:  # httptools is optional for uvicorn
        pass
    else:
        cycles.append(httptools_impl.RequestResponseCycle)
    for cycle in cycles:
        if not getattr(cycle.send, _PATCHED, False):
            cycle.send = _holding(cycle.send)
