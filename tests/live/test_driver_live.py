"""The batch driver on the live Ray cluster, run in-process with ``driver.main``."""

from __future__ import annotations

import numpy as np
import pytest

from daas.batch import driver
from daas.batch.scorer import DONE
from daas.codecs import coerce_frame
from daas.runtimes import load_runtime
from tests.live.batch_world import iris_rows

pytestmark = pytest.mark.ray

CLASSES = ["setosa", "versicolor", "virginica"]


def _predict_config(model: str, dataset: str, **overrides) -> dict:
    config = {"model": model, "version": None, "input_dataset": dataset,
              "output_dataset": f"{dataset}-scored-{np.random.randint(1_000_000)}",
              "passthrough": ["id"], "batch_size": 128, "concurrency": 2, "num_cpus": 1,
              "chunk_rows": 500}
    config.update(overrides)
    return config


def _expected(generated, key: str, frame):
    runtime = load_runtime(key.rsplit("-", 1)[1], generated[key].data)
    return runtime.predict(coerce_frame(frame, runtime.schema))


@pytest.fixture(scope="module")
def iris_frame():
    return iris_rows(3000)


@pytest.fixture(scope="module")
def iris_dataset(batch_world, iris_frame):
    return batch_world.dataset(iris_frame, files=3, row_group=250)


@pytest.mark.parametrize("key", ["classifier-onnx", "classifier-pmml"])
def test_predict_scores_every_row_in_order_and_registers_the_output(
        batch_world, driver_env, generated_models, iris_frame, iris_dataset, key, capsys):
    model = batch_world.model(key, generated_models)
    config = _predict_config(model, iris_dataset)
    run_id = batch_world.run("predict", config)

    assert driver.main(["--run-id", str(run_id)]) == 0

    run = batch_world.run_row(run_id)
    assert run.status == "succeeded", run.error
    assert run.rows_total == run.rows_done == 3000
    assert run.started is not None and run.ended is not None and run.error is None
    assert run.output_dataset == config["output_dataset"] and run.output_key == f"runs/{run_id}"
    assert batch_world.files(run_id).done_chunks() == set(range(6))

    output = batch_world.output(run_id)
    expected = _expected(generated_models, key, iris_frame)
    assert output.column_names[:5] == ["id", "label", *[f"probability({c})" for c in CLASSES]]
    assert output.column("id").to_pylist() == iris_frame["id"].tolist()
    assert output.column("label").to_pylist() == [row["label"] for row in expected]
    for name in CLASSES:
        assert np.allclose(output.column(f"probability({name})").to_numpy(),
                           [row["probabilities"][name] for row in expected])

    dataset = batch_world.dataset_row(config["output_dataset"])
    assert (dataset.origin_format, dataset.source, dataset.storage_key, dataset.rows) == (
        "job", f"run:{run_id}", f"runs/{run_id}", 3000)
    assert [column["name"] for column in dataset.columns] == output.column_names
    assert dataset.size_bytes > 0

    log = capsys.readouterr().out
    assert f"[daas run {run_id}] chunk " in log and f"[daas run {run_id}] succeeded: 3000 rows" in log

    assert driver.main(["--run-id", str(run_id)]) == 0  # a finished run is left alone
    assert batch_world.run_row(run_id).ended == run.ended


