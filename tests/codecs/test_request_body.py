"""Request documents decoded for the model (daas.codecs.request_body)."""

from __future__ import annotations

import pytest

from daas.codecs.request_body import decode_document, decode_fields, parse_json
from daas.errors import BadRequest, InvalidInput
from daas.runtimes.base import ModelSchema, Variable


def schema() -> ModelSchema:
    return ModelSchema(format="pmml", engine="fake", task="regression", algorithm="Adder",
                       inputs=[Variable(name="x", dtype="double", optype="continuous"),
                               Variable(name="y", dtype="double", optype="continuous")])


def test_parse_json_names_where_it_breaks():
    assert parse_json(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(BadRequest, match="malformed JSON: .* at line 2 column 1"):
        parse_json(b'{"a":\n}')
    with pytest.raises(BadRequest, match="not UTF-8"):
        parse_json(b"\xff\xfe{")


@pytest.mark.parametrize(("filename", "content_type"), [
    ("rows.CSV", None), (None, "text/csv; charset=utf-8"), (None, "application/csv"),
])
def test_csv_documents_by_file_name_or_content_type(filename, content_type):
    decoded = decode_document(b"x,y\n1,2\n", schema(), filename=filename,
                              content_type=content_type)
    assert decoded.frame.to_dict("records") == [{"x": 1.0, "y": 2.0}]


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain"])
def test_other_documents_are_json(content_type):
    decoded = decode_document(b'{"data": [{"x": 1, "y": 2}]}', schema(),
                              content_type=content_type)
    assert decoded.frame.to_dict("records") == [{"x": 1.0, "y": 2.0}]


def test_an_empty_json_document_says_what_to_send():
    with pytest.raises(BadRequest, match="the request body is empty"):
        decode_document(b" \n", schema())


def test_form_fields_are_one_record():
    assert decode_fields({"x": "1.5", "y": "2"}, schema()).frame.to_dict("records") == [
        {"x": 1.5, "y": 2.0}]
    with pytest.raises(BadRequest, match="the form has no fields"):
        decode_fields({}, schema())
    with pytest.raises(InvalidInput):
        decode_fields({"x": "one", "y": "2"}, schema())
