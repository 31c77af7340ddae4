"""The Serve application of one service: ``ModelServer`` bound with its config and resources."""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from daas.deployments.server_config import ServerConfig


def build_service_app(config: ServerConfig, deployment_options: dict[str, Any]) -> Application:
    """``ModelServer`` with ``Deployment.options(**deployment_options)``, bound to ``config``."""
    from daas.deployments.model_server import ModelServer

    deployment = ModelServer.options(name="model", **deployment_options)
    return deployment.bind(config.model_dump(mode="json"))
