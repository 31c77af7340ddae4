"""Bounds on what a replica's ``POST /predict`` takes: media types, nesting, numbers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from daas.store.tables import AsyncRequest
from tests.deployments.fakes import PREFIX, TensorRuntime, harness

BODY = b'{"data": [{"x": 1, "y": 2}]}'


@pytest.fixture
def adder(tmp_path):
    return harness(tmp_path)


def stored_requests(service) -> list[AsyncRequest]:
    with service.db.read() as session:
        return list(session.exec(select(AsyncRequest)))


@pytest.mark.parametrize("content_type", [
    "text/plain", "image/png", "application/json; charset=utf-16", "application/octet-stream",
])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_content_types_it_does_not_take_are_415_and_never_scored(adder, content_type, mode):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict?mode={mode}", content=BODY,
                               headers={"Content-Type": content_type})
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert adder.runtime.calls == [] and stored_requests(adder) == []


@pytest.mark.parametrize(("content", "headers"), [
    (BODY, {}),                                                  # unlabelled: read as JSON
    (BODY, {"Content-Type": "application/json; charset=UTF-8"}),
    (b"x,y\n1,2\n", {"Content-Type": "text/csv; charset=utf-8"}),
    (b"x=1&y=2", {"Content-Type": "application/x-www-form-urlencoded"}),
])
def test_json_csv_and_forms_are_still_taken(adder, content, headers):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", content=content, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["predictions"][0]["value"] == 3.0


def test_a_csv_file_part_is_read_whatever_its_label(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict",
                               files={"file": ("rows.csv", b"x,y\n1,2\n", "image/png")})
    assert response.status_code == 200, response.text


def test_json_nested_2000_deep_is_400_not_500(adder):
    deep = b'{"data": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", content=deep,
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert "nested deeper than 64" in response.json()["error"]["message"]


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_finite_numbers_are_422_naming_field_and_row(adder, number):
    body = b'{"data": [{"x": 1, "y": 2}, {"x": 1, "y": ' + number + b"}]}"
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", content=body,
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"]["field"] == "y" and error["details"]["row"] == 1
    assert adder.runtime.calls == []


def test_null_is_how_a_missing_value_is_sent(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", json={"data": [{"x": 1, "y": None}]})
    assert response.status_code == 200, response.text


def test_a_non_finite_tensor_element_names_the_input_and_row(tmp_path):
    tensors = harness(tmp_path, TensorRuntime())
    with tensors.client() as client:
        response = client.post(f"{PREFIX}/predict",
                               content=b'{"inputs": {"input": [[1, 2], [3, NaN]]}}',
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == "input"
    assert response.json()["error"]["details"]["row"] == 1
