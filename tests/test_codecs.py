"""Request decoding, value coercion and result encoding (daas.codecs)."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest

from daas.codecs import (
    ACCEPTED_SHAPES, DecodedRequest, coerce_frame, decode_csv, decode_json, rows_to_csv,
    tensors_to_v2_outputs,
)
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


# --- DecodedRequest ----------------------------------------------------------------------

def test_decoded_request_holds_exactly_one_of_frame_and_tensors():
    with pytest.raises(ValueError):
        DecodedRequest()
    with pytest.raises(ValueError):
        DecodedRequest(frame=pd.DataFrame(), tensors={})
    assert DecodedRequest(tensors={}).frame is None


# --- JSON body shapes --------------------------------------------------------------------

def test_records_become_schema_columns_in_order_without_extras():
    decoded = decode_json({"data": [iris_row(extra="ignored"), iris_row(kind="virginica")]},
                          pmml_schema())
    assert decoded.tensors is None
    frame = decoded.frame
    assert list(frame.columns) == [v.name for v in pmml_schema().inputs]
    assert len(frame) == 2
    assert frame["kind"].tolist() == ["setosa", "virginica"]
    assert frame["Sepal_Length"].dtype == np.float64
    assert frame["petals"].dtype == np.int64


def test_single_record_is_one_row():
    frame = decode_json({"data": iris_row()}, pmml_schema()).frame
    assert len(frame) == 1
    assert frame.loc[0, "Sepal_Length"] == 5.1


def test_split_orient_with_ignored_index():
    row = iris_row()
    body = {"data": {"columns": list(row), "index": [7, 8],
                     "data": [list(row.values()), list(iris_row(petals=5).values())]}}
    frame = decode_json(body, pmml_schema()).frame
    assert frame.index.tolist() == [0, 1]
    assert frame["petals"].tolist() == [3, 5]


def test_split_row_with_wrong_length_names_the_row():
    row = iris_row()
    body = {"data": {"columns": list(row), "data": [list(row.values()), [1, 2]]}}
    error = invalid(decode_json, body, pmml_schema())
    assert error.row == 1
    assert "2 values" in error.message and f"{len(row)} columns" in error.message


def test_split_needs_field_names_and_list_rows():
    bad_request(decode_json, {"data": {"columns": [1, 2], "data": [[1, 2]]}}, pmml_schema())
    bad_request(decode_json, {"data": {"columns": ["a"], "data": [{"a": 1}]}}, pmml_schema())


def test_split_with_duplicate_columns_is_refused():
    body = {"data": {"columns": ["kind", "kind"], "data": [["setosa", "setosa"]]}}
    assert invalid(decode_json, body, pmml_schema()).field == "kind"


@pytest.mark.parametrize("body", [
    {"data": []},
    {"data": {"columns": ["Sepal_Length"], "data": []}},
])
def test_no_rows_is_invalid_input(body):
    assert "no rows" in invalid(decode_json, body, pmml_schema()).message


@pytest.mark.parametrize("body", [
    [iris_row()],
    "data",
    None,
    {"rows": [iris_row()]},
    {"data": 5},
    {"data": [[5.1, 3.5, 1.4, 0.2]]},
])
def test_unrecognised_bodies_are_bad_requests_listing_accepted_shapes(body):
    assert ACCEPTED_SHAPES in bad_request(decode_json, body, pmml_schema()).message


def test_data_and_inputs_together_are_a_bad_request():
    error = bad_request(decode_json, {"data": [iris_row()], "inputs": {}}, pmml_schema())
    assert error.message.startswith("Send either 'data' or 'inputs', not both.")


def test_accepted_shapes_mentions_every_shape():
    for word in ("records", "one record", "split", "named tensors", "Open Inference Protocol"):
        assert word in ACCEPTED_SHAPES


def test_named_tensors_for_onnx():
    pixels = [image()]
    tensors = decode_json({"inputs": {"Input3": pixels}}, mnist_schema()).tensors
    assert tensors["Input3"].dtype == np.float32
    assert tensors["Input3"].shape == (1, 1, 28, 28)


def test_named_tensors_for_pmml_explain_that_pmml_takes_rows():
    error = bad_request(decode_json, {"inputs": {"Sepal_Length": [5.1]}}, pmml_schema())
    assert "PMML models take rows" in error.message


def test_named_tensor_with_wrong_shape_names_the_input():
    error = invalid(decode_json, {"inputs": {"Input3": [image(28, 27)]}}, mnist_schema())
    assert error.field == "Input3"
    assert "[1, 1, 28, 27]" in error.message and "[1, 1, 28, 28]" in error.message


def test_named_tensor_with_bad_element_says_where():
    pixels = image()
    pixels[0][3][5] = "dark"
    error = invalid(decode_json, {"inputs": {"Input3": [pixels]}}, mnist_schema())
    assert error.field == "Input3"
    assert "[0, 0, 3, 5]" in error.message and "'dark' is not a number" in error.message


def test_named_tensor_ragged_and_unknown_and_missing_inputs():
    schema = onnx_vector_schema()
    assert "ragged" in invalid(decode_json, {"inputs": {"float_input": [[1, 2, 3, 4], [1]]}},
                               schema).message
    unknown = invalid(decode_json, {"inputs": {"float_input": [[1, 2, 3, 4]], "x": [1]}}, schema)
    assert unknown.field == "x" and "float_input" in unknown.message
    missing = invalid(decode_json, {"inputs": {"age": [[1]]}}, onnx_tabular_schema())
    assert missing.field == "income" and missing.message == "input 'income' is missing"


def test_named_tensor_column_fills_a_trailing_unit_dimension():
    tensors = decode_json({"inputs": {"age": [1, 2], "income": [1.0, 2.0], "city": ["a", "b"],
                                      "member": [True, False]}}, onnx_tabular_schema()).tensors
    assert tensors["age"].shape == (2, 1) and tensors["age"].dtype == np.int64
    assert tensors["city"].dtype == object and tensors["city"].shape == (2, 1)
    assert tensors["member"].shape == (2,) and tensors["member"].dtype == np.bool_


def test_named_tensor_fraction_for_integer_input_is_refused():
    body = {"inputs": {"age": [[1.5]], "income": [[1.0]], "city": [["a"]], "member": [True]}}
    error = invalid(decode_json, body, onnx_tabular_schema())
    assert error.field == "age" and "not an integer" in error.message


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


# --- PMML coercion -----------------------------------------------------------------------

def test_pmml_numbers_and_numeric_strings_become_doubles_and_integers():
    frame = decode_json({"data": [iris_row(Sepal_Length="5.5", Sepal_Width=3, petals="3"),
                                  iris_row(petals=4.0)]}, pmml_schema()).frame
    assert frame["Sepal_Length"].tolist() == [5.5, 5.1]
    assert frame["Sepal_Width"].dtype == np.float64
    assert frame["petals"].tolist() == [3, 4] and frame["petals"].dtype == np.int64


def test_pmml_fractional_integer_names_field_and_row():
    error = invalid(decode_json, {"data": [iris_row(), iris_row(), iris_row(petals=3.5)]},
                    pmml_schema())
    assert_names(error, "petals", 2)
    assert "3.5 is not an integer" in error.message


@pytest.mark.parametrize(("value", "shown"), [
    ("abc", "'abc' is not a number"),
    ({"cm": 5}, '{"cm": 5} is not a number'),
    ([5.1], "[5.1] is not a number"),
    (True, "true is not a number"),
    ("", "'' is not a number"),
])
def test_pmml_non_numbers_for_a_double(value, shown):
    error = invalid(decode_json, {"data": [iris_row(), iris_row(Sepal_Length=value)]},
                    pmml_schema())
    assert_names(error, "Sepal_Length", 1)
    assert error.message == f"row 1, field 'Sepal_Length': {shown}"


def test_pmml_reports_the_first_bad_row_of_many():
    rows = [iris_row() for _ in range(1000)]
    rows[737] = iris_row(Petal_Width="wide")
    rows[900] = iris_row(Petal_Width="wider")
    assert_names(invalid(decode_json, {"data": rows}, pmml_schema()), "Petal_Width", 737)


def test_pmml_unknown_category_lists_the_categories():
    error = invalid(decode_json, {"data": [iris_row(), iris_row(), iris_row(), iris_row(
        kind="purple")]}, pmml_schema())
    assert_names(error, "kind", 3)
    assert error.message == ("row 3, field 'kind': 'purple' is not one of the model's "
                             "categories: setosa, versicolor, virginica")


def test_pmml_numeric_values_match_string_categories_by_value():
    frame = decode_json({"data": [iris_row(code=1), iris_row(code=10.0), iris_row(code="2.0")]},
                        pmml_schema()).frame
    assert frame["code"].tolist() == ["1", "10", "2"]
    error = invalid(decode_json, {"data": [iris_row(code=3)]}, pmml_schema())
    assert_names(error, "code", 0)
    assert "1, 2, 10" in error.message


def test_pmml_numeric_categorical_compares_numbers():
    frame = decode_json({"data": [iris_row(grade="2.50"), iris_row(grade=1)]},
                        pmml_schema()).frame
    assert frame["grade"].tolist() == [2.5, 1.0]
    error = invalid(decode_json, {"data": [iris_row(grade=1), iris_row(grade=2)]}, pmml_schema())
    assert_names(error, "grade", 1)
    assert "not one of the model's categories: 1, 2.5" in error.message


def test_pmml_integer_categorical_compares_numbers():
    schema = ModelSchema(format="pmml", engine="pypmml", task="regression", algorithm="x",
                         inputs=[Variable(name="rooms", dtype="integer", optype="categorical",
                                          values=["1", "2", "3"])])
    frame = decode_json({"data": [{"rooms": "2"}, {"rooms": 3.0}]}, schema).frame
    assert frame["rooms"].tolist() == [2, 3] and frame["rooms"].dtype == np.int64
    assert_names(invalid(decode_json, {"data": [{"rooms": 1}, {"rooms": 4}]}, schema), "rooms", 1)


def test_pmml_long_category_lists_are_shortened():
    schema = pmml_schema()
    schema.inputs[4] = Variable(name="kind", dtype="string", optype="categorical",
                                values=[f"c{i}" for i in range(30)])
    error = invalid(decode_json, {"data": [iris_row(kind="zz")]}, schema)
    assert "c19, ... (30 in all)" in error.message and "c20" not in error.message


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), ("true", True), ("FALSE", False), (1, True), (0, False),
    ("1", True), ("0", False),
])
def test_pmml_booleans(value, expected):
    frame = decode_json({"data": [iris_row(fresh=value)]}, pmml_schema()).frame
    assert frame["fresh"].tolist() == [expected]
    assert frame["fresh"].dtype == bool


@pytest.mark.parametrize("value", ["maybe", 2, 0.5, {"yes": 1}])
def test_pmml_non_booleans_are_refused(value):
    error = invalid(decode_json, {"data": [iris_row(fresh=value)]}, pmml_schema())
    assert_names(error, "fresh", 0)
    assert "is not a boolean" in error.message


def test_pmml_string_field_refuses_objects():
    error = invalid(decode_json, {"data": [iris_row(kind={"name": "setosa"})]}, pmml_schema())
    assert_names(error, "kind", 0)
    assert "is not a string" in error.message


def test_pmml_out_of_interval_values_pass_through():
    frame = decode_json({"data": [iris_row(Sepal_Length=-40.0, Petal_Length=1e6)]},
                        pmml_schema()).frame
    assert frame.loc[0, "Sepal_Length"] == -40.0 and frame.loc[0, "Petal_Length"] == 1e6


def test_pmml_nulls_are_missing_values():
    rows = [iris_row(Sepal_Length=None, kind=None, petals=None, code=None, fresh=None),
            iris_row(Sepal_Length="nan")]
    frame = decode_json({"data": rows}, pmml_schema()).frame
    assert frame["Sepal_Length"].isna().all()
    assert frame.loc[0, "kind"] is None and frame.loc[0, "code"] is None
    assert frame["petals"].dtype == np.float64 and math.isnan(frame.loc[0, "petals"])
    assert frame["petals"].tolist()[1] == 3.0
    assert frame.loc[0, "fresh"] is None


def test_pmml_key_absent_from_one_row_names_the_row():
    second = iris_row()
    del second["kind"]
    error = invalid(decode_json, {"data": [iris_row(), second]}, pmml_schema())
    assert_names(error, "kind", 1)
    assert "send null" in error.message


def test_pmml_field_absent_from_every_row():
    row = iris_row()
    del row["Petal_Width"]
    error = invalid(decode_json, {"data": [row, row]}, pmml_schema())
    assert error.field == "Petal_Width" and error.row is None
    assert error.message == "field 'Petal_Width' is missing in every row"


def test_pmml_optional_fields_may_be_absent():
    frame = decode_json({"data": [iris_row()]}, pmml_schema()).frame
    assert math.isnan(frame.loc[0, "grade"])
    assert frame.loc[0, "fresh"] is None


def test_coerce_frame_counts_rows_by_position_not_index():
    frame = pd.DataFrame([iris_row(), iris_row(petals="x")], index=[10, 20])
    coerced = invalid(coerce_frame, frame, pmml_schema())
    assert_names(coerced, "petals", 1)
    good = coerce_frame(pd.DataFrame([iris_row()], index=[5]), pmml_schema())
    assert good.index.tolist() == [0]


def test_coerce_frame_refuses_duplicate_and_empty_input():
    frame = pd.DataFrame([[5.1, 5.2]], columns=["Sepal_Length", "Sepal_Length"])
    assert invalid(coerce_frame, frame, pmml_schema()).field == "Sepal_Length"
    assert "no rows" in invalid(coerce_frame, pd.DataFrame(), pmml_schema()).message


def test_pmml_date_like_types_are_kept_as_strings():
    schema = ModelSchema(format="pmml", engine="pypmml", task="regression", algorithm="x",
                         inputs=[Variable(name="day", dtype="date", optype="continuous")])
    frame = decode_json({"data": [{"day": "2024-01-31"}]}, schema).frame
    assert frame["day"].tolist() == ["2024-01-31"]


# --- ONNX coercion -----------------------------------------------------------------------

def test_onnx_tabular_cells_become_typed_columns():
    rows = [tabular_row(), tabular_row(age=[7], income="1.5", member="false", city=3)]
    frame = decode_json({"data": rows}, onnx_tabular_schema()).frame
    assert frame["age"].dtype == np.int64 and frame["age"].tolist() == [41, 7]
    assert frame["income"].dtype == np.float32 and frame["income"].tolist() == [52000.5, 1.5]
    assert frame["city"].tolist() == ["Lyon", "3"]
    assert frame["member"].dtype == bool and frame["member"].tolist() == [True, False]


def test_onnx_tabular_list_with_more_than_one_value():
    error = invalid(decode_json, {"data": [tabular_row(income=[1.0, 2.0])]},
                    onnx_tabular_schema())
    assert_names(error, "income", 0)
    assert "expected 1 value, got 2" in error.message


@pytest.mark.parametrize("field", ["age", "income", "city", "member"])
def test_onnx_refuses_nulls(field):
    error = invalid(decode_json, {"data": [tabular_row(), tabular_row(**{field: None})]},
                    onnx_tabular_schema())
    assert_names(error, field, 1)
    assert "a value is required" in error.message


def test_onnx_integer_checks():
    fraction = invalid(decode_json, {"data": [tabular_row(age=41.5)]}, onnx_tabular_schema())
    assert_names(fraction, "age", 0)
    schema = ModelSchema(format="onnx", engine="ort", task="regression", algorithm="x",
                         inputs=[Variable(name="n", dtype="int32", shape=[None, 1])])
    too_big = invalid(decode_json, {"data": [{"n": 1}, {"n": 2**40}]}, schema)
    assert_names(too_big, "n", 1)
    assert "out of range for int32" in too_big.message


def test_onnx_vector_cells_are_arrays_of_the_input_dtype():
    frame = decode_json({"data": [{"float_input": [5.1, 3.5, 1.4, 0.2]},
                                  {"float_input": ["6", 3, 4, 1]}]},
                        onnx_vector_schema()).frame
    cells = frame["float_input"].tolist()
    assert all(isinstance(cell, np.ndarray) and cell.dtype == np.float32 for cell in cells)
    assert np.stack(cells).shape == (2, 4)
    assert cells[1].tolist() == [6.0, 3.0, 4.0, 1.0]


@pytest.mark.parametrize(("cell", "problem"), [
    ([1, 2, 3], "expected 4 values, got 3"),
    (5.0, "expected 4 values, got a single value"),
    ([1, 2, "x", 4], "at [2]: 'x' is not a number"),
    ([1, 2, None, 4], "at [2]: null is missing"),
    ([[1, 2], [3, 4]], "expected 4 values, got [2, 2]"),
    ([[1, 2], 3], "ragged"),
])
def test_onnx_vector_cell_errors_name_field_and_row(cell, problem):
    body = {"data": [{"float_input": [1, 2, 3, 4]}, {"float_input": cell}]}
    error = invalid(decode_json, body, onnx_vector_schema())
    assert_names(error, "float_input", 1)
    assert problem in error.message


def test_onnx_image_cells_keep_their_shape():
    frame = decode_json({"data": {"Input3": image()}}, mnist_schema()).frame
    (cell,) = frame["Input3"].tolist()
    assert cell.shape == (1, 28, 28) and cell.dtype == np.float32


def test_onnx_image_with_wrong_shape():
    error = invalid(decode_json, {"data": [{"Input3": image(28, 27)}]}, mnist_schema())
    assert_names(error, "Input3", 0)
    assert "expected shape [1, 28, 28], got [1, 28, 27]" in error.message


def test_onnx_dynamic_cell_dimensions_must_agree_across_rows():
    schema = ModelSchema(format="onnx", engine="ort", task="tensor", algorithm="x",
                         inputs=[Variable(name="seq", dtype="int64", shape=[None, None])])
    frame = decode_json({"data": [{"seq": [1, 2]}, {"seq": [3, 4]}]}, schema).frame
    assert np.stack(frame["seq"].tolist()).dtype == np.int64
    error = invalid(decode_json, {"data": [{"seq": [1, 2]}, {"seq": [3, 4, 5]}]}, schema)
    assert_names(error, "seq", 1)
    assert "differs from row 0" in error.message


def test_onnx_missing_input_column():
    error = invalid(decode_json, {"data": [{"income": 1.0}]}, onnx_tabular_schema())
    assert error.field == "age" and "missing in every row" in error.message


# --- CSV in ------------------------------------------------------------------------------

IRIS_HEADER = "Sepal_Length,Sepal_Width,Petal_Length,Petal_Width,kind,petals,code"


def test_csv_rows_are_coerced():
    text = f"\ufeff{IRIS_HEADER}\n5.1, 3.5,1.4,0.2,setosa,3,1\n\n6.2,,4.5,1.5,\"versicolor\",4,10\n"
    frame = decode_csv(text.encode("utf-8"), pmml_schema()).frame
    assert len(frame) == 2
    assert frame["Sepal_Width"].tolist()[0] == 3.5 and math.isnan(frame["Sepal_Width"][1])
    assert frame["kind"].tolist() == ["setosa", "versicolor"]
    assert frame["petals"].tolist() == [3, 4]


def test_csv_accepts_str_and_quoted_commas():
    schema = ModelSchema(format="pmml", engine="pypmml", task="regression", algorithm="x",
                         inputs=[Variable(name="note", dtype="string"),
                                 Variable(name="x", dtype="double")])
    frame = decode_csv('note,x\n"a, b",1\n', schema).frame
    assert frame.loc[0, "note"] == "a, b" and frame.loc[0, "x"] == 1.0


def test_csv_ragged_line_is_named():
    text = f"{IRIS_HEADER}\n5.1,3.5,1.4,0.2,setosa,3,1\n5.1,3.5,setosa\n"
    error = invalid(decode_csv, text, pmml_schema())
    assert "line 3 has 3 values but the header has 7 columns" in error.message
    assert error.row == 1


def test_csv_bad_values_name_field_and_row():
    text = f"{IRIS_HEADER}\n5.1,3.5,1.4,0.2,setosa,3,1\n5.1,3.5,1.4,0.2,purple,3,1\n"
    assert_names(invalid(decode_csv, text, pmml_schema()), "kind", 1)


def test_csv_bad_encoding_empty_and_header_only():
    bad_request(decode_csv, b"kind\n\xff\xfe\xfa\n", pmml_schema())
    bad_request(decode_csv, b"", pmml_schema())
    assert "no rows" in invalid(decode_csv, IRIS_HEADER + "\n", pmml_schema()).message


def test_csv_without_a_required_column():
    header = IRIS_HEADER.replace(",kind", "")
    error = invalid(decode_csv, f"{header}\n5.1,3.5,1.4,0.2,3,1\n", pmml_schema())
    assert error.field == "kind" and "missing in every row" in error.message


def test_csv_duplicate_header_is_refused():
    assert invalid(decode_csv, "kind,kind\nsetosa,setosa\n", pmml_schema()).field == "kind"


def test_csv_vector_cells_may_be_json_lists():
    frame = decode_csv('float_input\n"[1, 2, 3, 4]"\n"[5, 6, 7, 8]"\n',
                       onnx_vector_schema()).frame
    assert np.stack(frame["float_input"].tolist()).tolist()[1] == [5, 6, 7, 8]
    error = invalid(decode_csv, "float_input\n1 2 3 4\n", onnx_vector_schema())
    assert_names(error, "float_input", 0)
    assert "is not a list; expected 4 values" in error.message


# --- CSV out -----------------------------------------------------------------------------

def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_rows_to_csv_classification_puts_task_fields_first():
    rows = [{
        "outputs": {"output_label": "setosa", "output_probability": {"setosa": 0.9,
                                                                     "versicolor": 0.1},
                    "scores": [0.9, 0.1], "extra": [1, 2, 3]},
        "label": "setosa", "probabilities": {"setosa": 0.9, "versicolor": 0.1},
    }]
    text = rows_to_csv(rows)
    assert text.splitlines()[0] == ("label,probability(setosa),probability(versicolor),"
                                    "output_label,extra")
    (row,) = parse_csv(text)
    assert row["probability(setosa)"] == "0.9"
    assert row["extra"] == "[1, 2, 3]"


def test_rows_to_csv_other_tasks_and_clashing_output_names():
    rows = [
        {"outputs": {"value": 3.25, "variance": np.float32(0.5)}, "value": 3.25,
         "interval": {"lower": 3.0, "upper": 3.5}},
        {"outputs": {"cluster_id": "2"}, "cluster": "2", "distance": 0.4, "affinity": None},
        {"outputs": {"pcs": np.array([0.1, 0.2])}, "components": [0.1, 0.2],
         "flagged": True},
    ]
    text = rows_to_csv(rows)
    header = text.splitlines()[0].split(",")
    assert header == ["value", "cluster", "distance", "affinity", "component_0",
                      "component_1", "interval(lower)", "interval(upper)", "flagged",
                      "output.value", "variance", "cluster_id"]
    first, second, third = parse_csv(text)
    assert first["output.value"] == "3.25" and first["variance"] == "0.5"
    assert first["cluster"] == "" and second["affinity"] == ""
    assert third["component_1"] == "0.2" and third["flagged"] == "true"


def test_rows_to_csv_without_rows_is_empty():
    assert rows_to_csv([]) == ""
