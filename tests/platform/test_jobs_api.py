"""The jobs API against an in-process platform whose Ray jobs are a fake launcher.

Datasets are rows put straight into the database (no files are needed to validate and
submit runs); the batch driver's own status updates are simulated by writing the run row.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url
from sqlmodel import select

from daas.platform.jobs.scheduler import JobScheduler
from daas.store.db import Database
from daas.store.tables import Dataset, Job, JobRun
from tests.accounts import group_id
from tests.conftest import PMML_DIR, both_backends
from tests.fakes import FakeJobs

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()
INPUTS = ["Sepal_Length", "Sepal_Width", "Petal_Length", "Petal_Width"]


def add_dataset(platform_app, name: str, columns: list[str]) -> None:
    with platform_app.container.db.write() as session:
        session.add(Dataset(group_id=group_id(platform_app.container), name=name, origin_format="csv", source=f"upload:{name}.csv",
                            storage_key=f"datasets/{name}", size_bytes=100, rows=150,
                            columns=[{"name": c, "type": "double"} for c in columns]))


@pytest.fixture
def ray_jobs(platform_app) -> FakeJobs:
    return platform_app.ray_jobs


@pytest.fixture
def api(platform_app, ray_jobs):
    client = platform_app.client()
    assert client.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                       data={"name": "iris"}).status_code == 201
    add_dataset(platform_app, "iris-in", ["id", *INPUTS, "Species"])
    add_dataset(platform_app, "narrow", ["id", "Sepal_Length", "Sepal_Width"])
    return client


def predict_form(name: str = "score", **config) -> dict:
    return {"name": name, "kind": "predict",
            "config": {"model": "iris", "input_dataset": "iris-in", "output_dataset": "iris-scored",
                       **config}}


def create(api, form: dict) -> dict:
    response = api.post("/api/v1/jobs", json=form)
    assert response.status_code == 201, response.text
    return response.json()


def start(api, job: str = "score") -> dict:
    response = api.post(f"/api/v1/jobs/{job}/runs")
    assert response.status_code == 202, response.text
    return response.json()


def set_run(platform_app, run_id: int, **values) -> None:
    """Write the run row as the batch driver would."""
    with platform_app.container.db.write() as session:
        run = session.get(JobRun, run_id)
        for key, value in values.items():
            setattr(run, key, value)
        session.add(run)


def error_of(response) -> dict:
    return response.json()["error"]


# --- definitions --------------------------------------------------------------------------

def test_create_a_predict_job_and_read_it_back(api) -> None:
    created = create(api, predict_form(passthrough=["id"], batch_size=500))
    assert created["kind"] == "predict" and created["schedule"] is None
    assert created["next_run"] is None and created["next_runs"] == []
    assert created["config"]["passthrough"] == ["id"] and created["config"]["batch_size"] == 500
    assert created["config"]["concurrency"] == 2 and created["config"]["num_cpus"] == 1.0
    assert created["enabled"] and not created["allow_overlap"] and created["catch_up"]
    assert created["created_by"] == "admin" and created["last_run"] is None
    listed = api.get("/api/v1/jobs").json()
    assert [job["name"] for job in listed] == ["score"]
    assert api.get("/api/v1/jobs/score").json()["config"] == created["config"]
    assert api.get("/api/v1/jobs/nope").status_code == 404
    taken = api.post("/api/v1/jobs", json=predict_form())
    assert taken.status_code == 409 and error_of(taken)["details"]["field"] == "name"


def test_a_scheduled_job_shows_its_next_runs_in_its_time_zone(api) -> None:
    job = create(api, {**predict_form(output_dataset="scores-{run}"), "schedule": "30 9 * * mon-fri",
                       "timezone": "Europe/Paris"})
    next_run = datetime.fromisoformat(job["next_run"])
    assert next_run > datetime.now(timezone.utc)
    previews = [datetime.fromisoformat(t) for t in job["next_runs"]]
    assert len(previews) == 5 and previews[0] == next_run
    paris = [t.astimezone(ZoneInfo("Europe/Paris")) for t in previews]
    assert all((t.hour, t.minute) == (9, 30) and t.isoweekday() <= 5 for t in paris)


def test_missing_input_columns_are_named(api) -> None:
    response = api.post("/api/v1/jobs", json=predict_form(input_dataset="narrow"))
    assert response.status_code == 422
    error = error_of(response)
    assert error["details"]["missing_columns"] == ["Petal_Length", "Petal_Width"]
    assert error["details"]["field"] == "config.input_dataset"
    assert "Petal_Length, Petal_Width" in error["message"]


def test_passthrough_and_label_columns_must_exist(api) -> None:
    response = api.post("/api/v1/jobs", json=predict_form(passthrough=["id", "row_key"]))
    assert response.status_code == 422
    assert error_of(response)["details"]["missing_columns"] == ["row_key"]
    form = predict_form(label_column="label")
    form["kind"] = "evaluate"
    response = api.post("/api/v1/jobs", json=form)
    assert response.status_code == 422 and error_of(response)["details"]["field"] == "config.label_column"
    form["config"]["label_column"] = "Species"
    assert create(api, form)["config"]["label_column"] == "Species"
    unlabelled = predict_form("eval2", output_dataset="other")
    unlabelled["kind"] = "evaluate"
    response = api.post("/api/v1/jobs", json=unlabelled)
    assert response.status_code == 422 and error_of(response)["details"]["field"] == "config.label_column"


def test_unknown_model_service_or_dataset_is_404(api) -> None:
    unknown_model = api.post("/api/v1/jobs", json=predict_form(model="nope"))
    assert unknown_model.status_code == 404 and error_of(unknown_model)["details"]["field"] == "config.model"
    unknown_version = api.post("/api/v1/jobs", json=predict_form(version=9))
    assert unknown_version.status_code == 404 and error_of(unknown_version)["details"]["field"] == "config.version"
    response = api.post("/api/v1/jobs", json=predict_form(input_dataset="missing"))
    assert response.status_code == 404 and "missing" in error_of(response)["message"]
    form = predict_form()
    del form["config"]["model"]
    form["config"]["service"] = "ghost"
    assert api.post("/api/v1/jobs", json=form).status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "train"}, "kind"),
    ({"name": "../etc"}, "name"),
    ({"config": {"input_dataset": "iris-in", "output_dataset": "x"}}, "config"),
    ({"config": {"model": "iris", "service": "s", "input_dataset": "iris-in", "output_dataset": "x"}},
     "config"),
    ({"config": {"model": "iris", "input_dataset": "iris-in", "output_dataset": "x", "batch_size": 0}},
     "config.batch_size"),
    ({"config": {"model": "iris", "input_dataset": "iris-in", "output_dataset": "x", "concurrency": 1000}},
     "config.concurrency"),
    ({"config": {"model": "iris", "input_dataset": "iris-in", "output_dataset": "a/b"}},
     "config.output_dataset"),
    ({"config": {"model": "iris", "input_dataset": "iris-in", "output_dataset": "x", "extra": 1}},
     "config.extra"),
    ({"schedule": "* 25 * * *"}, "schedule"),
    ({"schedule": "* * * *"}, "schedule"),
    ({"schedule": "0 * * * *"}, "config.output_dataset"),  # scheduled: needs {run} or {date}
    ({"timezone": "Mars/Base"}, "timezone"),
])
def test_invalid_jobs_are_422_naming_the_field(api, change: dict, field: str) -> None:
    response = api.post("/api/v1/jobs", json={**predict_form(), **change})
    assert response.status_code == 422, response.text
    assert error_of(response)["details"]["field"] == field


def test_a_bad_cron_field_is_named(api) -> None:
    response = api.post("/api/v1/jobs", json={**predict_form(output_dataset="s-{run}"),
                                              "schedule": "0 9 * * funday"})
    error = error_of(response)
    assert response.status_code == 422 and error["details"]["cron_field"] == "day-of-week"
    assert "day-of-week" in error["message"]


def test_an_output_dataset_that_exists_is_409(api, platform_app) -> None:
    add_dataset(platform_app, "iris-scored", ["x"])
    response = api.post("/api/v1/jobs", json=predict_form())
    assert response.status_code == 409 and "iris-scored" in error_of(response)["message"]


def test_viewers_read_and_editors_write(api) -> None:
    create(api, predict_form())
    viewer = api.post("/api/v1/tokens", json={"name": "v", "role": "viewer"}).json()["token"]
    headers = {"Authorization": f"Bearer {viewer}"}
    assert api.get("/api/v1/jobs", headers=headers).status_code == 200
    assert api.post("/api/v1/jobs", json=predict_form("other"), headers=headers).status_code == 403
    assert api.post("/api/v1/jobs/score/runs", headers=headers).status_code == 403
    assert api.delete("/api/v1/jobs/score", headers=headers).status_code == 403


def test_patch_changes_schedule_switches_and_config(api) -> None:
    create(api, predict_form(output_dataset="scored-{date}"))
    patched = api.patch("/api/v1/jobs/score", json={"schedule": "0 * * * *", "timezone": "Asia/Tokyo"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["next_run"] is not None and patched.json()["timezone"] == "Asia/Tokyo"
    disabled = api.patch("/api/v1/jobs/score", json={"enabled": False}).json()
    assert disabled["next_run"] is None and disabled["next_runs"] == []
    enabled = api.patch("/api/v1/jobs/score", json={"enabled": True}).json()
    assert enabled["next_run"] is not None
    bad = api.patch("/api/v1/jobs/score", json={"config": {
        "model": "iris", "input_dataset": "narrow", "output_dataset": "x-{run}"}})
    assert bad.status_code == 422 and error_of(bad)["details"]["missing_columns"]
    assert api.patch("/api/v1/jobs/score", json={"config": {
        "model": "iris", "input_dataset": "iris-in", "output_dataset": "fixed"}}).status_code == 422
    cleared = api.patch("/api/v1/jobs/score", json={"schedule": None}).json()
    assert cleared["schedule"] is None and cleared["next_run"] is None
    assert api.patch("/api/v1/jobs/score", json={"schedule": "61 * * * *"}).status_code == 422


def test_dataset_users_lists_jobs_reading_or_writing_a_dataset(api, platform_app) -> None:
    create(api, predict_form())
    create(api, predict_form("second", output_dataset="second-{run}"))
    default = group_id(platform_app.container)
    dataset_users = platform_app.container.jobs.dataset_users
    assert dataset_users(default, "iris-in") == ["score", "second"]
    assert dataset_users(default, "iris-scored") == ["score"]
    assert dataset_users(default, "narrow") == []


# --- runs ---------------------------------------------------------------------------------

def test_a_manual_run_submits_the_batch_driver(api, ray_jobs, platform_app) -> None:
    create(api, predict_form(output_dataset="scored-{run}"))
    run = start(api)
    assert run["status"] == "pending" and run["trigger"] == "manual" and run["kind"] == "predict"
    assert run["submission_id"] == f"daas-score-{run['id']}"
    assert run["output_dataset"] == f"scored-{run['id']}"
    submitted = ray_jobs.last
    assert submitted["submission_id"] == run["submission_id"]
    assert submitted["entrypoint"] == f"{sys.executable} -m daas.batch.driver --run-id {run['id']}"
    settings = platform_app.settings
    env = submitted["runtime_env"]["env_vars"]
    assert list(submitted["runtime_env"]) == ["env_vars"]
    assert {key: env.pop(key) for key in ("DAAS_HOME", "DAAS_STORAGE_URI", "RAY_USAGE_STATS_ENABLED")} \
        == {"DAAS_HOME": str(settings.home), "DAAS_STORAGE_URI": settings.resolved_storage_uri,
            "RAY_USAGE_STATS_ENABLED": "0"}
    # The database, its password (PostgreSQL) by file: see the test below.
    given, expected = make_url(env.pop("DAAS_DATABASE_URL")), make_url(settings.resolved_database_url)
    assert given.password is None
    assert (given.drivername, given.username, given.host, given.port, given.database) == \
        (expected.drivername, expected.username, expected.host, expected.port, expected.database)
    assert set(env) <= {"PGPASSFILE"}
    with platform_app.container.db.read() as session:
        assert session.get(JobRun, run["id"]).output_key == f"runs/{run['id']}"
    assert api.get("/api/v1/jobs/score").json()["last_run"]["id"] == run["id"]


def test_progress_and_duration_follow_the_driver(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    ray_jobs.set_status(run["submission_id"], "RUNNING")
    started = datetime.now(timezone.utc) - timedelta(seconds=30)
    set_run(platform_app, run["id"], status="running", started=started, rows_done=30, rows_total=120)
    seen = api.get(f"/api/v1/runs/{run['id']}").json()
    assert seen["status"] == "running" and seen["progress"] == 0.25
    assert 29 < seen["duration_s"] < 60
    set_run(platform_app, run["id"], status="succeeded", rows_done=120,
            ended=started + timedelta(seconds=40), metrics={"rows": 120})
    ray_jobs.set_status(run["submission_id"], "SUCCEEDED")
    done = api.get(f"/api/v1/runs/{run['id']}").json()
    assert done["status"] == "succeeded" and done["progress"] == 1.0
    assert done["duration_s"] == 40.0 and done["metrics"] == {"rows": 120}


def test_two_runs_of_a_job_never_overlap_unless_allowed(api, platform_app) -> None:
    create(api, predict_form(output_dataset="s-{run}"))
    first = start(api)
    second = api.post("/api/v1/jobs/score/runs")
    assert second.status_code == 409 and error_of(second)["details"]["run_id"] == first["id"]
    api.patch("/api/v1/jobs/score", json={"allow_overlap": True})
    assert start(api)["id"] != first["id"]
    set_run(platform_app, first["id"], status="succeeded")


def test_a_run_rechecks_its_inputs_and_fails_before_submitting(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    with platform_app.container.db.write() as session:
        source = session.exec(select(Dataset).where(Dataset.name == "iris-in")).one()
        source.columns = [c for c in source.columns if c["name"] != "Petal_Width"]
        session.add(source)
    run = start(api)
    assert run["status"] == "failed" and "Petal_Width" in run["error"]
    assert run["submission_id"] is None and ray_jobs.submissions == []
    assert run["ended"] is not None


def test_a_second_manual_run_fails_when_its_output_exists(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    add_dataset(platform_app, "iris-scored", ["x"])
    run = start(api)
    assert run["status"] == "failed" and "iris-scored" in run["error"]


def test_a_failed_submission_fails_the_run(api, ray_jobs) -> None:
    create(api, predict_form())
    ray_jobs.fail_submit = "Request failed with status code 500: boom"
    run = start(api)
    assert run["status"] == "failed" and "submitting the Ray job failed" in run["error"]
    assert "boom" in run["error"]


def test_a_ray_traceback_reaches_the_run_as_its_last_sentence(api, ray_jobs) -> None:
    create(api, predict_form())
    ray_jobs.fail_submit = ("Request failed with status code 500: Traceback (most recent call "
                            "last):\n  File \"job_head.py\", line 3, in submit\n    raise x\n"
                            "ValueError: the cluster has no room for it.\n")
    run = start(api)
    assert run["error"] == "submitting the Ray job failed: the cluster has no room for it."


def test_a_job_deleted_and_created_again_runs_under_a_new_run_id(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    first = start(api)
    assert first["status"] == "pending"
    ray_jobs.set_status(first["submission_id"], "SUCCEEDED")
    set_run(platform_app, first["id"], status="succeeded")
    assert api.delete("/api/v1/jobs/score").status_code == 204
    create(api, predict_form())
    again = start(api)
    assert again["status"] == "pending", again["error"]  # Ray never saw this submission id
    assert again["id"] > first["id"] and again["submission_id"] != first["submission_id"]


def test_a_service_job_uses_the_services_model_at_run_start(api, ray_jobs) -> None:
    assert api.post("/api/v1/services", json={"name": "iris-svc", "model": "iris"}).status_code == 201
    form = predict_form()
    del form["config"]["model"]
    form["config"]["service"] = "iris-svc"
    create(api, form)
    assert start(api)["status"] == "pending"
    assert len(ray_jobs.submissions) == 1


def test_stop_ends_the_ray_job_and_deletes_the_partial_output(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    ray_jobs.set_status(run["submission_id"], "RUNNING")
    set_run(platform_app, run["id"], status="running")
    store = platform_app.container.store
    store.put(f"runs/{run['id']}/part-00000.parquet", b"partial")
    stopped = api.post(f"/api/v1/runs/{run['id']}/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    assert stopped.json()["ended"] is not None
    assert ray_jobs.stopped == [run["submission_id"]]
    assert store.list_keys(f"runs/{run['id']}") == []
    assert api.post(f"/api/v1/runs/{run['id']}/stop").status_code == 409


def test_a_slow_stop_is_finished_once_ray_confirms(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    set_run(platform_app, run["id"], status="running")
    ray_jobs.stop_ends_jobs = False
    platform_app.container.jobs.dispatcher.stop_wait_s = 0
    assert api.post(f"/api/v1/runs/{run['id']}/stop").json()["status"] == "stopping"
    ray_jobs.set_status(run["submission_id"], "STOPPED", "Job was intentionally stopped.")
    assert api.get(f"/api/v1/runs/{run['id']}").json()["status"] == "stopped"


def test_a_run_the_driver_stopped_itself_loses_its_partial_output(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    set_run(platform_app, run["id"], status="running", output_key=f"runs/{run['id']}")
    ray_jobs.stop_ends_jobs = False
    platform_app.container.jobs.dispatcher.stop_wait_s = 0
    store = platform_app.container.store
    store.put(f"runs/{run['id']}/part-00000.parquet", b"partial")
    assert api.post(f"/api/v1/runs/{run['id']}/stop").json()["status"] == "stopping"
    set_run(platform_app, run["id"], status="stopped")  # the driver saw "stopping" first
    store.put(f"runs/{run['id']}/part-00001.parquet", b"written while stopping")
    scheduler(platform_app).run_pass()
    assert store.list_keys(f"runs/{run['id']}") == []


def test_pause_then_continue_submits_the_same_run_again(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    run_url = f"/api/v1/runs/{run['id']}"
    assert api.post(f"{run_url}/continue").status_code == 409  # not paused
    set_run(platform_app, run["id"], status="running", rows_done=10, rows_total=100)
    assert api.post(f"{run_url}/pause").json()["status"] == "pausing"
    assert api.post(f"{run_url}/pause").status_code == 409
    set_run(platform_app, run["id"], status="paused")  # the driver finished its chunks
    ray_jobs.set_status(run["submission_id"], "SUCCEEDED")
    assert api.get(run_url).json()["status"] == "paused"
    continued = api.post(f"{run_url}/continue")
    assert continued.status_code == 202
    assert continued.json()["status"] == "pending" and continued.json()["id"] == run["id"]
    assert continued.json()["submission_id"] == f"daas-score-{run['id']}-2"
    assert ray_jobs.last["entrypoint"].endswith(f"--run-id {run['id']}")
    set_run(platform_app, run["id"], status="paused")
    assert api.post(f"{run_url}/continue").json()["submission_id"] == f"daas-score-{run['id']}-3"
    ray_jobs.log_text[f"daas-score-{run['id']}"] = "first\n"
    ray_jobs.log_text[f"daas-score-{run['id']}-3"] = "third\nlast\n"
    logs = api.get(f"{run_url}/logs", params={"tail": 1}).json()
    assert [entry["submission_id"] for entry in logs["logs"]] == [
        f"daas-score-{run['id']}", f"daas-score-{run['id']}-2", f"daas-score-{run['id']}-3"]
    assert [entry["text"] for entry in logs["logs"]] == ["first\n", "", "last\n"]


def test_a_driver_that_exits_while_pausing_leaves_the_run_paused(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    set_run(platform_app, run["id"], status="pausing")
    ray_jobs.set_status(run["submission_id"], "SUCCEEDED")
    assert api.get(f"/api/v1/runs/{run['id']}").json()["status"] == "paused"


def test_stopping_a_paused_run_deletes_its_output_without_ray(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    set_run(platform_app, run["id"], status="paused")
    store = platform_app.container.store
    store.put(f"runs/{run['id']}/part-00003.parquet", b"partial")
    assert api.post(f"/api/v1/runs/{run['id']}/stop").json()["status"] == "stopped"
    assert ray_jobs.stopped == [] and store.list_keys(f"runs/{run['id']}") == []


@pytest.mark.parametrize("ray_status", ["FAILED", "STOPPED"])
def test_a_ray_job_killed_from_outside_fails_the_run(api, platform_app, ray_jobs, ray_status) -> None:
    create(api, predict_form())
    run = start(api)
    set_run(platform_app, run["id"], status="running")
    ray_jobs.set_status(run["submission_id"], ray_status, "Job was intentionally stopped.")
    JobScheduler(platform_app.container.db, platform_app.container.jobs.dispatcher).run_pass()
    seen = api.get(f"/api/v1/runs/{run['id']}").json()
    assert seen["status"] == "failed" and seen["ended"] is not None
    assert seen["error"] == "the Ray job ended unexpectedly: Job was intentionally stopped."


def test_the_drivers_own_final_state_wins(api, platform_app, ray_jobs) -> None:
    create(api, predict_form(output_dataset="s-{run}"))
    run = start(api)
    set_run(platform_app, run["id"], status="failed", error="model crashed on row 7")
    ray_jobs.set_status(run["submission_id"], "FAILED", "exit code 1")
    assert api.get(f"/api/v1/runs/{run['id']}").json()["error"] == "model crashed on row 7"
    second = start(api)
    set_run(platform_app, second["id"], status="running")
    ray_jobs.set_status(second["submission_id"], "SUCCEEDED")
    seen = api.get(f"/api/v1/runs/{second['id']}").json()
    assert seen["status"] == "failed" and "without recording a result" in seen["error"]


def test_a_run_whose_ray_job_is_gone_fails(api, platform_app, ray_jobs) -> None:
    create(api, predict_form())
    run = start(api)
    set_run(platform_app, run["id"], status="running")
    ray_jobs.states.clear()  # the Ray cluster restarted
    seen = api.get(f"/api/v1/runs/{run['id']}").json()
    assert seen["status"] == "failed" and "no longer knows" in seen["error"]


def test_delete_is_refused_while_a_run_is_active(api, platform_app) -> None:
    create(api, predict_form())
    run = start(api)
    assert api.delete("/api/v1/jobs/score").status_code == 409
    set_run(platform_app, run["id"], status="failed")
    store = platform_app.container.store
    store.put(f"runs/{run['id']}/part-00000.parquet", b"partial")
    assert api.delete("/api/v1/jobs/score").status_code == 204
    assert api.get("/api/v1/jobs/score").status_code == 404
    assert api.get(f"/api/v1/runs/{run['id']}").status_code == 404
    assert store.list_keys(f"runs/{run['id']}") == []


def test_runs_of_a_job_newest_first(api, platform_app) -> None:
    create(api, predict_form(output_dataset="s-{run}"))
    first = start(api)
    set_run(platform_app, first["id"], status="succeeded")
    second = start(api)
    runs = api.get("/api/v1/jobs/score/runs").json()
    assert [run["id"] for run in runs] == [second["id"], first["id"]]
    assert api.get("/api/v1/jobs/nope/runs").status_code == 404
    assert api.get("/api/v1/runs/999").status_code == 404


def test_runs_need_ray(platform_app) -> None:
    platform_app.container.jobs.dispatcher.launcher = None  # as built without a job backend
    api = platform_app.client()
    api.post("/api/v1/models", files={"file": ("m.pmml", PMML)}, data={"name": "iris"})
    add_dataset(platform_app, "iris-in", INPUTS)
    create(api, predict_form())
    response = api.post("/api/v1/jobs/score/runs")
    assert response.status_code == 503 and "Ray" in error_of(response)["message"]


# --- script jobs --------------------------------------------------------------------------

SCRIPT = "import os, sys\nprint('args', sys.argv[1:], os.environ['GREETING'])\n"


def script_form(**config) -> dict:
    return {"name": "hello", "kind": "script",
            "config": {"source": SCRIPT, "args": ["a", "b c"], "env": {"GREETING": "hi"}, **config}}


def test_a_script_run_ships_the_source_and_follows_ray(api, platform_app, ray_jobs) -> None:
    create(api, script_form())
    run = start(api, "hello")
    submitted = ray_jobs.last
    assert submitted["entrypoint"] == f"{sys.executable} script.py a 'b c'"
    assert submitted["files"] == {"script.py": SCRIPT}
    assert submitted["runtime_env"]["env_vars"] == {"GREETING": "hi"}
    assert "pip" not in submitted["runtime_env"]
    assert api.post(f"/api/v1/runs/{run['id']}/pause").status_code == 409
    ray_jobs.set_status(run["submission_id"], "RUNNING")
    assert api.get(f"/api/v1/runs/{run['id']}").json()["status"] == "running"
    ray_jobs.set_status(run["submission_id"], "SUCCEEDED", "Job finished successfully.")
    ray_jobs.log_text[run["submission_id"]] = "args ['a', 'b c'] hi\n"
    done = api.get(f"/api/v1/runs/{run['id']}").json()
    assert done["status"] == "succeeded" and done["error"] is None
    assert done["duration_s"] is not None
    logs = api.get(f"/api/v1/runs/{run['id']}/logs").json()
    assert logs["logs"][0]["text"] == "args ['a', 'b c'] hi\n"
    assert api.get("/api/v1/jobs/hello/script").text == SCRIPT


def test_a_failing_script_fails_its_run(api, ray_jobs) -> None:
    create(api, script_form())
    run = start(api, "hello")
    ray_jobs.set_status(run["submission_id"], "FAILED", "exit code 3")
    seen = api.get(f"/api/v1/runs/{run['id']}").json()
    assert seen["status"] == "failed" and seen["error"] == "the script failed: exit code 3"


def test_script_pip_packages_use_the_virtualenvs_python(api, ray_jobs) -> None:
    create(api, script_form(pip=["six==1.16.0"], args=[]))
    start(api, "hello")
    assert ray_jobs.last["entrypoint"] == "python script.py"
    assert ray_jobs.last["runtime_env"]["pip"] == ["six==1.16.0"]


@pytest.mark.parametrize(("config", "field"), [
    ({"source": ""}, "config.source"),
    ({"source": "x" * (1024 * 1024 + 1)}, "config.source"),
    ({"env": {"BAD-NAME": "1"}}, "config.env"),
    ({"pip": ["six\nrm"]}, "config.pip"),
])
def test_invalid_script_configs(api, config, field) -> None:
    response = api.post("/api/v1/jobs", json=script_form(**config))
    assert response.status_code == 422 and error_of(response)["details"]["field"] == field


def test_generated_script_of_a_predict_job(api) -> None:
    create(api, predict_form())
    response = api.get("/api/v1/jobs/score/script")
    try:
        import daas.batch.script_template  # noqa: F401
    except ImportError:
        assert response.status_code == 501
    else:
        assert response.status_code == 200 and "iris" in response.text


# --- the scheduler ------------------------------------------------------------------------

def scheduler(platform_app, **options) -> JobScheduler:
    return JobScheduler(platform_app.container.db, platform_app.container.jobs.dispatcher, **options)


def next_run(api, name: str = "score") -> datetime:
    return datetime.fromisoformat(api.get(f"/api/v1/jobs/{name}").json()["next_run"])


def scheduled(api, name: str = "score", **fields) -> dict:
    return create(api, {**predict_form(name, output_dataset=f"{name}-{{run}}"),
                        "schedule": "*/5 * * * *", **fields})


def test_tick_fires_a_due_job_once_and_moves_its_next_run(api, platform_app, ray_jobs) -> None:
    scheduled(api)
    due = next_run(api)
    ticker = scheduler(platform_app)
    assert ticker.tick(due - timedelta(seconds=1)) == []
    fired = ticker.tick(due)
    assert len(fired) == 1 and fired[0].trigger == "schedule"
    assert next_run(api) == due + timedelta(minutes=5)
    assert ticker.tick(due + timedelta(seconds=30)) == []
    assert len(ray_jobs.submissions) == 1


def test_the_driver_gets_the_database_password_by_file_not_in_its_logged_env(
        api, platform_app, ray_jobs, database_url) -> None:
    from tests.postgres_server import PASSWORD

    create(api, predict_form())
    start(api)
    (submission,) = ray_jobs.submissions
    env = submission["runtime_env"]["env_vars"]
    assert PASSWORD not in repr(submission), submission
    if database_url is None:
        assert env["DAAS_DATABASE_URL"] == platform_app.settings.resolved_database_url
        assert "PGPASSFILE" not in env
        return
    password_file = Path(env["PGPASSFILE"])
    assert password_file.read_text() == f"*:*:*:*:{PASSWORD}\n"
    assert password_file.stat().st_mode & 0o777 == 0o600
    with pytest.MonkeyPatch.context() as patch:  # as the driver's process would see it
        patch.setenv("PGPASSFILE", str(password_file))
        Database.connect(env["DAAS_DATABASE_URL"]).check_reachable()


def test_two_schedulers_racing_for_one_slot_start_one_run(api, platform_app, ray_jobs) -> None:
    # Overlap allowed, so only the slot's claim (not an active run) can stop a second start.
    scheduled(api, allow_overlap=True)
    tickers = [scheduler(platform_app) for _ in range(2)]
    for slot in range(1, 6):
        due = next_run(api)
        barrier = threading.Barrier(len(tickers))

        def race(ticker: JobScheduler, when: datetime = due) -> list[JobRun]:
            barrier.wait()
            return ticker.tick(when)

        with ThreadPoolExecutor(len(tickers)) as pool:
            fired = [run for runs in pool.map(race, tickers) for run in runs]
        assert len(fired) == 1, f"slot {slot}: {len(fired)} runs"
        assert next_run(api) == due + timedelta(minutes=5)
    assert len(ray_jobs.submissions) == 5


def test_a_due_job_whose_run_is_still_active_skips_the_slot(api, platform_app) -> None:
    scheduled(api)
    due = next_run(api)
    ticker = scheduler(platform_app)
    assert len(ticker.tick(due)) == 1
    assert ticker.tick(due + timedelta(minutes=5)) == []
    assert next_run(api) == due + timedelta(minutes=10)


def test_missed_slots_are_caught_up_once(api, platform_app, ray_jobs) -> None:
    scheduled(api)
    scheduled(api, "lazy", catch_up=False)
    now = datetime.now(timezone.utc)
    with platform_app.container.db.write() as session:
        for job in session.exec(select(Job)):
            job.next_run = now - timedelta(hours=3)  # the platform was down for 36 slots
            session.add(job)
    fired = scheduler(platform_app).tick(now)
    assert [(run.job_name, run.trigger) for run in fired] == [("score", "catch-up")]
    assert next_run(api) > now and next_run(api, "lazy") > now
    assert len(ray_jobs.submissions) == 1


def test_disabled_and_unscheduled_jobs_never_fire(api, platform_app) -> None:
    scheduled(api, enabled=False)
    create(api, predict_form("manual"))
    assert api.get("/api/v1/jobs/score").json()["next_run"] is None
    assert scheduler(platform_app).tick(datetime.now(timezone.utc) + timedelta(days=1)) == []


def test_the_scheduler_thread_reconciles_and_fires(api, platform_app, ray_jobs) -> None:
    scheduled(api)
    due = next_run(api)
    ticker = scheduler(platform_app, interval_s=0.05, clock=lambda: due + timedelta(seconds=1))
    ticker.start()
    try:
        deadline = datetime.now() + timedelta(seconds=10)
        while not ray_jobs.submissions and datetime.now() < deadline:
            time.sleep(0.02)
    finally:
        ticker.stop()
    assert len(ray_jobs.submissions) == 1


def test_a_schedule_preview_lists_the_next_times_in_its_zone(api) -> None:
    response = api.get("/api/v1/schedules/preview",
                       params={"schedule": "0 8 * * sat", "timezone": "Asia/Shanghai", "count": 3})
    assert response.status_code == 200, response.text
    times = [datetime.fromisoformat(t).astimezone(ZoneInfo("Asia/Shanghai"))
             for t in response.json()["next_runs"]]
    assert len(times) == 3 and all((t.hour, t.isoweekday()) == (8, 6) for t in times)
    assert [b - a for a, b in zip(times, times[1:])] == [timedelta(days=7)] * 2
    bad = api.get("/api/v1/schedules/preview", params={"schedule": "61 * * * *"})
    assert bad.status_code == 422 and "minute" in error_of(bad)["message"]
    zone = api.get("/api/v1/schedules/preview", params={"schedule": "* * * * *", "timezone": "Mars/Olympus"})
    assert zone.status_code == 422 and "Mars/Olympus" in error_of(zone)["message"]
