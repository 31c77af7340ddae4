"""Render every error as ``{"error": {"code", "message", "details"}}`` with its status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from daas.errors import DaasError, InternalError, InvalidInput, Overloaded

log = logging.getLogger("daas.api")

_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 429: "too_many_requests", 503: "unavailable"}


def error_response(error: DaasError) -> JSONResponse:
    """The JSON response for a platform error."""
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Overloaded) else None
    if error.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return JSONResponse(error.to_body(), status_code=error.status_code, headers=headers)


def _validation_message(exc: RequestValidationError) -> InvalidInput:
    problems = []
    for item in exc.errors():
        location = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "header")]
        problems.append({"field": ".".join(location) or None, "message": item.get("msg", "")})
    first = problems[0] if problems else {"field": None, "message": "invalid request"}
    text = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return InvalidInput(text, field=first["field"], details={"errors": problems})


def install_error_handlers(app: FastAPI) -> None:
    """Map DaasError, request validation, HTTP and unexpected errors to JSON bodies."""

    @app.exception_handler(DaasError)
    async def _daas(_request: Request, exc: DaasError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(_validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = {"error": {"code": _HTTP_CODES.get(exc.status_code, "http_error"),
                          "message": str(exc.detail), "details": None}}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(InternalError(f"internal error ({type(exc).__name__}); see the platform log"))
