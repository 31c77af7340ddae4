"""Shared fixtures: corpus paths, an in-process platform app, and one real Ray platform."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from daas.platform.launcher import serve_environment
from daas.settings import Settings
from tests.child_server import free_port

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PMML_DIR = CORPUS / "pmml-knime" / "pmml"
CSV_DIR = CORPUS / "pmml-knime" / "csv"
MNIST_DIR = CORPUS / "onnx-mnist"

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
# The live platform runs with Serve's HAProxy ingress, as `daas up` starts it.
for _key, _value in serve_environment(ha_proxy=True).items():
    os.environ.setdefault(_key, _value)


#: Mark a module or test to run once on SQLite and once on PostgreSQL: each of its tests that
#: uses ``database_url`` (or ``database``, ``platform_app``, ``client``) runs on both.
both_backends = pytest.mark.both_backends
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``both_backends`` tests over ``BACKENDS``."""
    if metafunc.definition.get_closest_marker("both_backends"):
        for name in ("database_url", "empty_database_url"):
            if name in metafunc.fixturenames:
                metafunc.parametrize(name, BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the session, started the first time a test needs it."""
    from tests.postgres_server import PostgresServer

    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> str:
    """A database migrated to the newest revision, copied for each test (faster than
    migrating each one)."""
    from daas.store.db import Database
    from daas.store.migrate import upgrade

    name = postgres_server.create_database()
    db = Database.connect(postgres_server.url(name))
    upgrade(db)
    db.dispose()
    return name


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on loopback for the session."""
    from tests.s3_server import S3Server

    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def s3_environment(s3_server, monkeypatch) -> dict[str, str]:
    """The AWS variables of ``s3_server`` in this process for one test."""
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    return s3_server.environment()


@pytest.fixture
def s3_storage_uri(s3_server, s3_environment) -> str:
    """``s3://<a new bucket>/daas`` on the session's S3 server, its variables set."""
    return f"s3://{s3_server.create_bucket()}/daas"


def pytest_sessionfinish(session, exitstatus) -> None:
    """Arrow's S3 client keeps threads that can hang the interpreter's exit unless finalized."""
    import sys

    if "pyarrow.fs" in sys.modules:
        import pyarrow.fs

        pyarrow.fs.finalize_s3()


def _backend_database(request, sqlite_url: str | None, *, migrated: bool):
    """Yield ``sqlite_url`` on SQLite, or the URL of a new PostgreSQL database (a copy of the
    migrated template when ``migrated``) that is dropped after the test."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield sqlite_url
        return
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template") if migrated else None
    name = server.create_database(template=template)
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def database_url(request):
    """The test's database URL: None (the SQLite file of the settings' home) unless the test
    is parametrised with ``both_backends``, which also gives it a fresh, migrated PostgreSQL
    database."""
    yield from _backend_database(request, None, migrated=True)


@pytest.fixture
def empty_database_url(request, tmp_path):
    """The URL of a database with no tables: a new SQLite file, or (with ``both_backends``) a
    new PostgreSQL database."""
    yield from _backend_database(request, f"sqlite:///{tmp_path / 'empty.db'}", migrated=False)


@pytest.fixture
def database(database_url, tmp_path):
    """A migrated ``Database`` on the test's backend."""
    from daas.store.db import Database
    from tests.deployments.fakes import temporary_database

    db = Database.connect(database_url) if database_url else temporary_database(tmp_path)
    yield db
    db.dispose()


def make_settings(home: Path, **overrides) -> Settings:
    """Settings rooted in a temporary data dir."""
    return Settings(home=home, **overrides)


@dataclass
class PlatformApp:
    """A FastAPI app on temporary storage with an in-process model worker."""

    app: FastAPI
    admin_token: str
    settings: Settings
    worker: object
    serve: object
    ray_jobs: object

    @property
    def container(self):
        """The app's container: its database, registry, services, jobs..."""
        from daas.platform.app import container_of

        return container_of(self.app)

    def client(self, token: str | None = None) -> TestClient:
        """A test client sending ``token`` (default: the admin token)."""
        client = TestClient(self.app, raise_server_exceptions=False)
        secret = self.admin_token if token is None else token
        if secret:
            client.headers["Authorization"] = f"Bearer {secret}"
        return client


