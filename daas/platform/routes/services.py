"""Online services: deploy form, lifecycle, replicas, events, logs, traffic, snippets.

A service belongs to one group. It is created in the ``group`` parameter's group (default:
the caller's), found by its platform-unique name, and every act is checked against its own
group: reading needs read; redeploying, scaling and resuming need change; pausing and
deleting need change on services the caller deployed and manage on anyone else's.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from daas.platform.access.policy import Action, GroupRef, Principal, check
from daas.platform.deps import Audit, Caller, GroupName, Groups, Observer, Registry, Scope, Services
from daas.platform.services.manager import ServiceManager
from daas.platform.services.schemas import (
    ServiceCreate,
    ServiceCreated,
    ServiceEventPublic,
    ServicePublic,
    ServiceUpdate,
)
from daas.platform.services.snippets import openapi_document, snippets

router = APIRouter(prefix="/api/v1/services", tags=["services"])


def _allow(principal: Principal, services: ServiceManager, name: str, action: Action) -> GroupRef:
    """The service's group, once ``principal`` may do ``action`` to the service."""
    group = services.group_of(name)
    owner = services.row(name).created_by if action in (Action.STOP, Action.DELETE) else None
    check(principal, group, action, owner=owner)
    return group


@router.post("", status_code=201, response_model=ServiceCreated, summary="Deploy a model version")
def deploy(form: ServiceCreate, principal: Caller, group: Scope, services: Services,
           audit: Audit) -> ServiceCreated:
    """Create the service from a model of ``group``; it becomes the Serve application
    ``svc-<name>`` (service names are unique across the platform)."""
    check(principal, group, Action.CREATE)
    created = services.create(group, form, principal.name)
    audit.record(principal, group, "deploy", "service", created.name,
                 model=created.model, version=created.version)
    return created


@router.get("", response_model=list[ServicePublic], summary="List services")
def list_services(principal: Caller, services: Services, groups: Groups,
                  group: GroupName = None) -> list[ServicePublic]:
    """The services of ``group``, or of every group the caller may read, with their state."""
    return services.list(groups.readable(principal, group))


@router.get("/{name}", response_model=ServicePublic, summary="One service")
def get_service(name: str, principal: Caller, services: Services, observer: Observer) -> ServicePublic:
    """URL, model and version, resources, state and running replicas."""
    _allow(principal, services, name, Action.READ)
    service = services.get(name)
    return service.model_copy(update={"replicas_running": len(observer.running_replicas(name))})


@router.patch("/{name}", response_model=ServicePublic, summary="Scale, resize or switch version")
def update(name: str, form: ServiceUpdate, principal: Caller, services: Services,
           audit: Audit) -> ServicePublic:
    """A rolling update: new replicas start before old ones stop."""
    group = _allow(principal, services, name, Action.CHANGE)
    updated = services.update(name, form, principal.name)
    action = "scale" if form.model_fields_set <= {"replicas", "autoscaling"} else "update"
    audit.record(principal, group, action, "service", name,
                 fields=sorted(form.model_fields_set), version=updated.version)
    return updated


@router.post("/{name}/rollback", response_model=ServicePublic, summary="Back to the previous version")
def rollback(name: str, principal: Caller, services: Services, audit: Audit) -> ServicePublic:
    """Swap the current and the previous model version."""
    group = _allow(principal, services, name, Action.CHANGE)
    service = services.rollback(name, principal.name)
    audit.record(principal, group, "rollback", "service", name, version=service.version)
    return service


@router.post("/{name}/pause", response_model=ServicePublic, summary="Pause")
def pause(name: str, principal: Caller, services: Services, audit: Audit) -> ServicePublic:
    """Stop serving, keep the service: once this answers, every call is refused (503, paused),
    then the replicas are removed. Your own with change, anyone's with manage."""
    group = _allow(principal, services, name, Action.STOP)
    service = services.pause(name, principal.name)
    audit.record(principal, group, "pause", "service", name)
    return service


