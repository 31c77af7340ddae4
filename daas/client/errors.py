"""Failed responses as :mod:`daas.errors` types, so callers handle one hierarchy."""

from __future__ import annotations

import httpx

from daas.errors import (
    BadRequest,
    Conflict,
    DaasError,
    Forbidden,
    InternalError,
    InvalidInput,
    NotFound,
    Overloaded,
    PayloadTooLarge,
    Timeout,
    Unauthenticated,
    Unavailable,
    error_from_body,
)


class PlatformUnreachable(Unavailable):
    """Nothing answers at the platform's URL (not started, wrong address, network down)."""


_STATUS_ERRORS: dict[int, type[DaasError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: InvalidInput,
    429: Overloaded,
    503: Unavailable,
    504: Timeout,
}


def error_for_response(response: httpx.Response) -> DaasError:
    """A typed error for a failed response, with or without the API's error envelope."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return error_from_body(response.status_code, body)
    # Not our envelope: a proxy, a load balancer or a framework default page answered.
    if isinstance(body, dict) and "detail" in body:
        message, details = str(body["detail"]), body["detail"]
    else:
        message, details = response.text.strip()[:200] or response.reason_phrase, None
    status = response.status_code
    cls = _STATUS_ERRORS.get(status, InternalError if status >= 500 else BadRequest)
    return cls(f"HTTP {status}: {message}", details=details)
