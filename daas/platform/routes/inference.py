"""Calling services through the platform: paused/unknown fall-through, Open Inference v2,
and the status of wait-return (async) requests. HTTP only: the gateway decides.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from daas.codecs.json_document import parse_json
from daas.codecs.media import JSON_MEDIA_TYPE, require_media_type
from daas.platform.deps import BearerSecret, Gateway, LargeRequests

router = APIRouter(tags=["inference"])


@router.api_route("/api/v1/svc/{name}/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
def service_not_running(name: str, gateway: Gateway, secret: BearerSecret) -> None:
    """Reached only when Serve has no running application for the service."""
    raise gateway.refuse(name, secret)


@router.get("/api/v1/requests/{request_id}", summary="Status and result of an async request")
def async_request(request_id: str, gateway: Gateway, secret: BearerSecret) -> dict[str, Any]:
    """queued | running | succeeded | failed, with the result or error when finished.

    Readable with a user token or the key of the service that took the request.
    """
    return gateway.async_status(request_id, secret)


# --- Open Inference Protocol v2 -------------------------------------------------------

@router.get("/v2/health/live", tags=["v2"], summary="v2 liveness")
def v2_live() -> dict[str, bool]:
    """The inference server answers."""
    return {"live": True}


@router.get("/v2/health/ready", tags=["v2"], summary="v2 readiness")
def v2_ready(gateway: Gateway) -> dict[str, bool]:
    """Ready when the platform's model workers are."""
    return {"ready": gateway.workers_ready()}


@router.get("/v2/models/{name}", tags=["v2"], summary="v2 model metadata")
@router.get("/v2/models/{name}/versions/{version}", tags=["v2"], summary="v2 model metadata")
def v2_model(name: str, gateway: Gateway, secret: BearerSecret, version: str | None = None) -> dict[str, Any]:
    """Name, version, platform, input and output tensors of the service's model."""
    return gateway.v2_metadata(name, version, secret)


@router.get("/v2/models/{name}/ready", tags=["v2"], summary="v2 model readiness")
@router.get("/v2/models/{name}/versions/{version}/ready", tags=["v2"], summary="v2 model readiness")
def v2_model_ready(name: str, gateway: Gateway, secret: BearerSecret,
                   version: str | None = None) -> dict[str, Any]:
    """200 when the service is running, 503 otherwise."""
    return gateway.v2_ready(name, version, secret)


@router.post("/v2/models/{name}/infer", tags=["v2"], summary="v2 inference")
@router.post("/v2/models/{name}/versions/{version}/infer", tags=["v2"], summary="v2 inference")
async def v2_infer(name: str, request: Request, gateway: Gateway, secret: BearerSecret,
                   large_requests: LargeRequests, version: str | None = None) -> dict[str, Any]:
    """An Open Inference Protocol v2 request, answered by the service's replicas.

    The caller is checked first; then the body must be JSON (415 otherwise), nested at most
    64 levels deep (400), with finite numbers only (422 naming the input and row). It is
    parsed in a thread; while ``max_large_requests`` bodies of 1 MiB or more are, another
    large one gets 429.
    """
    target = await run_in_threadpool(gateway.v2_target, name, version, secret)
    require_media_type(request.headers.get("content-type"), (JSON_MEDIA_TYPE,))
    body = await request.body()
    async with large_requests.slot(len(body)):
        return await gateway.v2_infer(target, await run_in_threadpool(parse_json, body))
