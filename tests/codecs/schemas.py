"""Model schemas, rows and error assertions shared by the codec tests."""

from __future__ import annotations

import pytest

from daas.errors import BadRequest, InvalidInput
from daas.runtimes.base import Interval, ModelSchema, Variable

SPECIES = ["setosa", "versicolor", "virginica"]


def pmml_schema() -> ModelSchema:
    measures = [Variable(name=name, dtype="double", optype="continuous",
                         intervals=[Interval(left=0.0, right=10.0)])
                for name in ("Sepal_Length", "Sepal_Width", "Petal_Length", "Petal_Width")]
    return ModelSchema(
        format="pmml", engine="pypmml 1.5", task="classification", algorithm="TreeModel",
        inputs=[
            *measures,
            Variable(name="kind", dtype="string", optype="categorical", values=SPECIES),
            Variable(name="petals", dtype="integer", optype="continuous"),
            Variable(name="code", dtype="string", optype="categorical", values=["1", "2", "10"]),
            Variable(name="grade", dtype="double", optype="ordinal", values=["1", "2.5"],
                     required=False),
            Variable(name="fresh", dtype="boolean", optype="categorical", required=False),
        ],
    )


def onnx_tabular_schema() -> ModelSchema:
    return ModelSchema(
        format="onnx", engine="onnxruntime", task="regression", algorithm="LinearRegressor",
        inputs=[
            Variable(name="age", dtype="int64", shape=[None, 1]),
            Variable(name="income", dtype="float", shape=[None, 1]),
            Variable(name="city", dtype="string", shape=[None, 1]),
            Variable(name="member", dtype="bool", shape=[None]),
        ],
    )


def onnx_vector_schema() -> ModelSchema:
    return ModelSchema(
        format="onnx", engine="onnxruntime", task="classification",
        algorithm="TreeEnsembleClassifier",
        inputs=[Variable(name="float_input", dtype="float", shape=[None, 4])],
    )


def mnist_schema() -> ModelSchema:
    return ModelSchema(
        format="onnx", engine="onnxruntime", task="tensor", algorithm="CNN", tabular=False,
        inputs=[Variable(name="Input3", dtype="float", shape=[1, 1, 28, 28])],
    )


def iris_row(**overrides):
    row = {"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": 0.2,
           "kind": "setosa", "petals": 3, "code": "1"}
    row.update(overrides)
    return row


def tabular_row(**overrides):
    row = {"age": 41, "income": 52000.5, "city": "Lyon", "member": True}
    row.update(overrides)
    return row


def image(height: int = 28, width: int = 28) -> list:
    return [[[0.5] * width for _ in range(height)]]


def invalid(call, *args) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    assert caught.value.status_code == 422
    return caught.value


def bad_request(call, *args) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        call(*args)
    assert caught.value.status_code == 400
    return caught.value


def assert_names(error: InvalidInput, field: str | None, row: int | None) -> None:
    assert error.field == field
    assert error.row == row
    if field is not None:
        assert f"'{field}'" in error.message
    if row is not None:
        assert f"row {row}" in error.message
