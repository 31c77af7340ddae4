"""`daas up` checks the database before it starts anything: a server that is down, a wrong
password or an unsupported URL is a quick non-zero exit that names DAAS_DATABASE_URL and never
shows the password."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.child_server import free_port

DAAS = str(Path(sys.executable).with_name("daas"))
SECRET = "s3cr3t-Pa55word"


def daas_up(tmp_path: Path, database_url: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "DAAS_HOME": str(tmp_path / "home"), "DAAS_DATABASE_URL": database_url,
           "DAAS_RAY_ADDRESS": "", "COLUMNS": "200"}
    started = time.monotonic()
    done = subprocess.run([DAAS, "up"], env=env, capture_output=True, text=True, timeout=60)
    return done, time.monotonic() - started


@pytest.fixture
def wrong_password_url(postgres_server) -> str:
    return postgres_server.url("postgres", password=SECRET)


@pytest.mark.parametrize("case", ["wrong password", "server down", "unsupported"])
def test_daas_up_refuses_a_database_it_cannot_use_quickly_and_without_the_password(
        tmp_path, request, case):
    url = {"wrong password": lambda: request.getfixturevalue("wrong_password_url"),
           "server down": lambda: f"postgresql+psycopg://daas:{SECRET}@127.0.0.1:{free_port()}/daas",
           "unsupported": lambda: f"mysql://daas:{SECRET}@127.0.0.1/daas"}[case]()
    done, seconds = daas_up(tmp_path, url)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert seconds < 10, f"{seconds:.1f} s"
    assert "DAAS_DATABASE_URL" in output, output
    assert SECRET not in output
    assert not (tmp_path / "home" / "ray-head.json").exists()  # no Ray head was started
