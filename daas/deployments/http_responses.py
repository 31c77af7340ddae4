"""Starlette responses: JSON, encoded bodies, and every error as ``{"error": {...}}``.

Both the platform ingress and the model replicas render errors with ``error_response``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from daas.errors import DaasError, MethodNotAllowed, Overloaded
from daas.runtimes.jsonready import json_ready

JSON = "application/json"
CSV = "text/csv; charset=utf-8"


def json_bytes(body: Any) -> bytes:
    """Compact JSON; NaN and infinities (which JSON lacks) become ``null``."""
    try:
        text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:
        text = json.dumps(json_ready(body), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"))
    return text.encode()


def json_response(body: Any, status_code: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(json_bytes(body), status_code=status_code, headers=headers, media_type=JSON)


def encoded_response(content: bytes, media_type: str) -> Response:
    """A 200 response around an already encoded body."""
    return Response(content, media_type=media_type)


def error_response(error: DaasError) -> Response:
    """The JSON error body with the error's status and the headers it calls for."""
    return json_response(error.to_body(), error.status_code, error_headers(error) or None)


def error_headers(error: DaasError) -> dict[str, str]:
    """``WWW-Authenticate`` for 401, ``Retry-After`` when overloaded, ``Allow`` for 405."""
    if error.status_code == 401:
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, Overloaded):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, MethodNotAllowed) and isinstance(error.details, dict):
        return {"Allow": ", ".join(error.details.get("allowed", []))}
    return {}
