"""The management API as a Ray Serve application: the FastAPI ingress plus the workbench.

The ingress serves whatever ASGI app ``build_asgi(settings, workbench)`` returns; the
platform passes its own factory, so this module needs nothing from the management plane.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ray import serve
from ray.serve import Application

from daas.deployments.workbench import ModelWorkbench
from daas.settings import Settings

PLATFORM_APP = "daas"

#: Builds the management app inside the replica from the settings and a workbench handle.
AsgiFactory = Callable[[Settings, Any], Any]


@serve.deployment(name="api", ray_actor_options={"num_cpus": 0.5})
@serve.ingress()
class PlatformIngress:
    """Serves ``build_asgi(settings, workbench)``; the app is built inside the replica."""

    def __init__(self, settings: dict[str, Any], workbench, build_asgi: AsgiFactory) -> None:
        self._settings = Settings(**settings)
        self._workbench = workbench
        self._build_asgi = build_asgi

    def __serve_build_asgi_app__(self):
        return self._build_asgi(self._settings, self._workbench)


def build_platform_app(settings: Settings, build_asgi: AsgiFactory) -> Application:
    """The bound application to pass to ``serve.run``."""
    workbench = ModelWorkbench.bind(settings.loaded_models_cache)
    ingress = PlatformIngress.options(num_replicas=settings.platform_replicas,
                                      max_ongoing_requests=settings.platform_max_ongoing_requests)
    return ingress.bind(settings.model_dump(mode="json"), workbench, build_asgi)
