"""The platform on a Ray cluster: join it, deploy the management app, read its state."""

from __future__ import annotations

import os
from typing import Any

import ray
from ray import serve

from daas.deployments.platform import PLATFORM_APP, build_platform_app
from daas.platform.ray_adapter import auth
from daas.platform.ray_adapter.jobs import RayJobs, _dashboard_url
from daas.platform.ray_adapter.serve import RayServe
from daas.platform.ray_adapter.worker import RayModelWorker
from daas.settings import Settings


def platform_asgi(settings: Settings, workbench) -> Any:
    """The management app wired to Ray: run inside the platform's Serve replica."""
    from daas.platform.app import create_app

    worker = RayModelWorker(workbench, inspect_timeout_s=settings.inspect_timeout_s,
                            predict_timeout_s=settings.predict_timeout_s)
    return create_app(settings, worker, RayServe(), RayJobs(), run_background=True)


def join(address: str) -> Any:
    """Connect this process to a running cluster quietly (replica logs stay in Ray's files).

    Raises ``ConnectionError`` when no cluster answers at ``address``.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    return ray.init(address=address, ignore_reinit_error=True, logging_level="WARNING",
                    log_to_driver=False)


def require_token_auth() -> None:
    """Refuse the joined cluster unless it checks Ray auth tokens (disconnecting first)."""
    try:
        auth.require_token_auth(_dashboard_url())
    except Exception:
        leave()
        raise


def leave() -> None:
    """Disconnect this process from Ray."""
    ray.shutdown()


def deploy_platform(settings: Settings) -> None:
    """Start Serve's HTTP ingress and (re)deploy the management app at ``/``."""
    serve.start(http_options={"host": settings.host, "port": settings.port})
    serve.run(build_platform_app(settings, platform_asgi), name=PLATFORM_APP, route_prefix="/")


def remove_platform() -> None:
    """Delete the management app (services keep running)."""
    serve.delete(PLATFORM_APP)


def platform_app_status() -> str | None:
    """Serve's status of the management app, or None when it is not deployed."""
    application = serve.status().applications.get(PLATFORM_APP)
    return str(application.status) if application is not None else None
