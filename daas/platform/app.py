"""The management API: ``create_app(settings, worker, serve)`` builds the FastAPI application."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from daas import __version__
from daas.platform.auth import TokenService
from daas.platform.batch_jobs.jobs import install_jobs
from daas.platform.body_limit import BodySizeLimit
from daas.platform.db import Database
from daas.platform.http_errors import install_error_handlers
from daas.platform.migrate import upgrade
from daas.platform.registry import ModelRegistry
from daas.platform.routes import cluster, datasets, health, inference, jobs, models, services, tokens
from daas.platform.services.manager import ServiceManager
from daas.platform.services.reconciler import Reconciler
from daas.platform.services.tables import Service
from daas.platform.storage import ArtifactStore
from daas.platform.web_ui import WebUI
from daas.platform.worker import ModelWorker
from daas.settings import Settings

_MULTIPART_SLACK = 1024 * 1024

#: Builds a service's Serve application from its row: (service, registry, settings) -> app.
AppBuilder = Callable[[Service, ModelRegistry, Settings], Any]


def create_app(settings: Settings, worker: ModelWorker, serve=None, build_service_app: AppBuilder | None = None,
               *, run_reconciler: bool = False, ray_jobs=None) -> FastAPI:
    """Open the database (migrating it), storage and tokens, and wire the routes.

    ``serve`` is the Ray Serve adapter (``RayServe`` or a test fake); with
    ``run_reconciler`` the reconciler (and, given ``ray_jobs``, the job scheduler) also
    runs in a background thread.
    """
    settings.home.mkdir(parents=True, exist_ok=True)
    db = Database.connect(settings.resolved_database_url)
    upgrade(db)
    token_service = TokenService(db)
    token_service.ensure_admin_token(settings.admin_token_path)
    store = ArtifactStore(settings.resolved_storage_uri)
    registry = ModelRegistry(db, store, worker, settings.max_upload_bytes)

    app = FastAPI(
        title="DaaS-Deployer",
        version=__version__,
        description="Upload PMML and ONNX models, inspect and test them, serve them on Ray.",
    )
    app.state.settings = settings
    app.state.db = db
    app.state.tokens = token_service
    app.state.worker = worker
    app.state.registry = registry
    app.state.serve = serve
    app.state.started = time.time()
    if serve is not None and build_service_app is not None:
        def build(service: Service) -> Any:
            return build_service_app(service, registry, settings)

        reconciler = Reconciler(db, serve, build, interval_s=settings.reconcile_interval_s,
                                async_ttl_s=settings.async_request_ttl_s)
        app.state.reconciler = reconciler
        app.state.services = ServiceManager(db, registry, serve.nodes, settings.instance_presets,
                                            settings.url, on_change=reconciler.trigger)
        registry.in_use = app.state.services.versions_in_use
        if run_reconciler:
            reconciler.start()

    if ray_jobs is not None:
        install_jobs(app, ray_jobs, run_scheduler=run_reconciler)

    install_error_handlers(app)
    for module in (health, models, tokens, services, inference, cluster, datasets, jobs):
        app.include_router(module.router)
    app.mount("/", WebUI(settings.resolved_ui_dir), name="web-ui")

    def body_limit(path: str) -> int:
        path = path.rstrip("/")
        if path == "/api/v1/models":
            return settings.max_upload_bytes + _MULTIPART_SLACK
        if path == "/api/v1/datasets":
            return settings.max_dataset_bytes + _MULTIPART_SLACK
        return settings.max_request_bytes

    app.add_middleware(BodySizeLimit, limit_for=body_limit)
    return app
