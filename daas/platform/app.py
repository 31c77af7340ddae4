"""The management API: ``create_app(settings, worker)`` builds the FastAPI application."""

from __future__ import annotations

import time

from fastapi import FastAPI

from daas import __version__
from daas.platform.auth import TokenService
from daas.platform.body_limit import BodySizeLimit
from daas.platform.db import Database
from daas.platform.http_errors import install_error_handlers
from daas.platform.migrate import upgrade
from daas.platform.registry import ModelRegistry
from daas.platform.routes import health, models, tokens
from daas.platform.storage import ArtifactStore
from daas.platform.worker import ModelWorker
from daas.settings import Settings

_MULTIPART_SLACK = 1024 * 1024


def create_app(settings: Settings, worker: ModelWorker) -> FastAPI:
    """Open the database (migrating it), storage and tokens, and wire the routes."""
    settings.home.mkdir(parents=True, exist_ok=True)
    db = Database.connect(settings.resolved_database_url)
    upgrade(db)
    token_service = TokenService(db)
    token_service.ensure_admin_token(settings.admin_token_path)
    store = ArtifactStore(settings.resolved_storage_uri)

    app = FastAPI(
        title="DaaS-Deployer",
        version=__version__,
        description="Upload PMML and ONNX models, inspect them, test them and serve them on Ray.",
    )
    app.state.settings = settings
    app.state.db = db
    app.state.tokens = token_service
    app.state.worker = worker
    app.state.registry = ModelRegistry(db, store, worker, settings.max_upload_bytes)
    app.state.started = time.time()

    install_error_handlers(app)
    for module in (health, models, tokens):
        app.include_router(module.router)

    def body_limit(path: str) -> int:
        if path.rstrip("/") == "/api/v1/models":
            return settings.max_upload_bytes + _MULTIPART_SLACK
        return settings.max_request_bytes

    app.add_middleware(BodySizeLimit, limit_for=body_limit)
    return app
