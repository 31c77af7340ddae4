"""Exception handlers rendering every platform error as ``{"error": {...}}`` JSON.

Typed errors render through ``daas.deployments.http_responses.error_response``, the same
function the model replicas use, so status and headers agree across both.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from daas.deployments.http_responses import error_response, json_response
from daas.errors import DaasError, InternalError, InvalidInput

log = logging.getLogger("daas.api")

_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 429: "too_many_requests", 503: "unavailable"}


def _validation_message(exc: RequestValidationError) -> InvalidInput:
    problems = []
    for item in exc.errors():
        location = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "header")]
        problems.append({"field": ".".join(location) or None, "message": item.get("msg", "")})
    first = problems[0] if problems else {"field": None, "message": "invalid request"}
    text = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return InvalidInput(text, field=first["field"], details={"errors": problems})


def _unstorable(exc: DataError) -> InvalidInput:
    # The driver's reason: a NUL character in text (PostgreSQL cannot store it), a number out
    # of range... A value the caller sent, so a 422, never the 500 of an unexpected error.
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "invalid value"
    return InvalidInput(f"the database refused a value: {reason}")


def install_error_handlers(app: FastAPI) -> None:
    """Map DaasError, request validation, HTTP and unexpected errors to JSON bodies."""

    @app.exception_handler(DaasError)
    async def _daas(_request: Request, exc: DaasError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> Response:
        return error_response(_validation_message(exc))

    @app.exception_handler(DataError)
    async def _data(_request: Request, exc: DataError) -> Response:
        return error_response(_unstorable(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        body = {"error": {"code": _HTTP_CODES.get(exc.status_code, "http_error"),
                          "message": str(exc.detail), "details": None}}
        return json_response(body, exc.status_code, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(InternalError(f"internal error ({type(exc).__name__}); see the platform log"))
