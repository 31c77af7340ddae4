"""The data folder and the SQLite database (job secrets, token hashes) are the owner's alone."""

from __future__ import annotations

import os
import stat

import pytest

from daas.platform.app import create_app
from tests.conftest import make_settings
from tests.fakes import FakeServe, InProcessWorker


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_data_folder_and_database_are_private(tmp_path, open_umask):
    settings = make_settings(tmp_path / "home")
    create_app(settings, InProcessWorker(), FakeServe())
    database = settings.home / "daas.db"
    assert settings.resolved_database_url.endswith(str(database))
    assert mode(settings.home) == 0o700
    written = [path for path in settings.home.glob("daas.db*")]
    assert database in written and all(mode(path) == 0o600 for path in written), \
        {path.name: oct(mode(path)) for path in written}


def test_an_existing_open_data_folder_and_database_are_tightened(tmp_path, open_umask):
    settings = make_settings(tmp_path / "home")
    settings.home.mkdir(mode=0o755)
    (settings.home / "daas.db").touch(mode=0o644)
    create_app(settings, InProcessWorker(), FakeServe())
    assert mode(settings.home) == 0o700 and mode(settings.home / "daas.db") == 0o600
