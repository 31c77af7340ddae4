"""Serves the built web UI: ``index.html`` for page routes, the files Vite built beside it.

Mounted last at ``/``: it only sees what no API route took. API paths (``/api``, ``/v2``)
and anything but GET/HEAD stay JSON 404s, so the UI never masks an API mistake.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from daas.deployments.http_responses import error_response
from daas.errors import NotFound

_API_PREFIXES = ("/api/", "/v2/")
_NOT_BUILT = """<!doctype html><title>DaaS-Deployer</title>
<p>The web UI is not built. Run <code>make run</code> (or <code>cd ui && npm ci && npm run build</code>);
the API is at <a href="/docs">/docs</a>.</p>"""


class WebUI:
    """ASGI app answering page routes with the single-page app in ``ui_dir``."""

    def __init__(self, ui_dir: Path) -> None:
        self.ui_dir = ui_dir.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await self.respond(Request(scope)).__call__(scope, receive, send)

    def respond(self, request: Request) -> Response:
        """The file, the page, or a JSON 404 for what is not a page."""
        path = request.url.path
        if request.method not in ("GET", "HEAD") or path.startswith(_API_PREFIXES) or path in ("/api", "/v2"):
            return error_response(NotFound(f"no route {request.method} {path}"))
        file = (self.ui_dir / path.lstrip("/")).resolve()
        if path != "/" and file.is_file() and file.is_relative_to(self.ui_dir):
            # Vite puts a content hash in every asset name: they never change.
            immutable = path.startswith("/assets/")
            return FileResponse(file, headers={"Cache-Control": "public, max-age=31536000, immutable"}
                                if immutable else None)
        index = self.ui_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503)
        # The page itself is never cached: a new build changes the asset names it points at.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