@router.post("/{name}/resume", response_model=ServicePublic, summary="Resume")
def resume(name: str, principal: Caller, services: Services, audit: Audit) -> ServicePublic:
    """Deploy a paused service again at the same URL."""
    group = _allow(principal, services, name, Action.CHANGE)
    service = services.resume(name, principal.name)
    audit.record(principal, group, "resume", "service", name)
    return service


@router.delete("/{name}", status_code=202, response_model=ServicePublic, summary="Delete")
def delete(name: str, principal: Caller, services: Services, audit: Audit) -> ServicePublic:
    """Refuse every call at once (503), remove the application, then the service (404 once
    gone). Your own with change, anyone's with manage."""
    group = _allow(principal, services, name, Action.DELETE)
    service = services.delete(name, principal.name)
    audit.record(principal, group, "delete", "service", name)
    return service


@router.post("/{name}/key", summary="Rotate the service's API key")
def rotate_key(name: str, principal: Caller, services: Services, audit: Audit) -> dict[str, str]:
    """A new key; the old one stops working within seconds."""
    group = _allow(principal, services, name, Action.CHANGE)
    key = services.rotate_key(name)
    audit.record(principal, group, "rotate_key", "service", name)
    return {"api_key": key}


@router.get("/{name}/events", response_model=list[ServiceEventPublic], summary="Events")
def events(name: str, principal: Caller, services: Services,
           limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[ServiceEventPublic]:
    """Transitions and incidents, newest first."""
    _allow(principal, services, name, Action.READ)
    return services.events(name, limit)


@router.get("/{name}/replicas", summary="Replicas")
def replicas(name: str, principal: Caller, services: Services, observer: Observer) -> list[dict[str, Any]]:
    """Replica id, state, node, pid, start time and requests served."""
    _allow(principal, services, name, Action.READ)
    return observer.replicas(name)


@router.post("/{name}/replicas/{replica_id}/restart", status_code=202, summary="Restart a replica")
def restart_replica(name: str, replica_id: str, principal: Caller, services: Services,
                    observer: Observer, audit: Audit) -> dict[str, str]:
    """Stop one replica; Serve starts a replacement."""
    group = _allow(principal, services, name, Action.CHANGE)
    observer.restart_replica(name, replica_id)
    audit.record(principal, group, "restart", "service", name, replica=replica_id)
    return {"replica_id": replica_id}


@router.get("/{name}/logs", summary="Replica logs")
def logs(name: str, principal: Caller, services: Services, observer: Observer,
         tail: Annotated[int, Query(ge=1, le=5000)] = 100) -> dict[str, Any]:
    """The last lines of each live replica's log."""
    _allow(principal, services, name, Action.READ)
    return observer.logs(name, tail)


@router.get("/{name}/metrics", summary="Traffic, errors and latency")
def metrics(name: str, principal: Caller, services: Services, observer: Observer,
            window: Literal["minute", "hour"] = "minute") -> dict[str, Any]:
    """Requests, errors, rate and latency percentiles, in total and as a time series."""
    _allow(principal, services, name, Action.READ)
    return observer.traffic(name, window)


@router.get("/{name}/snippets", summary="Ready-made calls")
def service_snippets(name: str, principal: Caller, services: Services, registry: Registry) -> dict[str, str]:
    """curl, Python requests and Serve-handle snippets with an example body."""
    group = _allow(principal, services, name, Action.READ)
    service = services.get(name)
    return snippets(name, service.url, registry.schema(group.id, service.model, service.version))


@router.get("/{name}/openapi.json", summary="The service's own OpenAPI document")
def service_openapi(name: str, principal: Caller, services: Services, registry: Registry) -> JSONResponse:
    """Predict endpoint with a request example built from the model's schema."""
    group = _allow(principal, services, name, Action.READ)
    service = services.get(name)
    schema = registry.schema(group.id, service.model, service.version)
    return JSONResponse(openapi_document(name, service.model, service.version, schema, service.url))
