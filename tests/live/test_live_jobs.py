"""Datasets and batch jobs through the platform on a real Ray cluster: each run is a real
Ray job whose driver runs the Ray Data pipeline (issue 4's done-means, end to end).

The cron job is created first and checked last, so its minute passes while the others run.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from tests.conftest import CSV_DIR, PMML_DIR
from tests.live.helpers import api, upload

pytestmark = pytest.mark.ray

FINAL = ("succeeded", "failed", "stopped", "paused")
IRIS = pd.read_csv(CSV_DIR / "Iris.csv")
INPUTS = ["Sepal_Length", "Sepal_Width", "Petal_Length", "Petal_Width"]


@pytest.fixture(scope="module")
def http(live_platform) -> Iterator[httpx.Client]:
    upload(live_platform, "jobs-iris", PMML_DIR / "DecisionTreeIris.pmml")
    with api(live_platform) as client:
        yield client


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def put_dataset(http: httpx.Client, name: str, frame: pd.DataFrame) -> dict:
    response = http.post("/api/v1/datasets", data={"name": name}, files={"file": (f"{name}.csv", csv_bytes(frame))})
    assert response.status_code == 201, response.text
    return response.json()


def big_iris(rows: int) -> pd.DataFrame:
    """Iris repeated to ``rows`` rows with a unique, ordered id."""
    frame = IRIS.sample(n=rows, replace=True, random_state=7).reset_index(drop=True)
    frame.insert(0, "id", np.arange(rows))
    return frame


def create_job(http: httpx.Client, name: str, kind: str, config: dict, **extra) -> dict:
    response = http.post("/api/v1/jobs", json={"name": name, "kind": kind, "config": config, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def start_run(http: httpx.Client, job: str) -> dict:
    response = http.post(f"/api/v1/jobs/{job}/runs")
    assert response.status_code == 202, response.text
    return response.json()


def wait_run(http: httpx.Client, run_id: int, until=lambda run: run["status"] in FINAL, timeout_s: float = 300) -> dict:
    deadline = time.monotonic() + timeout_s
    run = http.get(f"/api/v1/runs/{run_id}").json()
    while not until(run) and time.monotonic() < deadline:
        time.sleep(0.5)
        run = http.get(f"/api/v1/runs/{run_id}").json()
    assert until(run), (run, http.get(f"/api/v1/runs/{run_id}/logs").json())
    return run


def dataset_frame(http: httpx.Client, name: str) -> pd.DataFrame:
    response = http.get(f"/api/v1/datasets/{name}/download", params={"format": "parquet"})
    assert response.status_code == 200, response.text
    return pd.read_parquet(io.BytesIO(response.content))


def ray_job_ids() -> set[str]:
    from ray.job_submission import JobSubmissionClient

    from daas.platform.ray_adapter.jobs import _dashboard_url

    return {job.submission_id for job in JobSubmissionClient(_dashboard_url()).list_jobs()}


def test_a_cron_job_is_scheduled(http) -> None:
    job = create_job(http, "every-minute", "script", {"source": "print('tick')"}, schedule="* * * * *",
                     timezone="Asia/Shanghai")
    assert job["next_run"] is not None and job["enabled"] is True


def test_predict_output_equals_the_test_endpoints_answers(http) -> None:
    rows = IRIS.sample(frac=1, random_state=3).reset_index(drop=True)
    rows.insert(0, "id", np.arange(len(rows)))
    put_dataset(http, "jobs-iris-rows", rows)
    create_job(http, "jobs-score-iris", "predict", {"model": "jobs-iris", "input_dataset": "jobs-iris-rows",
                                               "output_dataset": "iris-scored-{run}", "passthrough": ["id"],
                                               "concurrency": 1, "chunk_rows": 40})
    run = wait_run(http, start_run(http, "jobs-score-iris")["id"])
    assert run["status"] == "succeeded", run
    assert run["rows_done"] == run["rows_total"] == len(rows) and run["output_dataset"] == f"iris-scored-{run['id']}"
    assert run["submission_id"] in ray_job_ids()

    scored = dataset_frame(http, run["output_dataset"])
    answered = http.post("/api/v1/models/jobs-iris/test", params={"format": "csv"},
                         files={"file": ("rows.csv", csv_bytes(rows[INPUTS]))})
    assert answered.status_code == 200, answered.text
    expected = pd.read_csv(io.StringIO(answered.text))
    assert list(scored.columns) == ["id", *expected.columns]
    assert scored["id"].tolist() == rows["id"].tolist()
    # CSV loses types: a text output such as PMML's node id "4" comes back as a number.
    for column in expected.columns:
        if pd.api.types.is_string_dtype(scored[column]):
            expected[column] = expected[column].astype(str)
    pd.testing.assert_frame_equal(scored[expected.columns].reset_index(drop=True), expected,
                                  check_dtype=False, rtol=1e-9)


def test_evaluate_metrics_equal_scikit_learns(http) -> None:
    put_dataset(http, "iris-labelled", IRIS)
    create_job(http, "judge-iris", "evaluate", {"model": "jobs-iris", "input_dataset": "iris-labelled",
                                                "label_column": "Species", "concurrency": 1})
    run = wait_run(http, start_run(http, "judge-iris")["id"])
    assert run["status"] == "succeeded", run
    answered = http.post("/api/v1/models/jobs-iris/test", json={"data": IRIS[INPUTS].to_dict("records")}).json()
    predicted = [row["label"] for row in answered["predictions"]]
    classes = sorted(IRIS["Species"].unique())
    found = run["metrics"]
    assert found["accuracy"] == pytest.approx(skm.accuracy_score(IRIS["Species"], predicted))
    precision, recall, f1, _ = skm.precision_recall_fscore_support(IRIS["Species"], predicted, labels=classes,
                                                                   zero_division=0)
    per_class = found["per_class"]
    for index, label in enumerate(classes):
        assert per_class[label]["precision"] == pytest.approx(precision[index])
        assert per_class[label]["recall"] == pytest.approx(recall[index])
        assert per_class[label]["f1"] == pytest.approx(f1[index])
    matrix = skm.confusion_matrix(IRIS["Species"], predicted, labels=classes)
    assert _matrix(found, classes) == matrix.tolist()
    probabilities = np.array([[row["probabilities"][label] for label in classes] for row in answered["predictions"]])
    assert found["roc_auc"] == pytest.approx(skm.roc_auc_score(IRIS["Species"], probabilities, multi_class="ovr",
                                                               labels=classes))
    assert found["log_loss"] == pytest.approx(skm.log_loss(IRIS["Species"], probabilities, labels=classes))


def _matrix(found: dict, classes: list[str]) -> list[list[int]]:
    confusion = found["confusion_matrix"]
    order = [confusion["labels"].index(label) for label in classes]
    return [[confusion["matrix"][i][j] for j in order] for i in order]


def test_stop_mid_run_registers_no_output(http) -> None:
    put_dataset(http, "iris-big", big_iris(150_000))
    create_job(http, "slow-score", "predict", {"model": "jobs-iris", "input_dataset": "iris-big",
                                               "output_dataset": "slow-{run}", "passthrough": ["id"],
                                               "concurrency": 1, "batch_size": 500, "chunk_rows": 5_000})
    run = wait_run(http, start_run(http, "slow-score")["id"], until=lambda r: r["rows_done"] > 0 or r["status"] in FINAL)
    assert run["status"] == "running", run
    stopped = http.post(f"/api/v1/runs/{run['id']}/stop")
    assert stopped.status_code == 200, stopped.text
    run = wait_run(http, run["id"], until=lambda r: r["status"] in ("stopped", "failed", "succeeded"))
    assert run["status"] == "stopped" and run["rows_done"] < run["rows_total"], run
    assert http.get(f"/api/v1/datasets/slow-{run['id']}").status_code == 404


def test_pause_then_continue_equals_an_uninterrupted_run(http) -> None:
    whole = wait_run(http, start_run(http, "slow-score")["id"])
    assert whole["status"] == "succeeded", whole
    run = wait_run(http, start_run(http, "slow-score")["id"], until=lambda r: r["rows_done"] > 0 or r["status"] in FINAL)
    assert http.post(f"/api/v1/runs/{run['id']}/pause").status_code == 200
    paused = wait_run(http, run["id"], until=lambda r: r["status"] in ("paused", "failed", "succeeded"))
    assert paused["status"] == "paused" and 0 < paused["rows_done"] < paused["rows_total"], paused
    resumed = http.post(f"/api/v1/runs/{run['id']}/continue")
    assert resumed.status_code == 202, resumed.text
    finished = wait_run(http, run["id"], until=lambda r: r["status"] in ("succeeded", "failed", "stopped"))
    assert finished["status"] == "succeeded", finished
    uninterrupted = dataset_frame(http, whole["output_dataset"])
    continued = dataset_frame(http, finished["output_dataset"])
    assert continued["id"].is_unique and len(continued) == 150_000
    pd.testing.assert_frame_equal(continued, uninterrupted)


def test_a_ray_job_stopped_from_outside_fails_the_run(http) -> None:
    from ray.job_submission import JobSubmissionClient

    from daas.platform.ray_adapter.jobs import _dashboard_url

    run = wait_run(http, start_run(http, "slow-score")["id"], until=lambda r: r["rows_done"] > 0 or r["status"] in FINAL)
    assert run["status"] == "running", run
    assert JobSubmissionClient(_dashboard_url()).stop_job(run["submission_id"])
    run = wait_run(http, run["id"], until=lambda r: r["status"] in ("failed", "stopped", "succeeded"))
    assert run["status"] == "failed" and "stopped" in run["error"].lower(), run
    assert http.get(f"/api/v1/datasets/slow-{run['id']}").status_code == 404


def test_the_cron_job_has_fired(http) -> None:
    deadline = time.monotonic() + 90
    runs: list = []
    while time.monotonic() < deadline and not runs:
        runs = [run for run in http.get("/api/v1/jobs/every-minute/runs").json() if run["trigger"] == "schedule"]
        time.sleep(1)
    assert runs, "the per-minute schedule never fired"
    assert http.patch("/api/v1/jobs/every-minute", json={"enabled": False}).status_code == 200
    run = wait_run(http, runs[-1]["id"])
    assert run["status"] == "succeeded", run
    logs = http.get(f"/api/v1/runs/{run['id']}/logs").json()
    assert "tick" in logs["logs"][0]["text"]


# --- live: the real RayJobs adapter inside the platform replica -----------------------------

def test_a_script_job_runs_as_a_ray_job_and_its_logs_come_back(live_platform) -> None:
    from tests.live.helpers import api as live_api

    source = ("import os, sys\n"
              "print('ARGS', sys.argv[1:])\n"
              "print('GREETING', os.environ['GREETING'])\n")
    with live_api(live_platform) as http:
        response = http.post("/api/v1/jobs", json={
            "name": "live-hello", "kind": "script",
            "config": {"source": source, "args": ["one", "two words"], "env": {"GREETING": "bonjour"}}})
        assert response.status_code == 201, response.text
        started = http.post("/api/v1/jobs/live-hello/runs")
        assert started.status_code == 202, started.text
        run = started.json()
        assert run["submission_id"] == f"daas-live-hello-{run['id']}", run
        deadline = time.monotonic() + 180
        while run["status"] not in ("succeeded", "failed", "stopped") and time.monotonic() < deadline:
            time.sleep(1)
            run = http.get(f"/api/v1/runs/{run['id']}").json()
        logs = http.get(f"/api/v1/runs/{run['id']}/logs").json()
        assert run["status"] == "succeeded", (run, logs)
        text = logs["logs"][0]["text"]
        assert "ARGS ['one', 'two words']" in text and "GREETING bonjour" in text
        assert run["started"] is not None and run["ended"] is not None
        assert http.delete("/api/v1/jobs/live-hello").status_code == 204


def test_a_predict_run_scores_a_dataset_through_the_batch_driver(live_platform) -> None:
    from tests.conftest import CSV_DIR
    from tests.live.helpers import api as live_api
    from tests.live.helpers import upload

    upload(live_platform, "live-iris", PMML_DIR / "DecisionTreeIris.pmml")
    with live_api(live_platform) as http:
        response = http.post("/api/v1/datasets", data={"name": "live-iris-in"},
                             files={"file": ("Iris.csv", (CSV_DIR / "Iris.csv").read_bytes())})
        assert response.status_code == 201, response.text
        response = http.post("/api/v1/jobs", json={
            "name": "live-score", "kind": "predict",
            "config": {"model": "live-iris", "input_dataset": "live-iris-in",
                       "output_dataset": "live-iris-scored", "concurrency": 1}})
        assert response.status_code == 201, response.text
        run = http.post("/api/v1/jobs/live-score/runs").json()
        deadline = time.monotonic() + 240
        while run["status"] not in ("succeeded", "failed", "stopped") and time.monotonic() < deadline:
            time.sleep(1)
            run = http.get(f"/api/v1/runs/{run['id']}").json()
        logs = http.get(f"/api/v1/runs/{run['id']}/logs").json()
        assert run["status"] == "succeeded", (run["error"], logs)
        assert run["rows_done"] == run["rows_total"] == 150 and run["progress"] == 1.0
        scored = http.get("/api/v1/datasets/live-iris-scored")
        assert scored.status_code == 200 and scored.json()["rows"] == 150
