"""ASGI middleware checking a user token from the headers, before a request's body is read.

FastAPI reads and parses a body before it resolves a route's dependencies, so a ``Caller``
dependency alone lets anyone without a token make the platform read and parse a large body.
Requests to routes that take a user token are authenticated here instead; the principal is
kept in the request's state, where the ``Caller`` dependency finds it. Uploads, the only
large bodies of those routes, are also refused here when the caller may not create in the
group they name.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from daas.deployments.http_responses import error_response
from daas.errors import DaasError, InvalidInput
from daas.platform.access.policy import Action, Principal, check

#: The request-state key holding the authenticated ``Principal``.
PRINCIPAL = "principal"
#: Under ``/api/v1``, where a service's own key is accepted too (the gateway checks it).
_SERVICE_CALLS = ("/api/v1/svc/", "/api/v1/requests/")
#: Routes whose bodies are files (up to the upload and dataset limits); they create in a group.
UPLOADS = frozenset({"/api/v1/models", "/api/v1/datasets"})
#: The lengths a ``group`` query parameter may have (``deps.GroupName`` declares the same).
GROUP_NAME_LENGTH = range(1, 65)


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
        container = scope["app"].state.container
        try:
            principal = await run_in_threadpool(container.tokens.authenticate,
                                                bearer_secret(Headers(scope=scope)))
            if scope["method"] == "POST" and scope["path"].rstrip("/") in UPLOADS:
                await run_in_threadpool(_may_upload, container.groups, principal,
                                        scope["query_string"])
        except DaasError as exc:
            await error_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})[PRINCIPAL] = principal
        await self.app(scope, receive, send)


def _may_upload(groups, principal: Principal, query_string: bytes) -> None:
    """Raise unless ``principal`` may create in the group the query names (or their default)."""
    names = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("group")
    name = names[-1] if names else None
    if name is not None and len(name) not in GROUP_NAME_LENGTH:
        raise InvalidInput(f"group: a name has {GROUP_NAME_LENGTH.start} to {GROUP_NAME_LENGTH.stop - 1} characters",
                           field="group")
    check(principal, groups.scope(principal, name), Action.CREATE)
