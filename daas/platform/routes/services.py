"""Online services: deploy form, lifecycle, replicas, events, logs, traffic, snippets."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from daas.platform.deps import Editor, Observer, Registry, Services, Viewer
from daas.platform.services.schemas import (
    ServiceCreate,
    ServiceCreated,
    ServiceEventPublic,
    ServicePublic,
    ServiceUpdate,
)
from daas.platform.services.snippets import openapi_document, snippets

router = APIRouter(prefix="/api/v1/services", tags=["services"])


@router.post("", status_code=201, response_model=ServiceCreated, summary="Deploy a model version")
def deploy(form: ServiceCreate, principal: Editor, services: Services) -> ServiceCreated:
    """Create the service; it becomes the Serve application ``svc-<name>``."""
    return services.create(form, principal.name)


@router.get("", response_model=list[ServicePublic], summary="List services")
def list_services(_principal: Viewer, services: Services) -> list[ServicePublic]:
    """Every service with its state."""
    return services.list()


@router.get("/{name}", response_model=ServicePublic, summary="One service")
def get_service(name: str, _principal: Viewer, services: Services, observer: Observer) -> ServicePublic:
    """URL, model and version, resources, state and running replicas."""
    service = services.get(name)
    return service.model_copy(update={"replicas_running": len(observer.running_replicas(name))})


@router.patch("/{name}", response_model=ServicePublic, summary="Scale, resize or switch version")
def update(name: str, form: ServiceUpdate, principal: Editor, services: Services) -> ServicePublic:
    """A rolling update: new replicas start before old ones stop."""
    return services.update(name, form, principal.name)


@router.post("/{name}/rollback", response_model=ServicePublic, summary="Back to the previous version")
def rollback(name: str, principal: Editor, services: Services) -> ServicePublic:
    """Swap the current and the previous model version."""
    return services.rollback(name, principal.name)


@router.post("/{name}/pause", response_model=ServicePublic, summary="Pause")
def pause(name: str, principal: Editor, services: Services) -> ServicePublic:
    """Remove the Serve application, keep the service; calls answer 503."""
    return services.pause(name, principal.name)


@router.post("/{name}/resume", response_model=ServicePublic, summary="Resume")
def resume(name: str, principal: Editor, services: Services) -> ServicePublic:
    """Deploy a paused service again at the same URL."""
    return services.resume(name, principal.name)


@router.delete("/{name}", status_code=202, response_model=ServicePublic, summary="Delete")
def delete(name: str, principal: Editor, services: Services) -> ServicePublic:
    """Remove the application and then the service (404 once gone)."""
    return services.delete(name, principal.name)


@router.post("/{name}/key", summary="Rotate the service's API key")
def rotate_key(name: str, _principal: Editor, services: Services) -> dict[str, str]:
    """A new key; the old one stops working within seconds."""
    return {"api_key": services.rotate_key(name)}


@router.get("/{name}/events", response_model=list[ServiceEventPublic], summary="Events")
def events(name: str, _principal: Viewer, services: Services,
           limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[ServiceEventPublic]:
    """Transitions and incidents, newest first."""
    return services.events(name, limit)


@router.get("/{name}/replicas", summary="Replicas")
def replicas(name: str, _principal: Viewer, services: Services, observer: Observer) -> list[dict[str, Any]]:
    """Replica id, state, node, pid, start time and requests served."""
    services.get(name)
    return observer.replicas(name)


@router.post("/{name}/replicas/{replica_id}/restart", status_code=202, summary="Restart a replica")
def restart_replica(name: str, replica_id: str, _principal: Editor, services: Services,
                    observer: Observer) -> dict[str, str]:
    """Stop one replica; Serve starts a replacement."""
    services.get(name)
    observer.restart_replica(name, replica_id)
    return {"replica_id": replica_id}


@router.get("/{name}/logs", summary="Replica logs")
def logs(name: str, _principal: Viewer, services: Services, observer: Observer,
         tail: Annotated[int, Query(ge=1, le=5000)] = 100) -> dict[str, Any]:
    """The last lines of each live replica's log."""
    services.get(name)
    return observer.logs(name, tail)


@router.get("/{name}/metrics", summary="Traffic, errors and latency")
def metrics(name: str, _principal: Viewer, services: Services, observer: Observer,
            window: Literal["minute", "hour"] = "minute") -> dict[str, Any]:
    """Requests, errors, rate and latency percentiles, in total and as a time series."""
    services.get(name)
    return observer.traffic(name, window)


@router.get("/{name}/snippets", summary="Ready-made calls")
def service_snippets(name: str, _principal: Viewer, services: Services, registry: Registry) -> dict[str, str]:
    """curl, Python requests and Serve-handle snippets with an example body."""
    service = services.get(name)
    return snippets(name, service.url, registry.schema(service.model, service.version))


@router.get("/{name}/openapi.json", summary="The service's own OpenAPI document")
def service_openapi(name: str, _principal: Viewer, services: Services, registry: Registry) -> JSONResponse:
    """Predict endpoint with a request example built from the model's schema."""
    service = services.get(name)
    schema = registry.schema(service.model, service.version)
    return JSONResponse(openapi_document(name, service.model, service.version, schema, service.url))
