"""The ``daas`` command line over real HTTP against the platform on the shared Ray cluster."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from daas.cli import app
from tests.cli.test_cli import IRIS_PMML, IRIS_RECORD

pytestmark = pytest.mark.ray


def test_cli_over_http_against_the_platform_on_ray(live_platform, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DAAS_HOME", str(tmp_path))  # no real ~/.daas leaks into the test
    runner = CliRunner(env={"COLUMNS": "200"})
    platform = ["--url", live_platform.url, "--token", live_platform.admin_token, "--json"]
    result = runner.invoke(app, [*platform, "models", "upload", str(IRIS_PMML),
                                 "--name", "cli-live-iris"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["size"] == IRIS_PMML.stat().st_size
    result = runner.invoke(app, [*platform, "models", "test", "cli-live-iris",
                                 "--data", json.dumps(IRIS_RECORD)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["predictions"][0]["label"] == "setosa"
    result = runner.invoke(app, [*platform, "models", "delete", "cli-live-iris", "--yes"])
    assert result.exit_code == 0, result.output
