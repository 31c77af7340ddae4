"""The management API: ``create_app(settings, worker, serve, job_backend)`` builds the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from daas import __version__
from daas.platform.authenticate_first import AuthenticateFirst
from daas.platform.body_limit import BodySizeLimit
from daas.platform.container import Container, build_container
from daas.platform.http_errors import install_error_handlers
from daas.platform.ports import JobBackend, ModelWorker, ServeBackend
from daas.platform.routes import (
    audit,
    cluster,
    datasets,
    groups,
    health,
    inference,
    jobs,
    models,
    services,
    tokens,
    users,
)
from daas.platform.web_ui import WebUI
from daas.settings import Settings

_MULTIPART_SLACK = 1024 * 1024
#: Bodies of management calls (tokens, services, groups, ...): forms of a few kilobytes.
FORM_BODY_BYTES = 1024 * 1024
#: Job bodies carry a script's source (at most 1 MiB, more once escaped in JSON).
JOB_BODY_BYTES = 8 * 1024 * 1024


def create_app(settings: Settings, worker: ModelWorker, serve: ServeBackend,
               job_backend: JobBackend | None = None, *, run_background: bool = False) -> FastAPI:
    """Build the container once and wire the routes to it.

    ``serve`` and ``job_backend`` are the Ray adapters (or test fakes); with
    ``run_background`` the reconciler and the job scheduler run in their threads.
    """
    container = build_container(settings, worker, serve, job_backend)
    app = build_api(settings)
    app.state.container = container
    if run_background:
        container.start_background()
    return app


def build_api(settings: Settings) -> FastAPI:
    """The routes, error handlers and middleware, not yet bound to a container."""
    app = FastAPI(
        title="DaaS-Deployer",
        version=__version__,
        description="Upload PMML and ONNX models, inspect and test them, serve them on Ray.",
    )
    install_error_handlers(app)
    for module in (health, models, tokens, users, groups, audit, services, inference, cluster,
                   datasets, jobs):
        app.include_router(module.router)
    app.mount("/", WebUI(settings.resolved_ui_dir), name="web-ui")
    app.add_middleware(BodySizeLimit, limit_for=_body_limits(settings))
    app.add_middleware(AuthenticateFirst)  # outermost: no body is read for an unknown caller
    return app


def container_of(app: FastAPI) -> Container:
    """The container an app was built with (for tests and tools)."""
    return app.state.container


def _body_limits(settings: Settings):
    """The largest body each path takes: files and prediction requests by the settings,
    everything else as much as its form can need."""

    def limit_for(path: str) -> int:
        path = path.rstrip("/")
        if path == "/api/v1/models":
            return settings.max_upload_bytes + _MULTIPART_SLACK
        if path == "/api/v1/datasets":
            return settings.max_dataset_bytes + _MULTIPART_SLACK
        if (path.startswith(("/api/v1/svc/", "/v2/"))
                or path.startswith("/api/v1/models/") and path.endswith("/test")):
            return settings.max_request_bytes
        if path == "/api/v1/jobs" or path.startswith("/api/v1/jobs/"):
            return JOB_BODY_BYTES
        return FORM_BODY_BYTES

    return limit_for
