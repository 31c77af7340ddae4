"""Hostile and broken uploads are refused with a reason and leave nothing behind."""

from __future__ import annotations

import pytest

from tests.conftest import MNIST_DIR, PMML_DIR
from tests.hostile_files import (
    BILLION_LAUGHS_PMML,
    NOT_PMML_XML,
    XXE_PMML,
    external_data_onnx,
    linear_onnx,
)

GOOD_PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()
MNIST = (MNIST_DIR / "mnist.onnx").read_bytes()


def stored_files(platform_app) -> list:
    return sorted(p for p in (platform_app.settings.home / "storage").rglob("*") if p.is_file())


CASES = {
    "xxe": ("m.pmml", XXE_PMML, 422, "DOCTYPE"),
    "billion-laughs": ("m.pmml", BILLION_LAUGHS_PMML, 422, "DOCTYPE"),
    "not-pmml-xml": ("m.pmml", NOT_PMML_XML, 422, "PMML"),
    "truncated-pmml": ("m.pmml", GOOD_PMML[: len(GOOD_PMML) // 2], 422, "well-formed"),
    "empty": ("m.onnx", b"", 422, "empty"),
    "external-data": ("m.onnx", external_data_onnx(), 422, "external data"),
    "truncated-onnx": ("m.onnx", MNIST[:2000], 422, "ONNX"),
    "onnx-named-pmml": ("m.pmml", linear_onnx(), 422, "PMML"),
    "pmml-named-onnx": ("m.onnx", GOOD_PMML, 422, "ONNX"),
    "text-file": ("notes.txt", b"just some words", 422, "pmml"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rejected_upload_leaves_no_row_and_no_file(case, client, platform_app):
    assert client.post("/api/v1/models", files={"file": ("ok.pmml", GOOD_PMML)},
                       data={"name": "keep"}).status_code == 201
    before_files = stored_files(platform_app)
    filename, data, status, phrase = CASES[case]
    response = client.post("/api/v1/models", files={"file": (filename, data)}, data={"name": "evil"})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_model"
    assert phrase.lower() in error["message"].lower()
    assert stored_files(platform_app) == before_files
    models = client.get("/api/v1/models").json()
    assert [m["name"] for m in models["items"]] == ["keep"] and models["total"] == 1


def test_xxe_never_reads_the_entity_target(client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    payload = XXE_PMML.replace(b"file:///etc/passwd", f"file://{secret}".encode())
    response = client.post("/api/v1/models", files={"file": ("m.pmml", payload)}, data={"name": "x"})
    assert response.status_code == 422 and "TOPSECRET" not in response.text


def test_oversized_upload_is_413_and_stores_nothing(client, platform_app):
    limit = platform_app.settings.max_upload_bytes
    padding = b"<!-- " + b"x" * limit + b" -->"
    response = client.post("/api/v1/models", files={"file": ("big.pmml", GOOD_PMML + padding)},
                           data={"name": "big"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert stored_files(platform_app) == [] and client.get("/api/v1/models").json()["total"] == 0
    assert platform_app.worker.inspected == 0


@pytest.mark.parametrize("name", ["../etc", "a/b", "", "x" * 65, "-lead", "trail.", "sp ace", "a..b"])
def test_unsafe_model_names_are_refused(name, client, platform_app):
    response = client.post("/api/v1/models", files={"file": ("m.pmml", GOOD_PMML)}, data={"name": name})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "name"
    assert stored_files(platform_app) == [] and platform_app.worker.inspected == 0


def test_upload_without_file_names_the_missing_field(client):
    response = client.post("/api/v1/models", data={"name": "nofile"})
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "file"
