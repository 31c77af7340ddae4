"""Calling services through the platform: paused/unknown fall-through, Open Inference v2,
and the status of wait-return (async) requests.

Serve routes ``/api/v1/svc/<name>`` straight to the service's replicas while it runs; when
it does not, the request falls through to this app, which says why.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from daas.errors import DaasError, NotFound, Unavailable
from daas.platform.auth import hash_token
from daas.platform.request_body import parse_json
from daas.platform.services.manager import app_name
from daas.platform.services.tables import AsyncRequest, Service

router = APIRouter(tags=["inference"])
_bearer = HTTPBearer(auto_error=False)
_V2_TYPES = {"float": "FP32", "double": "FP64", "int64": "INT64", "int32": "INT32", "integer": "INT64",
             "string": "BYTES", "bool": "BOOL", "boolean": "BOOL", "float16": "FP16", "uint8": "UINT8",
             "int8": "INT8", "int16": "INT16"}


def _service_row(request: Request, name: str) -> Service:
    try:
        return request.app.state.services.row(name)
    except NotFound:
        raise NotFound(f"unknown service {name!r}") from None


def _authorize(request: Request, service: Service | None,
               credentials: HTTPAuthorizationCredentials | None) -> None:
    """A user token, or the service's own key."""
    secret = credentials.credentials if credentials else None
    if secret and service is not None and hash_token(secret) == service.key_hash:
        return
    request.app.state.tokens.authenticate(secret)


def _not_serving(service: Service) -> Unavailable:
    if service.desired == "paused":
        return Unavailable(f"service {service.name!r} is paused; resume it to serve requests",
                           details={"state": service.state})
    if service.desired == "deleted":
        return Unavailable(f"service {service.name!r} is being deleted", details={"state": service.state})
    if service.state == "running":
        # Serve runs it, but its HTTP ingress has not picked up the new route yet.
        return Unavailable(f"service {service.name!r} is starting to take traffic; retry in a few seconds",
                           details={"state": service.state})
    reason = f": {service.reason}" if service.reason else ""
    return Unavailable(f"service {service.name!r} is {service.state}, not serving yet{reason}",
                       details={"state": service.state, "reason": service.reason})


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@router.api_route("/api/v1/svc/{name}/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
def service_not_running(name: str, request: Request, credentials: Credentials) -> None:
    """Reached only when Serve has no running application for the service."""
    try:
        service = _service_row(request, name)
    except NotFound:
        _authorize(request, None, credentials)  # strangers learn nothing about names
        raise
    _authorize(request, service, credentials)
    raise _not_serving(service)


@router.get("/api/v1/requests/{request_id}", summary="Status and result of an async request")
def async_request(request_id: str, request: Request, credentials: Credentials) -> dict[str, Any]:
    """queued | running | succeeded | failed, with the result or error when finished.

    Readable with a user token or the key of the service that took the request.
    """
    with request.app.state.db.read() as session:
        row = session.get(AsyncRequest, request_id)
        service = session.exec(select(Service).where(Service.name == row.service_name)).first() if row else None
    _authorize(request, service, credentials)
    if row is None:
        raise NotFound(f"no request {request_id!r} (finished requests are kept for a limited time)")
    return {"id": row.id, "service": row.service_name, "status": row.status, "result": row.result,
            "error": row.error, "created": row.created, "started": row.started,
            "finished": row.finished, "attempts": row.attempts}


# --- Open Inference Protocol v2 -------------------------------------------------------

@router.get("/v2/health/live", tags=["v2"], summary="v2 liveness")
def v2_live() -> dict[str, bool]:
    """The inference server answers."""
    return {"live": True}


@router.get("/v2/health/ready", tags=["v2"], summary="v2 readiness")
def v2_ready(request: Request) -> dict[str, bool]:
    """Ready when the platform's model workers are."""
    return {"ready": bool(request.app.state.worker.ready())}


def _v2_tensor(variable: dict[str, Any]) -> dict[str, Any]:
    shape = variable.get("shape") or [-1]
    return {"name": variable["name"], "datatype": _V2_TYPES.get(str(variable["dtype"]).lower(), "BYTES"),
            "shape": [-1 if d is None else d for d in shape]}


def _v2_metadata(request: Request, name: str, version: str | None) -> tuple[Service, dict[str, Any]]:
    service = _service_row(request, name)
    if version is not None and version != str(service.model_version):
        raise NotFound(f"service {name!r} serves version {service.model_version}, not {version}")
    schema = request.app.state.registry.schema(service.model_name, service.model_version).model_dump()
    metadata = {
        "name": name, "versions": [str(service.model_version)],
        "platform": f"daas/{schema['engine'].split()[0]}",
        "inputs": [_v2_tensor(v) for v in schema["inputs"]],
        "outputs": [_v2_tensor(v) for v in schema["outputs"] or schema["targets"]],
    }
    return service, metadata


@router.get("/v2/models/{name}", tags=["v2"], summary="v2 model metadata")
@router.get("/v2/models/{name}/versions/{version}", tags=["v2"], summary="v2 model metadata")
def v2_model(name: str, request: Request, credentials: Credentials, version: str | None = None) -> dict[str, Any]:
    """Name, version, platform, input and output tensors of the service's model."""
    service, metadata = _v2_metadata(request, name, version)
    _authorize(request, service, credentials)
    return metadata


@router.get("/v2/models/{name}/ready", tags=["v2"], summary="v2 model readiness")
@router.get("/v2/models/{name}/versions/{version}/ready", tags=["v2"], summary="v2 model readiness")
def v2_model_ready(name: str, request: Request, credentials: Credentials,
                   version: str | None = None) -> dict[str, Any]:
    """200 when the service is running, 503 otherwise."""
    service, _ = _v2_metadata(request, name, version)
    _authorize(request, service, credentials)
    if service.state != "running" or service.desired != "running":
        raise _not_serving(service)
    return {"name": name, "ready": True}


@router.post("/v2/models/{name}/infer", tags=["v2"], summary="v2 inference")
@router.post("/v2/models/{name}/versions/{version}/infer", tags=["v2"], summary="v2 inference")
async def v2_infer(name: str, request: Request, credentials: Credentials,
                   version: str | None = None) -> dict[str, Any]:
    """An Open Inference Protocol v2 request, answered by the service's replicas."""
    service, _ = await run_in_threadpool(_v2_metadata, request, name, version)
    await run_in_threadpool(_authorize, request, service, credentials)
    if service.desired != "running":
        raise _not_serving(service)
    body = parse_json(await request.body())
    handle = request.app.state.serve.handle(app_name(name))
    try:
        return await handle.infer_v2.remote(body)
    except DaasError as exc:  # raised by the replica; Ray wraps it, the cause is the original
        cause = getattr(exc, "cause", None)
        raise cause if isinstance(cause, DaasError) else exc from None
    except Exception as exc:  # noqa: BLE001 - anything else: the service could not answer
        raise Unavailable(f"service {name!r} did not answer: {type(exc).__name__}") from exc