def test_pause_after_the_first_chunk_then_continue_equals_an_uninterrupted_run(
        batch_world, driver_env, generated_models, iris_dataset):
    model = batch_world.model("classifier-pmml", generated_models)
    config = _predict_config(model, iris_dataset, concurrency=1, chunk_rows=250, batch_size=25)
    run_id = batch_world.run("predict", config)
    seen = []

    def pause_after_first_chunk(result):
        seen.append(result)
        if len(seen) == 1:
            assert result.state == DONE
            batch_world.set_status(run_id, "pausing")

    assert driver.main(["--run-id", str(run_id)], on_chunk=pause_after_first_chunk) == 0
    paused = batch_world.run_row(run_id)
    done = batch_world.files(run_id).done_chunks()
    assert paused.status == "paused" and paused.ended is None
    assert 1 <= len(done) < 12
    assert paused.rows_done == 250 * len(done) and paused.rows_total == 3000
    assert batch_world.dataset_row(config["output_dataset"]) is None

    continued = []
    assert driver.main(["--run-id", str(run_id)], on_chunk=continued.append) == 0
    run = batch_world.run_row(run_id)
    assert run.status == "succeeded" and run.rows_done == 3000
    assert sorted(r.chunk for r in continued) == sorted(set(range(12)) - done)  # none twice
    assert batch_world.dataset_row(config["output_dataset"]).rows == 3000

    straight_config = {**config, "output_dataset": config["output_dataset"] + "-straight"}
    straight_id = batch_world.run("predict", straight_config)
    assert driver.main(["--run-id", str(straight_id)]) == 0
    resumed, straight = batch_world.output(run_id), batch_world.output(straight_id)
    assert resumed.equals(straight)
    ids = resumed.column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 3000


def test_a_pause_requested_before_the_driver_starts_scores_nothing(
        batch_world, driver_env, generated_models, iris_dataset):
    model = batch_world.model("classifier-onnx", generated_models)
    run_id = batch_world.run("predict", _predict_config(model, iris_dataset))
    batch_world.set_status(run_id, "pausing")
    assert driver.main(["--run-id", str(run_id)]) == 0
    assert batch_world.run_row(run_id).status == "paused"
    assert batch_world.files(run_id).done_chunks() == set()


def test_a_stop_after_the_first_chunk_ends_the_run_stopped(batch_world, driver_env,
                                                          generated_models, iris_dataset):
    model = batch_world.model("classifier-pmml", generated_models)
    config = _predict_config(model, iris_dataset, concurrency=1, chunk_rows=250, batch_size=25)
    run_id = batch_world.run("predict", config)

    def stop_after_first_chunk(result):
        batch_world.set_status(run_id, "stopping")

    assert driver.main(["--run-id", str(run_id)], on_chunk=stop_after_first_chunk) == 0
    run = batch_world.run_row(run_id)
    assert run.status == "stopped" and run.ended is not None
    assert 1 <= len(batch_world.files(run_id).done_chunks()) < 12
    assert batch_world.dataset_row(config["output_dataset"]) is None


def test_bad_values_in_the_first_rows_fail_before_anything_is_written(
        batch_world, driver_env, generated_models, iris_frame):
    frame = iris_frame.astype({"sepal_width": str})
    frame.loc[3, "sepal_width"] = "n/a"
    dataset = batch_world.dataset(frame)
    model = batch_world.model("classifier-onnx", generated_models)
    run_id = batch_world.run("predict", _predict_config(model, dataset))

    assert driver.main(["--run-id", str(run_id)]) == 1

    run = batch_world.run_row(run_id)
    assert run.status == "failed"
    assert run.error.startswith("input row 3, field 'sepal_width'"), run.error
    assert batch_world.store.list_keys(f"runs/{run_id}") == []


def test_missing_input_columns_fail_before_anything_is_written(
        batch_world, driver_env, generated_models, iris_frame):
    dataset = batch_world.dataset(iris_frame.drop(columns=["petal_width", "sepal_width"]))
    model = batch_world.model("classifier-onnx", generated_models)
    config = _predict_config(model, dataset, passthrough=["id", "customer"])
    run_id = batch_world.run("predict", config)

    assert driver.main(["--run-id", str(run_id)]) == 1

    run = batch_world.run_row(run_id)
    assert run.status == "failed" and run.ended is not None
    assert "sepal_width" in run.error and "petal_width" in run.error and "customer" in run.error
    assert "Traceback" not in run.error and "\n" not in run.error
    assert batch_world.store.list_keys(f"runs/{run_id}") == []
    assert batch_world.dataset_row(config["output_dataset"]) is None


