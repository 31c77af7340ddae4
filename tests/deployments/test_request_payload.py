"""Prediction request bodies read, unpacked and decoded (daas.deployments.request_payload)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from daas.deployments.http_responses import error_response
from daas.deployments.request_payload import (
    Payload,
    decode_payload,
    parse_document,
    read_payload,
    unpack,
)
from daas.errors import BadRequest, DaasError
from daas.runtimes.base import ModelSchema, Variable

SCHEMA = ModelSchema(format="pmml", engine="fake", task="regression", algorithm="Adder",
                     inputs=[Variable(name="x", dtype="double", optype="continuous"),
                             Variable(name="y", dtype="double", optype="continuous")])


async def _rows(request: Request):
    try:
        decoded = decode_payload(await read_payload(request), SCHEMA)
    except DaasError as exc:
        return error_response(exc)
    return JSONResponse(decoded.frame.to_dict("records"))


@pytest.fixture
def client():
    with TestClient(Starlette(routes=[Route("/", _rows, methods=["POST"])])) as test_client:
        yield test_client


ROWS = [{"x": 1.0, "y": 2.0}]


def test_json_csv_form_fields_and_uploads_read_the_same(client):
    assert client.post("/", json={"data": [{"x": 1, "y": 2}]}).json() == ROWS
    assert client.post("/", content=b'{"data": {"x": 1, "y": 2}}').json() == ROWS
    csv = b"x,y\n1,2\n"
    assert client.post("/", content=csv, headers={"content-type": "text/csv"}).json() == ROWS
    assert client.post("/", data={"x": "1", "y": "2", "z": ""}).json() == ROWS
    upload = {"file": ("rows.csv", csv, "application/octet-stream")}
    assert client.post("/", files=upload).json() == ROWS


def test_an_empty_form_and_a_broken_one_are_bad_requests(client):
    empty = client.post("/", data={"x": ""})
    assert empty.status_code == 400
    assert "the form has no fields" in empty.json()["error"]["message"]
    broken = client.post("/", content=b"--nope", headers={"content-type": "multipart/form-data"})
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "bad_request"


def test_unpack_keeps_documents_and_splits_forms():
    document = asyncio.run(unpack(b"x,y\n1,2\n", "text/csv"))
    assert document == Payload(data=b"x,y\n1,2\n", content_type="text/csv")
    form = asyncio.run(unpack(b"x=1&y=2", "application/x-www-form-urlencoded"))
    assert form == Payload(fields={"x": "1", "y": "2"})
    assert decode_payload(form, SCHEMA).frame.to_dict("records") == ROWS


def test_a_parsed_json_list_is_taken_as_records():
    assert decode_payload(Payload.from_json([{"x": 1, "y": 2}]), SCHEMA).frame.to_dict(
        "records") == ROWS
    with pytest.raises(BadRequest):
        decode_payload(Payload(fields={}), SCHEMA)


def _outcome(payload: Payload):
    try:
        return decode_payload(payload, SCHEMA).frame.to_dict("records")
    except DaasError as exc:
        return exc.to_body()


@pytest.mark.parametrize("payload", [
    Payload(data=b'{"data": [{"x": 1, "y": 2}]}', content_type="application/json"),
    Payload(data=b'{"data": {"columns": ["x", "y"], "data": [[1, 2]]}}'),
    Payload(data=b"x,y\n1,2\n", content_type="text/csv"),
    Payload(data=b"x,y\n1,2\n", filename="rows.CSV"),
    Payload(data=b"null"), Payload(data=b"[1]"), Payload(data=b"  "), Payload(data=b"{oops"),
    Payload(fields={"x": "1", "y": "2"}),
    Payload.from_json([{"x": 1, "y": 2}]),
], ids=["records", "split", "csv", "csv-file", "null", "list", "blank", "malformed", "form", "parsed"])
def test_parsing_first_decodes_every_payload_as_before(payload):
    try:
        parsed = parse_document(payload)
    except BadRequest as exc:  # a malformed document fails at parsing, with the same error
        assert exc.to_body() == _outcome(payload)
        return
    assert _outcome(parsed) == _outcome(payload)
    if payload.json_body is None and payload.fields is None and payload.data.strip().startswith(b"{"):
        assert parsed.json_body is not None  # decoding then skips the costly parse
