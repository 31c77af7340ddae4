"""One exception hierarchy for the whole platform.

Every error a user can cause maps to an HTTP status and a stable machine-readable
code; the API renders ``{"error": {"code", "message", "details"}}`` and the CLI maps
the same classes to exit codes. Nothing in here imports FastAPI or Ray.
"""

from __future__ import annotations

from typing import Any


class DaasError(Exception):
    """Root of every error DaaS-Deployer raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_body(self) -> dict[str, Any]:
        """The JSON error body served by the API."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(DaasError):
    """The request cannot be parsed (malformed JSON, unknown content type...)."""

    status_code = 400
    code = "bad_request"


class InvalidInput(DaasError):
    """Well-formed input that does not fit: a missing field, a wrong type, an unknown category.

    ``details`` names the offending ``field`` and, for row data, the ``row`` index.
    """

    status_code = 422
    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None,
                 details: Any = None) -> None:
        merged: dict[str, Any] = dict(details or {})
        if field is not None:
            merged["field"] = field
        if row is not None:
            merged["row"] = row
        super().__init__(message, details=merged or None)
        self.field = field
        self.row = row


class InvalidModel(DaasError):
    """An uploaded model file is empty, truncated, mislabelled, hostile or cannot be loaded."""

    status_code = 422
    code = "invalid_model"


class Unauthenticated(DaasError):
    """No credentials, or credentials that are unknown or revoked."""

    status_code = 401
    code = "unauthenticated"


class Forbidden(DaasError):
    """Valid credentials whose role does not allow the action."""

    status_code = 403
    code = "forbidden"


class NotFound(DaasError):
    """The named resource does not exist."""

    status_code = 404
    code = "not_found"


class MethodNotAllowed(DaasError):
    """The path exists but not for this HTTP method; ``details["allowed"]`` lists its methods."""

    status_code = 405
    code = "method_not_allowed"


class Conflict(DaasError):
    """The action conflicts with the current state (name taken, resource in use...)."""

    status_code = 409
    code = "conflict"


class PayloadTooLarge(DaasError):
    """A request body or uploaded file exceeds the configured limit."""

    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(BadRequest):
    """A body whose Content-Type (or charset) the endpoint does not take."""

    status_code = 415
    code = "unsupported_media_type"


class Overloaded(DaasError):
    """Too many requests right now; retry later."""

    status_code = 503
    code = "overloaded"
    retry_after: int = 1  # seconds; also what an error rebuilt by ``error_from_body`` says

    def __init__(self, message: str, *, retry_after: int = 1, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class TooManyRequests(Overloaded):
    """This caller's kind of request is at its limit of concurrent ones; retry later."""

    status_code = 429
    code = "too_many_requests"


class Unavailable(DaasError):
    """A dependency (Ray, the database, a service) is not available."""

    status_code = 503
    code = "unavailable"


class Timeout(DaasError):
    """An operation did not finish within its time limit."""

    status_code = 504
    code = "timeout"


class NotImplementedHere(DaasError):
    """A feature whose code is not installed on this platform."""

    status_code = 501
    code = "not_implemented"


class InternalError(DaasError):
    """A bug or an unexpected failure; the message never carries a traceback."""

    status_code = 500
    code = "internal_error"


#: CLI exit code of every error class (0 is success, 1 an unclassified failure); the
#: classes listed here are also the ones ``error_from_body`` rebuilds by code.
EXIT_CODES: dict[type[DaasError], int] = {
    BadRequest: 2,
    InvalidInput: 2,
    InvalidModel: 2,
    MethodNotAllowed: 2,
    PayloadTooLarge: 2,
    UnsupportedMediaType: 2,
    Unauthenticated: 3,
    Forbidden: 3,
    NotFound: 4,
    Conflict: 5,
    Overloaded: 6,
    TooManyRequests: 6,
    Unavailable: 6,
    Timeout: 7,
    NotImplementedHere: 1,
    InternalError: 1,
}

_BY_CODE: dict[str, type[DaasError]] = {cls.code: cls for cls in EXIT_CODES}


def exit_code_for(error: DaasError) -> int:
    """The CLI exit code for an error."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1


def error_from_body(status_code: int, body: Any) -> DaasError:
    """Rebuild a typed error from an API error response (used by the CLI and clients)."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        cls = _BY_CODE.get(str(err.get("code")), DaasError)
        instance = DaasError.__new__(cls)
        DaasError.__init__(instance, str(err.get("message", "")), details=err.get("details"))
        return instance
    return DaasError(f"HTTP {status_code}: {body!r}")


def capture(fn, *args, fallback: type[DaasError] = InternalError, **kwargs) -> dict[str, Any]:
    """Run ``fn`` and wrap its result or error in a picklable envelope.

    Used where work crosses a process boundary (Ray tasks, replicas), so typed errors
    survive the trip; any other exception becomes ``fallback`` with its message.
    """
    try:
        return {"ok": fn(*args, **kwargs)}
    except DaasError as exc:
        return {"status": exc.status_code, **exc.to_body()}
    except Exception as exc:  # noqa: BLE001 - the boundary must never leak a raw exception
        wrapped = fallback(f"{type(exc).__name__}: {exc}")
        return {"status": wrapped.status_code, **wrapped.to_body()}


def unwrap(envelope: dict[str, Any]) -> Any:
    """The value inside a ``capture`` envelope, or its error raised again."""
    if "ok" in envelope:
        return envelope["ok"]
    raise error_from_body(int(envelope.get("status", 500)), envelope)
