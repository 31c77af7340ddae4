"""ASGI middleware refusing request bodies over a size limit with 413, before parsing."""

from __future__ import annotations

from collections.abc import Callable

from daas.deployments.http_responses import error_response
from daas.deployments.request_payload import too_large


class BodySizeLimit:
    """Reject bodies larger than ``limit_for(path)`` bytes, by header or while streaming."""

    def __init__(self, app, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await error_response(too_large(int(declared), limit))(scope, receive, send)
            return
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(seen, limit)
            return message

        await self.app(scope, limited_receive, send)

