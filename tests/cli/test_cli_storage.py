"""`daas up` checks the storage before it starts anything: a missing bucket or an endpoint
that does not answer is a quick non-zero exit naming DAAS_STORAGE_URI, with no key shown."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.child_server import free_port
from tests.cli.test_cli_database import DAAS
from tests.s3_server import SECRET_KEY


@pytest.mark.parametrize("case", ["missing bucket", "endpoint down"])
def test_daas_up_refuses_storage_it_cannot_use(tmp_path, s3_server, case):
    env = {**os.environ, **s3_server.environment(), "DAAS_HOME": str(tmp_path / "home"), "DAAS_RAY_ADDRESS": "",
           "COLUMNS": "200", "DAAS_STORAGE_URI": "s3://no-such-bucket/daas"}
    if case == "endpoint down":
        env.update(DAAS_STORAGE_URI=f"s3://{s3_server.create_bucket()}/daas",
                   DAAS_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    done = subprocess.run([DAAS, "up"], env=env, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "DAAS_STORAGE_URI" in output, output
    assert SECRET_KEY not in output
    assert seconds < 30, f"{seconds:.1f} s"
    assert not (tmp_path / "home" / "ray-head.json").exists()  # no Ray head was started
