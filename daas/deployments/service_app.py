"""Build the Serve application of one service from its row and model version."""

from __future__ import annotations

from ray.serve import Application

from daas.platform.models import ModelVersion
from daas.platform.registry import ModelRegistry
from daas.platform.services.server_config import ServerConfig
from daas.platform.services.spec import ServiceSpec
from daas.platform.services.tables import Service
from daas.settings import Settings


def server_config(service: Service, version: ModelVersion, settings: Settings) -> ServerConfig:
    """The replica's init argument."""
    spec = ServiceSpec.model_validate(service.spec)
    return ServerConfig(
        service=service.name, model=service.model_name, version=version.version, task=version.task,
        format=version.format, storage_uri=settings.resolved_storage_uri,
        storage_key=version.storage_key, sha256=version.sha256, model_schema=version.schema_,
        database_url=settings.resolved_database_url, key_hash=service.key_hash,
        timeout_s=spec.timeout_s, batching=spec.batching,
        max_request_bytes=settings.max_request_bytes, generation=service.generation,
    )


def build_service_app(service: Service, registry: ModelRegistry, settings: Settings) -> Application:
    """``ModelServer`` bound with the service's config and resources."""
    from daas.deployments.model_server import ModelServer

    _model, version = registry.resolve(service.model_name, service.model_version)
    spec = ServiceSpec.model_validate(service.spec)
    config = server_config(service, version, settings)
    deployment = ModelServer.options(name="model", **spec.deployment_options())
    return deployment.bind(config.model_dump(mode="json"))
