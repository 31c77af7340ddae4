"""Fixtures of the live tests: a batch world over the shared live platform."""

from __future__ import annotations

import pytest

from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from tests.live.batch_world import BatchWorld


@pytest.fixture(scope="session")
def batch_world(live_platform) -> BatchWorld:
    settings = live_platform.settings
    db = Database.connect(settings.resolved_database_url)
    yield BatchWorld(live_platform, db, ArtifactStore(settings.resolved_storage_uri))
    db.dispose()


@pytest.fixture
def driver_env(live_platform, monkeypatch):
    """The environment the platform gives a run's driver."""
    settings = live_platform.settings
    env = {"DAAS_HOME": str(settings.home), "DAAS_DATABASE_URL": settings.resolved_database_url,
           "DAAS_STORAGE_URI": settings.resolved_storage_uri}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env

