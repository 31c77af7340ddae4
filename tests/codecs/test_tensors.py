"""Open Inference Protocol v2 tensors in and out (daas.codecs.tensors)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from daas.codecs import V2_DATATYPES, decode_json, tensors_to_v2_outputs, v2_datatype
from daas.codecs.values import ONNX_DTYPES
from daas.runtimes.base import ModelSchema, Variable
from tests.codecs.schemas import bad_request, invalid, onnx_vector_schema, pmml_schema

# --- Open Inference Protocol v2 ----------------------------------------------------------

def v2(name="float_input", shape=(2, 4), datatype="FP32", data=None):
    values = list(range(math.prod(shape))) if data is None else data
    return {"inputs": [{"name": name, "shape": list(shape), "datatype": datatype,
                        "data": values}]}


def test_v2_flat_data_is_reshaped_to_the_model_dtype():
    tensor = decode_json(v2(), onnx_vector_schema()).tensors["float_input"]
    assert tensor.shape == (2, 4) and tensor.dtype == np.float32
    assert tensor[1].tolist() == [4.0, 5.0, 6.0, 7.0]


def test_v2_nested_data_is_accepted():
    body = v2(data=[[1, 2, 3, 4], [5, 6, 7, 8]])
    assert decode_json(body, onnx_vector_schema()).tensors["float_input"].sum() == 36


@pytest.mark.parametrize("datatype", ["FP16", "FP32", "FP64", "INT8", "INT32", "INT64",
                                      "UINT8", "UINT64"])
def test_v2_numeric_datatypes_convert_to_a_float_input(datatype):
    tensor = decode_json(v2(datatype=datatype), onnx_vector_schema()).tensors["float_input"]
    assert tensor.dtype == np.float32 and tensor.ravel().tolist() == list(map(float, range(8)))


@pytest.mark.parametrize(("dtype", "datatype", "data", "expected"), [
    ("int64", "INT64", [1, 2], np.int64),
    ("int64", "FP32", [1.0, 2.0], np.int64),
    ("int32", "INT32", ["1", "2"], np.int32),
    ("double", "FP64", [0.5, 1.5], np.float64),
    ("bool", "BOOL", [True, False], np.bool_),
    ("bool", "BOOL", [1, 0], np.bool_),
    ("string", "BYTES", ["a", "b"], object),
])
def test_v2_datatypes_map_to_numpy(dtype, datatype, data, expected):
    schema = ModelSchema(format="onnx", engine="ort", task="tensor", algorithm="x",
                         inputs=[Variable(name="x", dtype=dtype, shape=[None])])
    tensor = decode_json(v2("x", [2], datatype, data), schema).tensors["x"]
    assert tensor.dtype == np.dtype(expected)
    assert tensor.shape == (2,)


def test_v2_fractional_floats_for_an_integer_input_are_refused():
    schema = ModelSchema(format="onnx", engine="ort", task="tensor", algorithm="x",
                         inputs=[Variable(name="x", dtype="int64", shape=[None])])
    error = invalid(decode_json, v2("x", [2], "FP32", [1.5, 2.0]), schema)
    assert error.field == "x" and "int64" in error.message


def test_v2_bool_for_a_float_input_is_refused():
    error = invalid(decode_json, v2(datatype="BOOL", data=[True] * 8), onnx_vector_schema())
    assert "BOOL" in error.message and "float" in error.message


def test_v2_wrong_size_data_names_the_input():
    error = invalid(decode_json, v2(data=[1, 2, 3]), onnx_vector_schema())
    assert error.field == "float_input" and "needs 8 values, got 3" in error.message


def test_v2_data_not_of_its_datatype_is_refused():
    error = invalid(decode_json, v2(data=[1, 2, 3, "x", 5, 6, 7, 8]), onnx_vector_schema())
    assert error.field == "float_input" and "'x' is not a number" in error.message


def test_v2_shape_must_fit_the_model():
    error = invalid(decode_json, v2(shape=(2, 3), data=list(range(6))), onnx_vector_schema())
    assert "[?, 4]" in error.message


@pytest.mark.parametrize("entry", [
    {"shape": [1], "datatype": "FP32", "data": [1]},
    {"name": "float_input", "shape": "1", "datatype": "FP32", "data": [1]},
    {"name": "float_input", "shape": [1, 4], "datatype": "BF16", "data": [1, 2, 3, 4]},
    {"name": "float_input", "shape": [1, 4], "datatype": "FP32"},
    "float_input",
])
def test_v2_malformed_entries_are_bad_requests(entry):
    bad_request(decode_json, {"inputs": [entry]}, onnx_vector_schema())


def test_v2_inputs_for_pmml_are_columns_of_rows():
    body = {"inputs": [
        {"name": name, "shape": [2], "datatype": "FP64", "data": [5.1, 6.2]}
        for name in ("Sepal_Length", "Sepal_Width", "Petal_Length", "Petal_Width")
    ] + [
        {"name": "kind", "shape": [2, 1], "datatype": "BYTES", "data": [["setosa"], ["virginica"]]},
        {"name": "petals", "shape": [2], "datatype": "INT64", "data": [3, 4]},
        {"name": "code", "shape": [2], "datatype": "BYTES", "data": ["1", "10"]},
    ]}
    frame = decode_json(body, pmml_schema()).frame
    assert frame["kind"].tolist() == ["setosa", "virginica"]
    assert frame["petals"].tolist() == [3, 4]


def test_v2_inputs_for_pmml_must_be_columns_of_equal_length():
    columns = {"inputs": [{"name": "Sepal_Length", "shape": [2, 2], "datatype": "FP64",
                           "data": [1, 2, 3, 4]}]}
    assert "[n]" in invalid(decode_json, columns, pmml_schema()).message
    uneven = {"inputs": [
        {"name": "Sepal_Length", "shape": [2], "datatype": "FP64", "data": [1, 2]},
        {"name": "Sepal_Width", "shape": [3], "datatype": "FP64", "data": [1, 2, 3]},
    ]}
    assert invalid(decode_json, uneven, pmml_schema()).field == "Sepal_Width"


@pytest.mark.parametrize(("array", "datatype"), [
    (np.zeros((2, 3), dtype=np.float32), "FP32"),
    (np.zeros(2, dtype=np.float64), "FP64"),
    (np.zeros(2, dtype=np.float16), "FP16"),
    (np.zeros(2, dtype=np.int64), "INT64"),
    (np.zeros(2, dtype=np.int32), "INT32"),
    (np.zeros(2, dtype=np.uint8), "UINT8"),
    (np.zeros(2, dtype=np.bool_), "BOOL"),
    (np.array(["a", "b"]), "BYTES"),
    (np.array(["a", "b"], dtype=object), "BYTES"),
])
def test_v2_outputs_datatypes(array, datatype):
    (entry,) = tensors_to_v2_outputs({"out": array})
    assert entry["datatype"] == datatype
    assert entry["shape"] == list(array.shape)
    assert len(entry["data"]) == array.size


def test_v2_outputs_flatten_and_make_json_ready():
    entries = tensors_to_v2_outputs({
        "probabilities": np.array([[0.25, 0.75], [np.nan, 1.0]], dtype=np.float32),
        "label": [b"cat", "dog"],
        "maps": [{"cat": 0.25}],
    })
    by_name = {entry["name"]: entry for entry in entries}
    assert by_name["probabilities"]["data"] == [0.25, 0.75, None, 1.0]
    assert by_name["probabilities"]["shape"] == [2, 2]
    assert by_name["label"]["data"] == ["cat", "dog"]
    assert by_name["maps"] == {"name": "maps", "shape": [1], "datatype": "BYTES",
                               "data": ['{"cat": 0.25}']}


# --- schema dtypes as v2 datatypes -------------------------------------------------------

@pytest.mark.parametrize(("dtype", "datatype"), [
    ("float", "FP32"), ("double", "FP64"), ("float16", "FP16"),
    ("int8", "INT8"), ("int16", "INT16"), ("int32", "INT32"), ("int64", "INT64"),
    ("integer", "INT64"), ("uint8", "UINT8"), ("uint64", "UINT64"),
    ("bool", "BOOL"), ("boolean", "BOOL"), ("string", "BYTES"),
])
def test_v2_datatype_of_schema_dtypes(dtype, datatype):
    assert v2_datatype(dtype) == datatype
    assert v2_datatype(dtype.upper()) == datatype


@pytest.mark.parametrize("dtype", ["date", "seq(map(string,float))", "tensor(float)", ""])
def test_v2_datatype_of_other_dtypes_is_bytes(dtype):
    assert v2_datatype(dtype) == "BYTES"


def test_every_v2_datatype_of_a_schema_dtype_is_a_known_datatype():
    assert all(v2_datatype(name) in V2_DATATYPES for name in ONNX_DTYPES)
