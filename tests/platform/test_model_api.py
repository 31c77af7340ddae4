"""The model API over the in-process worker: upload, list, inspect, test, download, delete."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import CSV_DIR, MNIST_DIR, PMML_DIR, both_backends
from tests.hostile_files import linear_onnx

pytestmark = both_backends

IRIS_ROW = {"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": 0.2}


def upload(client, name, path=None, *, data=None, filename=None, **form):
    content = data if data is not None else path.read_bytes()
    files = {"file": (filename or (path.name if path else "model.bin"), content)}
    return client.post("/api/v1/models", files=files, data={"name": name, **form})


def test_upload_reports_metadata_and_same_name_makes_next_version(client):
    first = upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml", description="tree")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["name"], body["version"], body["format"], body["task"]) == ("iris-tree", 1, "pmml", "classification")
    assert body["algorithm"] and body["engine"].startswith("pypmml")
    assert len(body["sha256"]) == 64 and body["size"] == (PMML_DIR / "DecisionTreeIris.pmml").stat().st_size

    second = upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml")
    assert second.json()["version"] == 2
    detail = client.get("/api/v1/models/iris-tree").json()
    assert detail["latest_version"] == 2 and [v["version"] for v in detail["versions"]] == [2, 1]
    assert detail["description"] == "tree"


def test_list_filters_and_pages(client):
    upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml")
    upload(client, "auto-gbt", PMML_DIR / "GBTAuto.pmml", description="miles per gallon")
    upload(client, "mnist", MNIST_DIR / "mnist.onnx")
    everything = client.get("/api/v1/models").json()
    assert everything["total"] == 3
    assert {m["name"] for m in client.get("/api/v1/models", params={"format": "onnx"}).json()["items"]} == {"mnist"}
    assert [m["name"] for m in client.get("/api/v1/models", params={"q": "GALLON"}).json()["items"]] == ["auto-gbt"]
    assert [m["name"] for m in client.get("/api/v1/models", params={"task": "regression"}).json()["items"]] == ["auto-gbt"]
    page = client.get("/api/v1/models", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 1


def test_schema_lists_inputs_with_types_and_categories(client):
    upload(client, "audit", PMML_DIR / "DecisionTreeAudit.pmml")
    schema = client.get("/api/v1/models/audit/schema").json()
    inputs = {v["name"]: v for v in schema["inputs"]}
    assert {"Age", "Employment", "Income"} <= set(inputs)
    assert inputs["Employment"]["optype"] == "categorical" and "Private" in inputs["Employment"]["values"]
    assert inputs["Income"]["optype"] == "continuous"
    assert [t["name"] for t in schema["targets"]] == ["Adjusted"]


def test_test_endpoint_accepts_records_single_split_csv_form_and_file(client):
    upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml")
    url = "/api/v1/models/iris-tree/test"
    records = client.post(url, json={"data": [IRIS_ROW, IRIS_ROW]}).json()
    assert records["version"] == 1 and len(records["predictions"]) == 2
    first = records["predictions"][0]
    assert first["label"] == "setosa" and first["outputs"]["Species"] == "setosa"
    assert first["probabilities"]["setosa"] == pytest.approx(1.0)

    single = client.post(url, json={"data": IRIS_ROW}).json()["predictions"]
    split = client.post(url, json={"data": {"columns": list(IRIS_ROW), "data": [list(IRIS_ROW.values())]}}).json()
    csv_text = "Sepal_Length,Sepal_Width,Petal_Length,Petal_Width\n5.1,3.5,1.4,0.2\n"
    as_csv = client.post(url, content=csv_text, headers={"Content-Type": "text/csv"}).json()
    form = client.post(url, data={k: str(v) for k, v in IRIS_ROW.items()}).json()
    as_file = client.post(url, files={"file": ("rows.json", json.dumps({"data": [IRIS_ROW]}))}).json()
    for result in (single, split["predictions"], as_csv["predictions"], form["predictions"], as_file["predictions"]):
        assert result[0]["label"] == "setosa"


def test_test_endpoint_csv_out_matches_corpus(client):
    upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml")
    rows = (CSV_DIR / "Iris.csv").read_bytes()
    response = client.post("/api/v1/models/iris-tree/test", params={"format": "csv"},
                           files={"file": ("Iris.csv", rows)})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    from io import StringIO

    got = pd.read_csv(StringIO(response.text))
    expected = pd.read_csv(CSV_DIR / "DecisionTreeIris.csv")
    assert list(got["label"]) == list(expected["Species"])


def test_bad_inputs_name_the_field_and_row(client):
    upload(client, "audit", PMML_DIR / "DecisionTreeAudit.pmml")
    url = "/api/v1/models/audit/test"
    rows = pd.read_csv(CSV_DIR / "Audit.csv").drop(columns=["Adjusted"]).head(3).to_dict("records")
    rows[2]["Employment"] = "Astronaut"
    unknown = client.post(url, json={"data": rows})
    assert unknown.status_code == 422
    error = unknown.json()["error"]
    assert error["details"]["field"] == "Employment" and error["details"]["row"] == 2
    assert "Astronaut" in error["message"]

    rows[2]["Employment"] = "Private"
    rows[1]["Age"] = "old"
    wrong_type = client.post(url, json={"data": rows}).json()["error"]
    assert (wrong_type["details"]["field"], wrong_type["details"]["row"]) == ("Age", 1)

    del rows[0]["Income"]
    rows[1]["Age"] = 30
    missing = client.post(url, json={"data": [{k: v for k, v in r.items() if k != "Income"} for r in rows]})
    assert missing.status_code == 422 and missing.json()["error"]["details"]["field"] == "Income"

    malformed = client.post(url, content=b'{"data": [', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["error"]["message"]
    wrong_shape = client.post(url, json={"rows": []})
    assert wrong_shape.status_code == 400


def test_mnist_answers_v2_request_with_recorded_response(client):
    upload(client, "mnist", MNIST_DIR / "mnist.onnx")
    request = json.loads((MNIST_DIR / "mnist_request_v2_0.json").read_text())
    expected = json.loads((MNIST_DIR / "mnist_response_v2_0.json").read_text())["outputs"][0]
    tensors = {"inputs": {item["name"]: item["data"] for item in request["inputs"]}}
    result = client.post("/api/v1/models/mnist/test", json=tensors)
    assert result.status_code == 200, result.text
    got = result.json()["outputs"][expected["name"]]
    assert np.asarray(got) == pytest.approx(np.asarray(expected["data"]), rel=1e-4, abs=1e-4)
    schema = client.get("/api/v1/models/mnist/schema").json()
    assert schema["task"] == "tensor" and schema["inputs"][0]["shape"] == [1, 1, 28, 28]


def test_download_returns_the_exact_bytes(client):
    data = linear_onnx()
    assert upload(client, "linear", data=data, filename="linear.onnx").status_code == 201
    response = client.get("/api/v1/models/linear/versions/1/download")
    assert response.status_code == 200 and response.content == data
    assert "linear-v1.onnx" in response.headers["content-disposition"]


def test_delete_version_then_model_removes_rows_and_files(client, platform_app):
    storage = platform_app.settings.home / "storage"
    upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml")
    upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml")  # same bytes: one file
    upload(client, "iris-tree", data=linear_onnx(), filename="linear.onnx")
    assert len([p for p in storage.rglob("*") if p.is_file()]) == 2

    assert client.delete("/api/v1/models/iris-tree/versions/1").status_code == 204
    assert len([p for p in storage.rglob("*") if p.is_file()]) == 2  # v2 still uses the PMML file
    assert client.delete("/api/v1/models/iris-tree/versions/1").status_code == 404
    assert client.delete("/api/v1/models/iris-tree").status_code == 204
    assert [p for p in storage.rglob("*") if p.is_file()] == []
    assert client.get("/api/v1/models/iris-tree").status_code == 404
    assert client.get("/api/v1/models").json()["total"] == 0


def test_unknown_model_and_version_are_404_json(client):
    missing = client.get("/api/v1/models/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    upload(client, "iris-tree", PMML_DIR / "DecisionTreeIris.pmml")
    assert client.get("/api/v1/models/iris-tree/versions/9").status_code == 404
    assert client.post("/api/v1/models/iris-tree/test", params={"version": 9}, json={"data": IRIS_ROW}).status_code == 404


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "workers": "ok"}
    assert "/api/v1/models" in client.get("/openapi.json").json()["paths"]
