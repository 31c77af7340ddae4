"""Calls to services that reach the platform app instead of a replica.

Serve routes ``/api/v1/svc/<name>`` straight to a running service's replicas; when it does
not run, the request falls through to the platform, and the gateway says why. It also
answers the Open Inference Protocol's metadata and readiness calls, forwards v2 inference
to the replicas, and reports the status of stored async requests.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from daas.codecs.tensors import v2_datatype
from daas.deployments.server_config import closed_error
from daas.errors import NotFound, Unavailable
from daas.platform.access.policy import Action, check
from daas.platform.ports import ModelWorker, ServeBackend, service_app_name
from daas.platform.registry.registry import ModelRegistry
from daas.platform.services.manager import ServiceManager
from daas.platform.tokens.service import TokenService
from daas.store.db import Database
from daas.store.tables import AsyncRequest, Service
from daas.store.tokens import hash_token


class ServiceGateway:
    """Answers service calls the platform sees: refusals, v2 metadata and inference, async status."""

    def __init__(self, db: Database, services: ServiceManager, registry: ModelRegistry,
                 tokens: TokenService, serve: ServeBackend, worker: ModelWorker) -> None:
        self.db = db
        self.services = services
        self.registry = registry
        self.tokens = tokens
        self.serve = serve
        self.worker = worker

    def authorize(self, service: Service | None, secret: str | None) -> None:
        """The service's own key, or the token of a user who may read the service's group."""
        if secret and service is not None and hash_token(secret) == service.key_hash:
            return
        principal = self.tokens.authenticate(secret)
        if service is not None:
            check(principal, self.services.group_of(service.name), Action.READ)

    def service(self, name: str) -> Service:
        """The service row; ``NotFound`` names it."""
        try:
            return self.services.row(name)
        except NotFound:
            raise NotFound(f"unknown service {name!r}") from None

    def refuse(self, name: str, secret: str | None) -> Unavailable:
        """Why a call that fell through to the platform is not served (after checking the caller)."""
        return not_serving(self.authorized_service(name, secret))

    def async_status(self, request_id: str, secret: str | None) -> dict[str, Any]:
        """An async request's state, result or error; readable with a user token or the service's key."""
        with self.db.read() as session:
            row = session.get(AsyncRequest, request_id)
            service = (session.exec(select(Service).where(Service.name == row.service_name)).first()
                       if row else None)
        self.authorize(service, secret)
        if row is None:
            raise NotFound(f"no request {request_id!r} (finished requests are kept for a limited time)")
        return {"id": row.id, "service": row.service_name, "status": row.status, "result": row.result,
                "error": row.error, "created": row.created, "started": row.started,
                "finished": row.finished, "attempts": row.attempts}

    def workers_ready(self) -> bool:
        """Whether the platform's model workers answer."""
        return bool(self.worker.ready())

    def authorized_service(self, name: str, secret: str | None) -> Service:
        """The service row once the caller is checked: a stranger gets 401, never 404."""
        try:
            service = self.service(name)
        except NotFound:
            self.authorize(None, secret)
            raise
        self.authorize(service, secret)
        return service

    def v2_metadata(self, name: str, version: str | None, secret: str | None) -> dict[str, Any]:
        """Name, versions, platform, input and output tensors of the service's model."""
        return self._v2_metadata(self._v2_service(name, version, secret))

    def v2_ready(self, name: str, version: str | None, secret: str | None) -> dict[str, Any]:
        """Ready when the service runs; ``Unavailable`` says why not."""
        service = self._v2_service(name, version, secret)
        if service.state != "running" or service.desired != "running":
            raise not_serving(service)
        return {"name": name, "ready": True}

    def v2_target(self, name: str, version: str | None, secret: str | None) -> str:
        """The application a v2 inference request goes to, after checking caller and state."""
        service = self._v2_service(name, version, secret)
        if service.desired != "running":
            raise not_serving(service)
        return service_app_name(name)

    async def v2_infer(self, app_name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Forward a v2 inference request to the replicas."""
        return await self.serve.infer_v2(app_name, body)

    def _v2_service(self, name: str, version: str | None, secret: str | None) -> Service:
        service = self.authorized_service(name, secret)
        if version is not None and version != str(service.model_version):
            raise NotFound(f"service {name!r} serves version {service.model_version}, not {version}")
        return service

    def _v2_metadata(self, service: Service) -> dict[str, Any]:
        schema = self.registry.schema(service.group_id, service.model_name, service.model_version).model_dump()
        return {
            "name": service.name, "versions": [str(service.model_version)],
            "platform": f"daas/{schema['engine'].split()[0]}",
            "inputs": [_v2_tensor(v) for v in schema["inputs"]],
            "outputs": [_v2_tensor(v) for v in schema["outputs"] or schema["targets"]],
        }


def not_serving(service: Service) -> Unavailable:
    """The 503 for a service that does not serve requests right now, saying why."""
    if service.desired in ("paused", "deleted"):
        return closed_error(service.name, service.desired, service.state)
    if service.state == "running":
        # Serve runs it, but its HTTP ingress has not picked up the new route yet.
        return Unavailable(f"service {service.name!r} is starting to take traffic; retry in a few seconds",
                           details={"state": service.state})
    reason = f": {service.reason}" if service.reason else ""
    return Unavailable(f"service {service.name!r} is {service.state}, not serving yet{reason}",
                       details={"state": service.state, "reason": service.reason})


def _v2_tensor(variable: dict[str, Any]) -> dict[str, Any]:
    shape = variable.get("shape") or [-1]
    return {"name": variable["name"], "datatype": v2_datatype(str(variable["dtype"])),
            "shape": [-1 if d is None else d for d in shape]}
