"""What the reconciler deploys for a service row: its replica config and deployment options."""

from __future__ import annotations

from daas.deployments.server_config import ServerConfig, ServiceControls
from daas.platform.ports import ServiceApp, service_app_name, service_route
from daas.platform.registry.registry import ModelRegistry
from daas.platform.services.spec import ServiceSpec
from daas.settings import Settings
from daas.store.tables import ModelVersion, Service


def server_config(service: Service, version: ModelVersion, settings: Settings) -> ServerConfig:
    """The replica's init argument (a change here starts new replicas)."""
    spec = ServiceSpec.model_validate(service.spec)
    return ServerConfig(
        service=service.name, model=service.model_name, version=version.version, task=version.task,
        format=version.format, storage_uri=settings.resolved_storage_uri,
        storage_key=version.storage_key, sha256=version.sha256, model_schema=version.schema_,
        database_url=settings.resolved_database_url, batching=spec.batching,
        max_request_bytes=settings.max_request_bytes,
    )


def service_controls(service: Service) -> ServiceControls:
    """What the running replicas take in place: key, time limit, and whether they refuse calls."""
    spec = ServiceSpec.model_validate(service.spec)
    closed = service.desired if service.desired in ("paused", "deleted") else None
    return ServiceControls(key_hash=service.key_hash, timeout_s=spec.timeout_s, closed=closed)


class ServiceAppPlanner:
    """Turns a service row into the ``ServiceApp`` that runs it."""

    def __init__(self, registry: ModelRegistry, settings: Settings) -> None:
        self.registry = registry
        self.settings = settings

    def __call__(self, service: Service) -> ServiceApp:
        """The application of ``service``'s current generation."""
        _model, version = self.registry.resolve(service.group_id, service.model_name, service.model_version)
        spec = ServiceSpec.model_validate(service.spec)
        return ServiceApp(service_app_name(service.name), service_route(service.name),
                          server_config(service, version, self.settings), service_controls(service),
                          spec.deployment_options())
