"""The management API as a Ray Serve application: the FastAPI ingress plus the workbench."""

from __future__ import annotations

from typing import Any

from ray import serve
from ray.serve import Application

from daas.deployments.workbench import ModelWorkbench
from daas.settings import Settings

PLATFORM_APP = "daas"


@serve.deployment(name="api", ray_actor_options={"num_cpus": 0.5})
@serve.ingress()
class PlatformIngress:
    """Serves ``create_app(settings)``; the app is built inside the replica."""

    def __init__(self, settings: dict[str, Any], workbench) -> None:
        self._settings = Settings(**settings)
        self._workbench = workbench

    def __serve_build_asgi_app__(self):
        from daas.deployments.service_app import build_service_app
        from daas.platform.app import create_app
        from daas.platform.ray_adapter import RayJobs, RayModelWorker, RayServe

        worker = RayModelWorker(
            self._workbench,
            inspect_timeout_s=self._settings.inspect_timeout_s,
            predict_timeout_s=self._settings.predict_timeout_s,
        )
        return create_app(self._settings, worker, RayServe(), build_service_app, run_reconciler=True,
                          ray_jobs=RayJobs())


def build_platform_app(settings: Settings) -> Application:
    """The bound application to pass to ``serve.run``."""
    workbench = ModelWorkbench.bind(settings.loaded_models_cache)
    ingress = PlatformIngress.options(num_replicas=settings.platform_replicas)
    return ingress.bind(settings.model_dump(mode="json"), workbench)
