"""JSON documents parsed within bounds (daas.codecs.json_document)."""

from __future__ import annotations

import pytest

from daas.codecs.json_document import MAX_DEPTH, nesting_depth, parse_json
from daas.errors import BadRequest, InvalidInput


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_deeper_than_the_limit_is_a_bad_request_not_a_recursion_error():
    with pytest.raises(BadRequest, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_json(b'{"data": ' + nested(2000) + b"}")
    assert parse_json(nested(MAX_DEPTH)) is not None
    with pytest.raises(BadRequest, match="nested deeper than 3"):
        parse_json(b'{"a": [{"b": []}]}', max_depth=3)


@pytest.mark.parametrize(("document", "depth"), [
    (b"", 0), (b"1", 0), (b"[]", 1), (b'{"a": [1, {"b": []}]}', 4),
    (b'["[[[[[[", "]]"]', 1),                # brackets in strings do not count
    (b'["\\"[[[[", "x"]', 1),                # nor after an escaped quote
    (b'["a\\\\", [[["x"]]]]', 4),            # an escaped backslash closes no string
])
def test_nesting_depth_counts_brackets_outside_strings(document, depth):
    assert nesting_depth(document) == depth


@pytest.mark.parametrize(("document", "field", "row"), [
    (b'{"data": [{"x": 1, "y": 2}, {"x": NaN, "y": 2}]}', "x", 1),
    (b'{"data": {"x": 1, "y": Infinity}}', "y", 0),
    (b'[{"x": 1}, {"x": 2}, {"x": -Infinity}]', "x", 2),
    (b'{"data": {"columns": ["x", "y"], "data": [[1, 2], [3, 1e999]]}}', "y", 1),
    (b'{"inputs": {"t": [[1.0, 2.0], [NaN, 4.0]]}}', "t", 1),
    (b'{"inputs": [{"name": "t", "shape": [2, 2], "datatype": "FP32", '
     b'"data": [1, 2, 3, NaN]}]}', "t", 1),
    (b'{"inputs": [{"name": "t", "shape": [2, 2], "datatype": "FP32", '
     b'"data": [[1, 2], [Infinity, 4]]}]}', "t", 1),
])
def test_non_finite_numbers_are_422_naming_field_and_row(document, field, row):
    with pytest.raises(InvalidInput, match="NaN and infinite numbers are not accepted") as caught:
        parse_json(document)
    assert (caught.value.field, caught.value.row) == (field, row)
    assert caught.value.status_code == 422
    assert f"row {row}, field '{field}'" in caught.value.message


def test_numbers_beyond_64_bits_are_refused_and_null_still_means_missing():
    with pytest.raises(InvalidInput, match="64 bits") as caught:
        parse_json(b'{"data": [{"x": 1}, {"x": ' + b"9" * 400 + b"}]}")
    assert caught.value.details == {"field": "x", "row": 1, "path": "data[1].x"}
    with pytest.raises(InvalidInput, match="infinite"):
        parse_json(b'{"data": [{"x": 1' + b"0" * 400 + b'.5}]}')
    assert parse_json(b'[18446744073709551615, -9223372036854775808, 1e308, 1e-400]') == [
        2**64 - 1, -(2**63), 1e308, 0.0]
    assert parse_json(b'{"data": [{"x": null, "note": "NaN 1e999"}]}') == {
        "data": [{"x": None, "note": "NaN 1e999"}]}


def test_only_utf8_is_read():
    assert parse_json('{"name": "é"}'.encode()) == {"name": "é"}
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
    with pytest.raises(BadRequest, match="not UTF-8"):
        parse_json('{"a": 1}'.encode("utf-16"))


def test_a_csv_cell_spelling_a_deep_list_is_422_not_a_recursion_error():
    from daas.codecs import decode_csv
    from daas.runtimes.base import ModelSchema, Variable

    schema = ModelSchema(format="onnx", engine="fake", task="regression", algorithm="A",
                         inputs=[Variable(name="t", dtype="float", shape=[None, 2])])
    cell = '"' + "[" * 3000 + "]" * 3000 + '"'
    with pytest.raises(InvalidInput, match="is not a list") as caught:
        decode_csv(f"t\n{cell}\n".encode(), schema)
    assert (caught.value.field, caught.value.row) == ("t", 0)
