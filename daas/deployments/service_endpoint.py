"""The HTTP face of a model service, below its route prefix ``/api/v1/svc/<name>``.

- ``POST /predict`` — JSON, CSV (``text/csv``) or a form with a ``file`` (other
  Content-Types are 415; JSON nested deeper than 64 levels is 400); ``?format=csv``
  (or ``Accept: text/csv``) answers CSV; ``?mode=async`` answers 202 with a request id.
- ``GET /`` and ``GET /metadata`` — the service's inputs and outputs.

Every request needs ``Authorization: Bearer <token>`` (the service key or a user token),
is refused with 503 once the service is paused or being deleted, is counted in the
replica's traffic, and every error is ``{"error": {...}}`` JSON.
"""

from __future__ import annotations

import logging
import time

from starlette.requests import Request
from starlette.responses import Response

from daas.codecs.media import is_csv
from daas.deployments.http_responses import (
    encoded_response,
    error_response,
    json_response,
)
from daas.deployments.model_service import FORMATS, ModelService
from daas.deployments.request_payload import check_content_type, read_body, unpack
from daas.errors import BadRequest, DaasError, InternalError, MethodNotAllowed, NotFound

log = logging.getLogger("daas.model_server")

_MODES = ("sync", "async")
_ROUTES = {"/predict": "POST", "/": "GET", "/metadata": "GET"}
REQUESTS_URL = "/api/v1/requests"


def relative_path(scope: dict) -> str:
    """The request path below the application's route prefix, without a trailing slash."""
    path, root = scope.get("path") or "/", scope.get("root_path") or ""
    if root and (path == root or path.startswith(root.rstrip("/") + "/")):
        path = path[len(root.rstrip("/")):]
    return path.rstrip("/") or "/"


class ServiceEndpoint:
    """Routes a Starlette request to a ``ModelService`` and renders the answer."""

    def __init__(self, service: ModelService) -> None:
        self.service = service

    async def __call__(self, request: Request) -> Response:
        """Answer one request; never raises."""
        started = time.perf_counter()
        try:
            response = await self._answer(request)
        except DaasError as exc:
            response = error_response(exc)
        except Exception:  # noqa: BLE001 - a bug must still answer JSON without a traceback
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = error_response(InternalError("internal error; see the replica log"))
        self.service.counter.record((time.perf_counter() - started) * 1000, response.status_code)
        return response

    async def _answer(self, request: Request) -> Response:
        caller = await self.service.auth.authenticate(request.headers.get("authorization"))
        self.service.check_open()
        path = relative_path(request.scope)
        method = _ROUTES.get(path)
        if method is None:
            raise NotFound(f"no such endpoint: {request.method} {path} (use POST /predict, "
                           "GET /metadata)")
        if request.method != method:
            raise MethodNotAllowed(f"{path} takes {method}, not {request.method}",
                                   details={"allowed": [method]})
        if path != "/predict":
            return json_response(self.service.metadata())
        return await self._predict(request, caller)

    async def _predict(self, request: Request, caller: str) -> Response:
        fmt = _response_format(request)
        mode = request.query_params.get("mode", "sync").lower()
        if mode not in _MODES:
            raise BadRequest(f"mode must be one of {', '.join(_MODES)}, not {mode!r}")
        content_type = request.headers.get("content-type")
        check_content_type(content_type)
        body = await read_body(request, self.service.config.max_request_bytes)
        if mode == "async":
            request_id = await self.service.submit_async(body, content_type, fmt, caller)
            status_url = f"{REQUESTS_URL}/{request_id}"
            return json_response({"id": request_id, "status": "queued", "status_url": status_url},
                                 202, {"Location": status_url})
        content, media = await self.service.predict_encoded(await unpack(body, content_type), fmt)
        return encoded_response(content, media)


def _response_format(request: Request) -> str:
    fmt = request.query_params.get("format")
    if fmt is None:
        preferred = (request.headers.get("accept") or "").split(",")[0]
        return "csv" if is_csv(preferred) else "json"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return fmt