def test_an_output_name_already_taken_fails_fast(batch_world, driver_env, generated_models,
                                                 iris_dataset):
    model = batch_world.model("classifier-onnx", generated_models)
    run_id = batch_world.run("predict", _predict_config(model, iris_dataset,
                                                        output_dataset=iris_dataset))
    assert driver.main(["--run-id", str(run_id)]) == 1
    run = batch_world.run_row(run_id)
    assert run.status == "failed" and "exists already" in run.error
    assert batch_world.store.list_keys(f"runs/{run_id}") == []


def test_a_bad_value_fails_the_run_naming_the_row_and_field(batch_world, driver_env,
                                                            generated_models, iris_frame):
    frame = iris_frame.astype({"petal_length": str})
    frame.loc[1234, "petal_length"] = "long"
    dataset = batch_world.dataset(frame)
    model = batch_world.model("classifier-onnx", generated_models)
    config = _predict_config(model, dataset)
    run_id = batch_world.run("predict", config)

    assert driver.main(["--run-id", str(run_id)]) == 1

    run = batch_world.run_row(run_id)
    assert run.status == "failed"
    assert run.error.startswith("chunk 2: input row 1234, field 'petal_length'"), run.error
    assert 2 not in batch_world.files(run_id).done_chunks()
    assert batch_world.dataset_row(config["output_dataset"]) is None


def test_evaluate_classification_metrics_equal_sklearns(batch_world, driver_env,
                                                        generated_models, iris_frame,
                                                        iris_dataset):
    from sklearn import metrics as sk

    model = batch_world.model("classifier-onnx", generated_models)
    config = _predict_config(model, iris_dataset, output_dataset=None, label_column="species")
    run_id = batch_world.run("evaluate", config)

    assert driver.main(["--run-id", str(run_id)]) == 0

    run = batch_world.run_row(run_id)
    assert run.status == "succeeded", run.error
    assert run.output_dataset is None
    output = batch_world.output(run_id)
    truth = iris_frame["species"].to_numpy()
    predicted = np.array(output.column("label").to_pylist())
    probabilities = np.column_stack([output.column(f"probability({c})").to_numpy() for c in CLASSES])
    got = run.metrics
    assert (got["task"], got["rows"], got["rows_without_label"]) == ("classification", 3000, 0)
    assert got["accuracy"] == pytest.approx(sk.accuracy_score(truth, predicted), abs=1e-9)
    assert got["macro"]["f1"] == pytest.approx(
        sk.f1_score(truth, predicted, average="macro"), abs=1e-9)
    assert got["confusion_matrix"] == {"labels": CLASSES,
                                       "matrix": sk.confusion_matrix(truth, predicted).tolist()}
    assert got["roc_auc"] == pytest.approx(
        sk.roc_auc_score(truth, probabilities, multi_class="ovr"), abs=1e-9)
    assert got["log_loss"] == pytest.approx(sk.log_loss(truth, probabilities, labels=CLASSES),
                                            abs=1e-9)


def test_evaluate_regression_metrics_equal_sklearns(batch_world, driver_env, generated_models):
    from sklearn import metrics as sk

    from tests.live.batch_world import diabetes_rows

    frame = diabetes_rows()
    dataset = batch_world.dataset(frame, files=2, row_group=100)
    model = batch_world.model("regressor-onnx", generated_models)
    config = _predict_config(model, dataset, label_column="progression", chunk_rows=100)
    run_id = batch_world.run("evaluate", config)

    assert driver.main(["--run-id", str(run_id)]) == 0

    run = batch_world.run_row(run_id)
    assert run.status == "succeeded", run.error
    assert batch_world.dataset_row(config["output_dataset"]).rows == len(frame)
    truth = frame["progression"].to_numpy()
    predicted = batch_world.output(run_id).column("value").to_numpy()
    got = run.metrics
    assert got["mae"] == pytest.approx(sk.mean_absolute_error(truth, predicted), abs=1e-9)
    assert got["rmse"] == pytest.approx(np.sqrt(sk.mean_squared_error(truth, predicted)), abs=1e-9)
    assert got["r2"] == pytest.approx(sk.r2_score(truth, predicted), abs=1e-9)


