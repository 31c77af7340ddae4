"""The service's HTTP endpoint, served without Ray by a Starlette test client."""

from __future__ import annotations

import numpy as np
import pytest

from tests.deployments.fakes import (
    PREFIX,
    AdderRuntime,
    TensorRuntime,
    harness,
    user_token,
)

RECORDS = {"data": [{"x": 1, "y": 2}, {"x": 3.5, "y": 0.5}]}


@pytest.fixture
def adder(tmp_path):
    return harness(tmp_path)


def test_predict_records_answers_rows_with_service_identity(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", json=RECORDS)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "service": "adder", "model": "adder-model", "version": 3, "task": "regression",
        "predictions": [{"outputs": {"total": 3.0}, "value": 3.0},
                        {"outputs": {"total": 4.0}, "value": 4.0}]}


@pytest.mark.parametrize("body", [
    {"data": {"x": 1, "y": 2}},
    {"data": {"columns": ["x", "y"], "data": [[1, 2]]}},
    {"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1]},
                {"name": "y", "shape": [1], "datatype": "FP64", "data": [2]}]},
], ids=["single-record", "split", "v2-columns"])
def test_predict_accepts_every_row_shape(adder, body):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", json=body)
    assert response.status_code == 200, response.text
    assert [row["value"] for row in response.json()["predictions"]] == [3.0]


