"""PMML and ONNX value coercion of request rows (daas.codecs.coercion)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from daas.codecs import coerce_frame, decode_json
from daas.runtimes.base import ModelSchema, Variable
from tests.codecs.schemas import (
    assert_names,
    image,
    invalid,
    iris_row,
    mnist_schema,
    onnx_tabular_schema,
    onnx_vector_schema,
    pmml_schema,
    tabular_row,
)

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
