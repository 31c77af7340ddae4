"""Request bodies (JSON shapes, named tensors, CSV) decoded against a schema."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from daas.codecs import ACCEPTED_SHAPES, DecodedRequest, decode_csv, decode_json, decoding
from daas.runtimes.base import ModelSchema, Variable
from tests.codecs.schemas import (
    SPECIES,
    assert_names,
    bad_request,
    image,
    invalid,
    iris_row,
    mnist_schema,
    onnx_tabular_schema,
    onnx_vector_schema,
    pmml_schema,
)

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