@pytest.fixture(scope="session")
def generated_models(tmp_path_factory):
    """Every model from ``tests.model_factory`` (scikit-learn -> ONNX/PMML), made once."""
    from tests.model_factory import generate_all

    return generate_all(tmp_path_factory.mktemp("generated-models"))


@pytest.fixture
def platform_app(tmp_path, database_url) -> PlatformApp:
    """A fresh management app with a fake (in-process) worker, on the test's database."""
    from daas.platform.app import container_of, create_app
    from tests.fakes import FakeJobs, FakeServe, InProcessWorker

    settings = make_settings(tmp_path / "home", max_upload_bytes=8 * 1024 * 1024, paused_grace_s=0,
                             database_url=database_url)
    worker, serve, ray_jobs = InProcessWorker(), FakeServe(), FakeJobs()
    app = create_app(settings, worker, serve, ray_jobs)
    token = settings.admin_token_path.read_text().strip()
    yield PlatformApp(app, token, settings, worker, serve, ray_jobs)
    container_of(app).db.dispose()


@pytest.fixture
def client(platform_app) -> TestClient:
    """An admin test client for ``platform_app``."""
    return platform_app.client()


def _start_ray_and_platform(settings: Settings) -> None:
    import ray

    from daas.platform.launcher import wait_until_ready
    from daas.platform.ray_adapter import haproxy_wrapper
    from daas.platform.ray_adapter.cluster import deploy_platform

    # Our own HAProxy side ports, so a platform started by `make run` can keep running, and
    # HAProxy run through the wrapper `daas up` uses (loopback listeners, buffered requests).
    stats, metrics = free_port(), free_port()
    os.environ["RAY_SERVE_HAPROXY_METRICS_PORT"] = str(metrics)
    os.environ["RAY_SERVE_HAPROXY_STATS_PORT"] = str(stats)
    os.environ.pop(haproxy_wrapper.BINARY_VARIABLE, None)
    settings.home.mkdir(parents=True, exist_ok=True)
    wrapper = haproxy_wrapper.write_wrapper(settings.home, stats, metrics)
    if wrapper is not None:
        os.environ[haproxy_wrapper.BINARY_VARIABLE] = str(wrapper)
    # address="local": never join (and later shut down) a cluster started by `make run`.
    ray.init(address="local", num_cpus=8, include_dashboard=True, dashboard_port=free_port(),
             logging_level="WARNING", log_to_driver=False)
    deploy_platform(settings)
    wait_until_ready(settings.url)


def _stop_ray() -> None:
    import ray
    from ray import serve

    serve.shutdown()
    ray.shutdown()


@dataclass
class LivePlatform:
    """The platform deployed on a real local Ray cluster, reached over HTTP."""

    url: str
    admin_token: str
    settings: Settings

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def restart_ray(self) -> None:
        """Stop the whole Ray cluster, start a new one and deploy the platform again."""
        _stop_ray()
        _start_ray_and_platform(self.settings)


@pytest.fixture(scope="session")
def live_platform(tmp_path_factory) -> LivePlatform:
    """One local Ray cluster per test session with the platform app deployed on it."""
    settings = make_settings(tmp_path_factory.mktemp("live") / "home", port=free_port(),
                             max_upload_bytes=4 * 1024 * 1024, inspect_timeout_s=120,
                             reconcile_interval_s=1.0)
    _start_ray_and_platform(settings)
    try:
        yield LivePlatform(settings.url, settings.admin_token_path.read_text().strip(), settings)
    finally:
        _stop_ray()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an asyncio loop on the main thread for
    the rest of the session, and Serve handles refuse ``.result()`` inside a running loop."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