def test_evaluate_clustering_reports_sizes_and_silhouette(batch_world, driver_env,
                                                          generated_models):
    from sklearn import metrics as sk

    frame = iris_rows(1500, seed=5)
    dataset = batch_world.dataset(frame, files=1, row_group=500)
    model = batch_world.model("kmeans-pmml", generated_models)
    # The label column is required of every evaluate job; a clustering evaluation ignores it.
    run_id = batch_world.run("evaluate", _predict_config(model, dataset, output_dataset=None,
                                                         label_column="species"))

    assert driver.main(["--run-id", str(run_id)]) == 0

    run = batch_world.run_row(run_id)
    assert run.status == "succeeded", run.error
    clusters = batch_world.output(run_id).column("cluster").to_numpy()
    features = frame[["sepal_length", "sepal_width", "petal_length", "petal_width"]].to_numpy()
    values, counts = np.unique(clusters, return_counts=True)
    assert run.metrics["cluster_sizes"] == {str(v): int(c) for v, c in zip(values, counts)}
    assert run.metrics["silhouette"] == pytest.approx(sk.silhouette_score(features, clusters),
                                                      abs=1e-9)


def _run_entrypoint(command: list[str], env: dict[str, str], timeout_s: float = 300):
    """Run a Ray job entrypoint the way the job supervisor does: a process with RAY_ADDRESS."""
    import os
    import subprocess

    import ray

    environment = {**os.environ, **env, "RAY_ADDRESS": ray.get_runtime_context().gcs_address}
    return subprocess.run(command, env=environment, capture_output=True, text=True,
                          timeout=timeout_s, cwd="/")


def test_the_driver_entrypoint_joins_the_cluster_with_the_platform_environment(
        batch_world, driver_env, generated_models, iris_dataset):
    import sys

    model = batch_world.model("classifier-onnx", generated_models)
    config = _predict_config(model, iris_dataset)
    run_id = batch_world.run("predict", config)

    done = _run_entrypoint([sys.executable, "-m", "daas.batch.driver", "--run-id", str(run_id)],
                           driver_env)

    assert done.returncode == 0, done.stdout + done.stderr
    run = batch_world.run_row(run_id)
    assert run.status == "succeeded" and run.rows_done == 3000
    lines = [line for line in done.stdout.splitlines() if line.startswith(f"[daas run {run_id}] ")]
    assert lines[0].startswith(f"[daas run {run_id}] predict with model {model} v1 (onnx)")
    assert lines[-1] == (f"[daas run {run_id}] succeeded: 3000 rows -> dataset "
                         f"{config['output_dataset']} (runs/{run_id})")


def test_the_exported_script_predicts_what_the_driver_does(
        batch_world, driver_env, generated_models, iris_dataset, tmp_path):
    import sys

    import pyarrow.parquet as pq

    from daas.batch.config import ModelJobConfig
    from daas.batch.planning import resolve_model
    from daas.batch.script_template import predict_script
    from daas.store.tables import Job

    model = batch_world.model("classifier-pmml", generated_models)
    config = _predict_config(model, iris_dataset, batch_size=300)
    run_id = batch_world.run("predict", config)
    assert driver.main(["--run-id", str(run_id)]) == 0

    ref = resolve_model(batch_world.db, batch_world.group_id, ModelJobConfig.model_validate(config))
    input_key = batch_world.dataset_row(iris_dataset).storage_key
    output_dir = tmp_path / "exported-output"
    job = Job(group_id=batch_world.group_id, name="exported", kind="predict", config=config)
    source = predict_script(job, ref.format,
                            batch_world.store.root, input_key, str(output_dir),
                            model_key=ref.storage_key)
    compile(source, "predict.py", "exec")
    script = tmp_path / "predict.py"
    script.write_text(source)

    done = _run_entrypoint([sys.executable, str(script)], {})

    assert done.returncode == 0, done.stdout + done.stderr
    exported = pq.read_table(output_dir).sort_by("id")
    from_driver = batch_world.output(run_id)
    assert exported.column_names == from_driver.column_names
    assert exported.to_pylist() == from_driver.to_pylist()
