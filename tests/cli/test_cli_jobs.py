"""``daas jobs ...`` and the job methods of ``DaasClient``, against the in-process platform.

Ray jobs are the fake launcher; while a command follows a run, each pause between polls
is one step of a simulated batch driver writing the run row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from daas.cli import app, waiting
from daas.client import DaasClient, RunFailed
from daas.store.tables import JobRun
from tests.cli.test_cli import use_app
from tests.fakes import FakeJobs
from tests.platform.test_jobs_api import INPUTS, PMML, add_dataset


@dataclass
class Driver:
    """Moves the newest run forward one step per poll, as the batch driver would."""

    platform_app: Any
    ray_jobs: FakeJobs
    steps: list[dict[str, Any]] = field(default_factory=list)

    def step(self, _seconds: float) -> None:
        if not self.steps:
            return
        values = self.steps.pop(0)
        with self.platform_app.container.db.write() as session:
            run = session.get(JobRun, session.exec(select(func.max(JobRun.id))).one())
            for key, value in values.items():
                setattr(run, key, value)
            session.add(run)
        ray_status = {"running": "RUNNING", "succeeded": "SUCCEEDED", "failed": "FAILED",
                      "paused": "SUCCEEDED"}.get(values.get("status", ""))
        if ray_status and self.ray_jobs.submissions:
            self.ray_jobs.set_status(self.ray_jobs.last["submission_id"], ray_status)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAAS_HOME", str(tmp_path / "cli-home"))
    for variable in ("DAAS_URL", "DAAS_TOKEN", "DAAS_HOST", "DAAS_PORT", "DAAS_GROUP"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def driver(platform_app, monkeypatch: pytest.MonkeyPatch) -> Iterator[Driver]:
    fake = platform_app.ray_jobs
    http = platform_app.client()
    assert http.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                     data={"name": "iris"}).status_code == 201
    add_dataset(platform_app, "iris-in", ["id", *INPUTS, "Species"])
    add_dataset(platform_app, "narrow", ["id", "Sepal_Length"])
    use_app(monkeypatch, http)
    simulated = Driver(platform_app, fake)
    monkeypatch.setattr(waiting, "pause_between_polls", simulated.step)
    yield simulated


Daas = Callable[..., Any]


@pytest.fixture
def daas() -> Daas:
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["jobs", *args])

    return invoke


def created(daas: Daas, *args: str) -> dict[str, Any]:
    result = daas("create", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


PREDICT = ("score", "--model", "iris", "--input", "iris-in", "--output", "scored-{run}")


def test_create_a_predict_job_with_every_flag(daas: Daas, driver: Driver) -> None:
    job = created(daas, *PREDICT, "--version", "1", "--passthrough", "id, Species",
                  "--batch-size", "100", "--concurrency", "3", "--cpus", "0.5")
    assert job["config"] == {"model": "iris", "version": 1, "service": None,
                             "input_dataset": "iris-in", "output_dataset": "scored-{run}",
                             "passthrough": ["id", "Species"], "batch_size": 100,
                             "concurrency": 3, "num_cpus": 0.5,
                             "chunk_rows": job["config"]["chunk_rows"]}
    result = daas("create", "other", "--model", "iris", "--input", "iris-in", "--output", "out")
    assert result.exit_code == 0 and result.stdout.strip() == "Created predict job other."


def test_create_a_scheduled_job_and_show_its_next_runs(daas: Daas, driver: Driver) -> None:
    result = daas("create", *PREDICT, "--schedule", "*/5 * * * *", "--timezone", "Europe/Paris")
    assert result.exit_code == 0, result.output
    assert "next run" in result.stdout
    shown = daas("show", "score")
    assert shown.exit_code == 0, shown.output
    assert "*/5 * * * * (Europe/Paris)" in shown.stdout
    assert "Next runs (UTC):" in shown.stdout
    assert len([line for line in shown.stdout.splitlines() if line.startswith("  20")]) == 5
    listed = daas("list")
    assert "score" in listed.stdout and "Europe/Paris" in listed.stdout


def test_create_errors_name_what_is_wrong(daas: Daas, driver: Driver) -> None:
    missing = daas("create", "score", "--model", "iris", "--input", "narrow", "--output", "x")
    assert missing.exit_code == 2
    assert "Petal_Length" in missing.stderr and "config.input_dataset" in missing.stderr
    cron = daas("create", *PREDICT, "--schedule", "0 25 * * *")
    assert cron.exit_code == 2 and "hour" in cron.stderr
    unknown = daas("create", "score", "--model", "nope", "--input", "iris-in", "--output", "x")
    assert unknown.exit_code == 4
    assert daas("create", "s", "--kind", "script").exit_code == 2  # no --file


def test_create_an_evaluate_and_a_script_job(daas: Daas, driver: Driver, tmp_path: Path) -> None:
    evaluated = created(daas, "eval", "--kind", "evaluate", "--model", "iris", "--input", "iris-in",
                        "--label", "Species")
    assert evaluated["config"]["label_column"] == "Species"
    assert evaluated["config"]["output_dataset"] is None
    source = tmp_path / "hello.py"
    source.write_text("print('hi')\n")
    job = created(daas, "hello", "--kind", "script", "--file", str(source), "--arg", "a",
                  "--arg", "b c", "--env", "GREETING=hi=there", "--pip", "six")
    assert job["config"] == {"source": "print('hi')\n", "args": ["a", "b c"],
                             "env": {"GREETING": "***"}, "pip": ["six"]}
    assert daas("run", "hello").exit_code == 0
    assert driver.ray_jobs.last["runtime_env"]["env_vars"] == {"GREETING": "hi=there"}
    bad = daas("create", "x", "--kind", "script", "--file", str(source), "--env", "NOVALUE")
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output


@pytest.mark.parametrize("command", ["create", "update", "run", "script"])
def test_help_says_script_jobs_need_the_code_execution_permission(daas: Daas, command: str) -> None:
    result = daas(command, "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "code-execution permission" in text and "DAAS_CODE_EXECUTION_ROLE=editor" in text


def test_an_editor_is_told_about_the_permission(daas: Daas, driver: Driver, platform_app,
                                                monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    source = tmp_path / "hello.py"
    source.write_text("print('hi')\n")
    created(daas, "hello", "--kind", "script", "--file", str(source))
    admin = platform_app.client()
    token = admin.post("/api/v1/tokens", json={"name": "ed", "role": "editor"}).json()["token"]
    use_app(monkeypatch, platform_app.client(token))
    refused = daas("run", "hello")
    assert refused.exit_code != 0
    assert "code-execution permission" in " ".join(refused.stderr.split())
    shown = daas("show", "hello")
    assert shown.exit_code == 0 and "hidden: needs the code-execution permission" in shown.stdout


def test_run_follow_shows_progress_until_it_succeeds(daas: Daas, driver: Driver) -> None:
    created(daas, *PREDICT)
    driver.steps = [{"status": "running", "rows_total": 150, "rows_done": 0},
                    {"rows_done": 50}, {"rows_done": 100},
                    {"status": "succeeded", "rows_done": 150, "output_dataset": "scored-1"}]
    result = daas("run", "score", "--follow")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Run 1 of score succeeded: 150/150 rows -> dataset scored-1")
    assert "50/150 rows" in result.stderr and "100/150 rows" in result.stderr
    assert driver.steps == []


def test_a_failed_run_exits_non_zero_with_its_error(daas: Daas, driver: Driver) -> None:
    created(daas, *PREDICT)
    driver.steps = [{"status": "running"}, {"status": "failed", "error": "chunk 3: bad value"}]
    result = daas("run", "score", "--follow")
    assert result.exit_code == 1
    assert "failed" in result.stdout and "chunk 3: bad value" in result.stdout


def test_a_second_run_while_one_is_active_is_a_conflict(daas: Daas, driver: Driver) -> None:
    created(daas, *PREDICT)
    first = daas("run", "score")
    assert first.exit_code == 0 and first.stdout.startswith("Run 1 of score pending")
    second = daas("run", "score")
    assert second.exit_code == 5 and "active run" in second.stderr


def test_pause_continue_stop_and_runs(daas: Daas, driver: Driver) -> None:
    created(daas, *PREDICT)
    daas("run", "score")
    driver.steps = [{"status": "running", "rows_total": 100, "rows_done": 40}]
    driver.step(0)
    paused = daas("pause", "1")
    assert paused.exit_code == 0 and "pausing" in paused.stdout
    driver.steps = [{"status": "paused"}]
    driver.step(0)
    driver.steps = [{"status": "running"}, {"status": "succeeded", "rows_done": 100}]
    continued = daas("continue", "1", "--follow")
    assert continued.exit_code == 0, continued.output
    assert "succeeded: 100/100 rows" in continued.stdout
    assert driver.ray_jobs.last["submission_id"] == "daas-score-1-2"
    assert daas("stop", "1").exit_code == 5  # already finished
    daas("run", "score")
    stopped = daas("stop", "2")
    assert stopped.exit_code == 0 and "stopped" in stopped.stdout
    listing = daas("runs", "score")
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert any("stopped" in line for line in lines) and any("succeeded" in line for line in lines)
    shown = daas("status", "1", "--json")
    assert json.loads(shown.stdout)["status"] == "succeeded"


def test_logs_print_each_submission(daas: Daas, driver: Driver) -> None:
    created(daas, *PREDICT)
    daas("run", "score")
    driver.ray_jobs.log_text["daas-score-1"] = "line one\nline two\n"
    single = daas("logs", "1")
    assert single.exit_code == 0 and single.stdout == "line one\nline two\n"
    driver.steps = [{"status": "paused"}]
    driver.step(0)
    daas("continue", "1")
    driver.ray_jobs.log_text["daas-score-1-2"] = "resumed\n"
    both = daas("logs", "1", "--tail", "1")
    assert "==> daas-score-1 <==" in both.stdout and "line two" in both.stdout
    assert "line one" not in both.stdout and "==> daas-score-1-2 <==" in both.stdout


def test_script_prints_or_writes_the_source(daas: Daas, driver: Driver, tmp_path: Path) -> None:
    source = tmp_path / "job.py"
    source.write_text("print('hello')\n")
    created(daas, "hello", "--kind", "script", "--file", str(source))
    assert daas("script", "hello").stdout == "print('hello')\n"
    target = tmp_path / "out.py"
    assert daas("script", "hello", "-o", str(target)).exit_code == 0
    assert target.read_text() == "print('hello')\n"


def test_update_and_delete(daas: Daas, driver: Driver) -> None:
    created(daas, *PREDICT, "--schedule", "0 * * * *")
    disabled = daas("update", "score", "--disable", "--json")
    assert json.loads(disabled.stdout)["next_run"] is None
    unscheduled = json.loads(daas("update", "score", "--unschedule", "--enable", "--json").stdout)
    assert unscheduled["schedule"] is None and unscheduled["enabled"]
    assert daas("update", "score").exit_code == 2
    assert daas("delete", "score", "-y").exit_code == 0
    assert daas("show", "score").exit_code == 4


def test_wait_for_run_raises_on_failure(driver: Driver) -> None:
    client = DaasClient("http://testserver", http=driver.platform_app.client())
    client.create_job("score", "predict", {"model": "iris", "input_dataset": "iris-in",
                                           "output_dataset": "s-{run}"})
    run = client.run_job("score")
    driver.steps = [{"status": "failed", "error": "boom"}]
    with pytest.raises(RunFailed, match="boom"):
        client.wait_for_run(run["id"], sleep=driver.step)
    assert client.list_jobs()[0]["last_run"]["status"] == "failed"
