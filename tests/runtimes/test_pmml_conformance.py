"""Conformance: every corpus model reproduces its expected scores; the ONNX MNIST CNN too."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from daas.runtimes import detect_format, load_runtime
from tests.runtimes.corpus import (
    CSV_DIR,
    MNIST_DIR,
    PMML_DIR,
    dataset_of,
    pmml_cases,
    same_value,
)

KNOWN_DIFFERENCES = {
    "KMeansEnsembleIris": "pypmml 1.5.8 returns no Cluster for this k-means majority-vote "
                          "ensemble (see shared/corpus/README.md)",
}


def _case(name: str):
    if name in KNOWN_DIFFERENCES:
        return pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_DIFFERENCES[name],
                                                          strict=True))
    return name


def test_corpus_is_present():
    assert len(pmml_cases()) == 19


@pytest.mark.parametrize("name", [_case(name) for name in pmml_cases()])
def test_pmml_model_reproduces_expected_scores(name):
    data = (PMML_DIR / f"{name}.pmml").read_bytes()
    runtime = load_runtime(detect_format(f"{name}.pmml", data), data)
    inputs = pd.read_csv(CSV_DIR / f"{dataset_of(name)}.csv")
    expected = pd.read_csv(CSV_DIR / f"{name}.csv")

    rows = runtime.predict(inputs)

    assert len(rows) == len(expected)
    for column in expected.columns:
        assert all(column in row["outputs"] for row in rows), f"no output named {column!r}"
        mismatches = [(i, row["outputs"][column], want)
                      for i, (row, want) in enumerate(zip(rows, expected[column]))
                      if not same_value(row["outputs"][column], want)]
        assert not mismatches, f"{column}: {len(mismatches)} rows differ, first {mismatches[0]}"


@pytest.fixture(scope="module")
def mnist():
    data = (MNIST_DIR / "mnist.onnx").read_bytes()
    return load_runtime(detect_format("mnist.onnx", data), data)


def _v2_tensor(path, kind):
    body = json.loads(path.read_text())
    (tensor,) = body[kind]
    return tensor


def test_mnist_predict_tensors_matches_reference(mnist):
    request = _v2_tensor(MNIST_DIR / "mnist_request_v2_0.json", "inputs")
    response = _v2_tensor(MNIST_DIR / "mnist_response_v2_0.json", "outputs")

    result = mnist.predict_tensors({request["name"]: request["data"]})

    actual = result[response["name"]]
    assert list(actual.shape) == response["shape"]
    np.testing.assert_allclose(actual, np.asarray(response["data"], dtype=np.float32),
                               rtol=1e-4, atol=1e-4)


def test_mnist_schema(mnist):
    schema = mnist.schema
    assert schema.task == "tensor"
    assert schema.tabular is False
    assert [(v.name, v.dtype, v.shape) for v in schema.inputs] == [("Input3", "float",
                                                                    [1, 1, 28, 28])]
    assert [(v.name, v.dtype, v.shape) for v in schema.outputs] == [("Plus214_Output_0", "float",
                                                                     [1, 10])]
    assert schema.producer.startswith("CNTK")
    assert schema.format_version.startswith("IR 3")


def test_mnist_rows_are_run_one_by_one_for_a_fixed_batch_of_one(mnist):
    request = _v2_tensor(MNIST_DIR / "mnist_request_v2_0.json", "inputs")
    response = _v2_tensor(MNIST_DIR / "mnist_response_v2_0.json", "outputs")
    image = request["data"][0]  # one row: the [1, 28, 28] tensor without the batch dimension
    blank = np.zeros((1, 28, 28)).tolist()

    rows = mnist.predict(pd.DataFrame({"Input3": [image, blank, image]}))

    assert len(rows) == 3
    expected = np.asarray(response["data"][0], dtype=np.float32)
    np.testing.assert_allclose(rows[0]["outputs"]["Plus214_Output_0"], expected, rtol=1e-4,
                               atol=1e-4)
    assert rows[2]["outputs"] == rows[0]["outputs"]
    assert rows[1]["outputs"] != rows[0]["outputs"]