def test_csv_in_csv_out(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict?format=csv", content="x,y\n1,2\n10,5\n",
                               headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines() == ["value,total", "3.0,3.0", "15.0,15.0"]


def test_accept_header_asks_for_csv(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", json=RECORDS, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "value,total"


def test_multipart_file_upload(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", files={"file": ("rows.csv", b"x,y\n2,2\n")})
    assert response.status_code == 200, response.text
    assert response.json()["predictions"][0]["value"] == 4.0


def test_form_fields_are_one_record(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", data={"x": "1", "y": "1"})
    assert response.status_code == 200, response.text
    assert response.json()["predictions"][0]["value"] == 2.0


def test_malformed_json_is_400(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", content=b'{"data": [',
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request" and "malformed JSON" in error["message"]


def test_schema_mismatch_is_422_naming_field_and_row(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", json={"data": [{"x": 1, "y": 2},
                                                                   {"x": "abc", "y": 2}]})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "x", "row": 1}


def test_body_over_the_limit_is_413_by_content_length(tmp_path):
    small = harness(tmp_path, max_request_bytes=64)
    with small.client() as client:
        response = client.post(f"{PREFIX}/predict", json={"data": [{"x": 1, "y": 2}] * 10})
    assert response.status_code == 413
    assert response.json()["error"]["details"] == {"limit": 64}
    assert small.runtime.calls == []


def test_body_over_the_limit_is_413_while_streaming(tmp_path):
    small = harness(tmp_path, max_request_bytes=64)
    chunks = iter([b'{"data": [', b'{"x": 1, "y": 2},' * 10, b"{}]}"])
    with small.client() as client:
        response = client.post(f"{PREFIX}/predict", content=chunks,
                               headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_tensor_model_answers_outputs_and_refuses_csv(tmp_path):
    tensors = harness(tmp_path, TensorRuntime())
    body = {"inputs": {"input": [[1, 2], [3, 4]]}}
    with tensors.client() as client:
        response = client.post(f"{PREFIX}/predict", json=body)
        as_csv = client.post(f"{PREFIX}/predict?format=csv", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"service": "adder", "model": "adder-model", "version": 3,
                               "outputs": {"output": [3.0, 7.0]}}
    assert as_csv.status_code == 400


def test_metadata_describes_inputs_and_outputs(adder):
    with adder.client() as client:
        root = client.get(f"{PREFIX}/")
        named = client.get(f"{PREFIX}/metadata")
    assert root.status_code == named.status_code == 200
    body = root.json()
    assert body == named.json()
    assert {k: body[k] for k in ("service", "model", "version", "task", "format")} == {
        "service": "adder", "model": "adder-model", "version": 3, "task": "regression",
        "format": "pmml"}
    assert [v["name"] for v in body["inputs"]] == ["x", "y"]
    assert [v["name"] for v in body["targets"]] == ["total"]
    assert body["outputs"] == []


def test_unknown_path_is_404_and_wrong_method_405(adder):
    with adder.client() as client:
        missing = client.get(f"{PREFIX}/nope")
        wrong = client.get(f"{PREFIX}/predict")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    assert wrong.json()["error"]["code"] == "method_not_allowed"


def test_bad_query_values_are_400(adder):
    with adder.client() as client:
        assert client.post(f"{PREFIX}/predict?format=xml", json=RECORDS).status_code == 400
        assert client.post(f"{PREFIX}/predict?mode=later", json=RECORDS).status_code == 400


def test_missing_token_is_401_with_www_authenticate(adder):
    with adder.client(token=None) as client:
        response = client.post(f"{PREFIX}/predict", json=RECORDS)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"


def test_unknown_token_is_401_even_on_unknown_paths(adder):
    with adder.client(token="daas_not-a-token") as client:
        assert client.post(f"{PREFIX}/predict", json=RECORDS).status_code == 401
        assert client.get(f"{PREFIX}/anything").status_code == 401


def test_user_token_is_accepted(adder):
    _, secret = user_token(adder.db)
    with adder.client(token=secret) as client:
        assert client.post(f"{PREFIX}/predict", json=RECORDS).status_code == 200


def test_a_bug_answers_500_json_without_traceback(tmp_path):
    class Broken(AdderRuntime):
        def predict(self, frame):
            raise ZeroDivisionError("secret internals")

    broken = harness(tmp_path, Broken())
    with broken.client() as client:
        response = client.post(f"{PREFIX}/predict", json=RECORDS)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_requests_are_counted_with_errors_except_401_and_404(adder):
    with adder.client() as client:
        client.post(f"{PREFIX}/predict", json=RECORDS)
        client.post(f"{PREFIX}/predict", json={"data": [{"x": "bad", "y": 1}]})
        client.get(f"{PREFIX}/nope")
    with adder.client(token=None) as client:
        client.get(f"{PREFIX}/metadata")
    assert adder.service.stats() == {"replica": "r1", "requests": 4, "errors": 1}


def test_nan_outputs_are_sent_as_null(tmp_path):
    class NanTensors(TensorRuntime):
        def predict_tensors(self, inputs):
            return {"output": np.array([np.nan, 1.0])}

    nan = harness(tmp_path, NanTensors())
    with nan.client() as client:
        response = client.post(f"{PREFIX}/predict", json={"inputs": {"input": [[1, 2], [3, 4]]}})
    assert response.status_code == 200
    assert response.json()["outputs"] == {"output": [None, 1.0]}


@pytest.mark.parametrize(("path", "root", "expected"), [
    ("/api/v1/svc/x/predict", "/api/v1/svc/x", "/predict"),
    ("/api/v1/svc/x/predict/", "/api/v1/svc/x", "/predict"),
    ("/api/v1/svc/x", "/api/v1/svc/x", "/"),
    ("/api/v1/svc/x/", "/api/v1/svc/x/", "/"),
    ("/api/v1/svc/xy/predict", "/api/v1/svc/x", "/api/v1/svc/xy/predict"),
    ("/metadata", "", "/metadata"),
])
def test_relative_path(path, root, expected):
    from daas.deployments.service_endpoint import relative_path

    assert relative_path({"path": path, "root_path": root}) == expected


def test_broken_multipart_is_400(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", content=b"--x\r\nnot a part",
                               headers={"Content-Type": "multipart/form-data"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_empty_body_is_400(adder):
    with adder.client() as client:
        response = client.post(f"{PREFIX}/predict", content=b"",
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "empty" in response.json()["error"]["message"]
