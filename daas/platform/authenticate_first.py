"""ASGI middleware checking a user token from the headers, before a request's body is read.

FastAPI reads and parses a body before it resolves a route's dependencies, so a ``Caller``
dependency alone lets anyone without a token make the platform read and parse a large body.
Requests to routes that take a user token are authenticated here instead; the principal is
kept in the request's state, where the ``Caller`` dependency finds it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from daas.deployments.http_responses import error_response
from daas.errors import DaasError

#: The request-state key holding the authenticated ``Principal``.
PRINCIPAL = "principal"
#: Under ``/api/v1``, where a service's own key is accepted too (the gateway checks it).
_SERVICE_CALLS = ("/api/v1/svc/", "/api/v1/requests/")


def takes_user_token(path: str) -> bool:
    """Whether requests to ``path`` need a user token (every ``/api/v1`` route but calls to
    services and async results; health probes, ``/v2`` and the web UI are outside)."""
    return path.startswith("/api/v1/") and not path.startswith(_SERVICE_CALLS)


def bearer_secret(headers: Headers) -> str | None:
    """The secret of an ``Authorization: Bearer <secret>`` header, if there is one."""
    scheme, _, secret = headers.get("authorization", "").partition(" ")
    return secret.strip() or None if scheme.lower() == "bearer" else None


class AuthenticateFirst:
    """Refuse a request without a valid user token before the app reads its body."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not takes_user_token(scope["path"]):
            await self.app(scope, receive, send)
            return
        tokens = scope["app"].state.container.tokens
        try:
            principal = await run_in_threadpool(tokens.authenticate, bearer_secret(Headers(scope=scope)))
        except DaasError as exc:
            await error_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})[PRINCIPAL] = principal
        await self.app(scope, receive, send)
