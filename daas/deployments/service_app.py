"""The Serve application of one service: ``ModelServer`` bound with its config and resources."""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from daas.deployments.server_config import ServerConfig, ServiceControls


def build_service_app(config: ServerConfig, controls: ServiceControls,
                      deployment_options: dict[str, Any]) -> Application:
    """``ModelServer`` bound to ``config``, with ``controls`` as its ``user_config``.

    The deployment's version is the digest of ``config``: Serve then changes replica counts,
    autoscaling bounds and controls in place, and starts new replicas only when the model,
    its config or the replica resources change. (Without a version, ``serve.run`` makes up a
    new one every time and replaces every replica on any change.)
    """
    from daas.deployments.model_server import ModelServer

    # `version` is refused by options() unless marked internal since Ray 2.x; it is still how
    # Serve decides between a rolling restart and an in-place update.
    deployment = ModelServer.options(name="model", version=config.code_version(), _internal=True,
                                     user_config=controls.model_dump(mode="json"),
                                     **deployment_options)
    return deployment.bind(config.model_dump(mode="json"))
