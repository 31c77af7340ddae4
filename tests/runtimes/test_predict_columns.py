"""``predict_columns`` gives ``predict``'s fields as columns, for every format and task."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from daas.codecs import coerce_frame
from daas.runtimes import detect_format, load_runtime
from daas.runtimes.base import ModelRuntime, ModelSchema, Variable
from daas.runtimes.columns import columns_from_rows, rows_from_columns
from daas.runtimes.jsonready import json_ready
from tests.runtimes.corpus import CSV_DIR, MNIST_DIR, PMML_DIR, dataset_of, pmml_cases
from tests.runtimes.test_onnx_runtime import _projection

GENERATED = ["classifier-onnx", "classifier-onnx-nozipmap", "regressor-onnx", "kmeans-onnx",
             "pca-onnx", "classifier-pmml", "regressor-pmml", "kmeans-pmml", "pca-pmml"]
#: Rows whose projections overflow float32 (to an infinity or NaN).
OVERFLOWING = [[1.0, 2.0, 3.0], [0.0, 3e38, -3e38], [3e38, 3e38, 0.0], [-3e38, 0.0, 3e38]]


def cell_by_cell(columns: dict, size: int) -> list[dict]:
    """The rows the columns stand for, one cell at a time (the slow, obvious way)."""
    def cell(column, row):
        return json_ready(column[row])

    return [{key: ({sub: cell(column, row) for sub, column in value.items()}
                   if isinstance(value, dict) else cell(value, row))
             for key, value in columns.items()}
            for row in range(size)]


def assert_same_as_predict(runtime: ModelRuntime, frame: pd.DataFrame) -> dict:
    columns = runtime.predict_columns(frame)
    rows = runtime.predict(frame)
    for value in columns.values():
        for column in value.values() if isinstance(value, dict) else [value]:
            assert len(column) == len(frame)
    assert cell_by_cell(columns, len(frame)) == rows
    return columns


@pytest.mark.parametrize("key", GENERATED)
def test_generated_models(generated_models, key):
    model = generated_models[key]
    runtime = load_runtime(detect_format(model.path.name, model.data), model.data)

    assert_same_as_predict(runtime, coerce_frame(model.rows, runtime.schema))


@pytest.mark.parametrize("name", pmml_cases())
def test_corpus_pmml_models(name):
    runtime = load_runtime("pmml", (PMML_DIR / f"{name}.pmml").read_bytes())
    frame = pd.read_csv(CSV_DIR / f"{dataset_of(name)}.csv")

    assert_same_as_predict(runtime, coerce_frame(frame, runtime.schema))


@pytest.mark.parametrize("width, field", [(1, "value"), (2, "components")])
def test_non_finite_onnx_outputs_are_missing(width, field):
    runtime = load_runtime("onnx", _projection(width))

    columns = assert_same_as_predict(runtime, pd.DataFrame({"X": OVERFLOWING}))

    missing = ~np.isfinite(columns[field])
    assert missing.any() and not missing[0].any()
    rows = runtime.predict(pd.DataFrame({"X": OVERFLOWING}))
    assert [np.ravel(row[field]).tolist() for row in rows] == \
        np.where(missing, None, columns[field]).reshape(len(rows), -1).tolist()


def test_models_run_row_by_row_give_columns_too():
    data = (MNIST_DIR / "mnist.onnx").read_bytes()
    runtime = load_runtime("onnx", data)
    request = json.loads((MNIST_DIR / "mnist_request_v2_0.json").read_text())["inputs"][0]
    image = request["data"][0]

    columns = assert_same_as_predict(runtime, pd.DataFrame(
        {"Input3": [image, np.zeros((1, 28, 28)).tolist()]}))

    assert columns["outputs"]["Plus214_Output_0"].shape == (2, 10)


def test_tensor_classifiers_give_numpy_columns(generated_models):
    model = generated_models["classifier-onnx-nozipmap"]
    runtime = load_runtime("onnx", model.data)

    columns = runtime.predict_columns(coerce_frame(model.rows, runtime.schema))

    assert isinstance(columns["label"], np.ndarray)
    assert list(columns["probabilities"]) == ["setosa", "versicolor", "virginica"]
    assert all(isinstance(column, np.ndarray) and column.dtype == np.float64
               for column in columns["probabilities"].values())


def test_pmml_numbers_come_as_float_arrays(generated_models):
    model = generated_models["classifier-pmml"]
    runtime = load_runtime("pmml", model.data)

    columns = runtime.predict_columns(coerce_frame(model.rows, runtime.schema))

    assert columns["label"] == list(model.estimator.predict(model.rows))
    assert all(column.dtype == np.float64 for column in columns["probabilities"].values())


@pytest.mark.parametrize("key", ["classifier-onnx", "classifier-pmml"])
def test_no_rows_no_columns(generated_models, key):
    model = generated_models[key]
    runtime = load_runtime(key.rsplit("-", 1)[1], model.data)

    assert runtime.predict_columns(model.rows.head(0)) == {}
    assert runtime.predict(model.rows.head(0)) == []


class RowsOnly(ModelRuntime):
    """A runtime that only implements ``predict``."""

    format = "pmml"

    @classmethod
    def load(cls, data: bytes) -> RowsOnly:
        return cls()

    @property
    def schema(self) -> ModelSchema:
        return ModelSchema(format="pmml", engine="test", task="classification",
                           algorithm="test", inputs=[Variable(name="x", dtype="double")])

    def predict(self, frame: pd.DataFrame) -> list[dict]:
        return [{"outputs": {"x2": 2 * x}, "label": "big" if x > 1 else "small",
                 **({"probabilities": {"big": 0.9}} if x > 1 else {})} for x in frame["x"]]


def test_the_default_builds_columns_from_rows():
    runtime = RowsOnly()
    frame = pd.DataFrame({"x": [0.5, 3.0]})

    columns = runtime.predict_columns(frame)

    assert columns == {"outputs": {"x2": [1.0, 6.0]}, "label": ["small", "big"],
                       "probabilities": {"big": [None, 0.9]}}
    assert columns == columns_from_rows(runtime.predict(frame))
    assert rows_from_columns(columns, 2)[1] == runtime.predict(frame)[1]


def test_py4j_records_on_the_root_logger_are_dropped_once_pmml_loads(caplog) -> None:
    import logging

    from daas.runtimes.pmml_gateway import quiet_root_logging

    quiet_root_logging()
    quiet_root_logging()
    root = logging.getLogger()
    assert sum(type(f).__name__ == "_Py4jRootRecords" for f in root.filters) == 1
    py4j_record = root.makeRecord("root", logging.ERROR, "/x/py4j/java_gateway.py", 1060,
                                  "Exception while sending command.", (), None)
    ours = root.makeRecord("root", logging.ERROR, "/x/daas/batch/scorer.py", 1, "real problem", (), None)
    assert not root.filter(py4j_record)
    assert root.filter(ours)
