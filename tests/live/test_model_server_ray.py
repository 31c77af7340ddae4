"""ModelServer on the shared local Ray cluster: real replicas, real HTTP, real handles."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlmodel import select

from daas.deployments.server_config import Batching, ServerConfig, ServiceControls
from daas.errors import DaasError, InvalidInput
from daas.runtimes import inspect_model
from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from daas.store.tables import AsyncRequest, ServiceTraffic
from daas.store.tokens import hash_token
from tests.conftest import PMML_DIR

pytestmark = pytest.mark.ray

SERVICE_KEY = "svc-key-of-t1"
# Not "svc-<name>": the platform's reconciler removes svc-* applications it has no row for.
APP_PREFIX = "ms-"
IRIS = {"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": 0.2}
ONNX_IRIS = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3}


def deploy(live, name: str, path, fmt: str, **config) -> ServerConfig:
    from ray import serve

    from daas.deployments.service_app import build_service_app

    data = path.read_bytes()
    sha, key = ArtifactStore(live.settings.resolved_storage_uri).put_model(data)
    schema = inspect_model(fmt, data)
    cfg = ServerConfig(service=name, model=f"{name}-model", version=1, task=schema["task"],
                       format=fmt, storage_uri=live.settings.resolved_storage_uri,
                       storage_key=key, sha256=sha, model_schema=schema,
                       database_url=live.settings.resolved_database_url, **config)
    app = build_service_app(cfg, ServiceControls(key_hash=hash_token(SERVICE_KEY)),
                            {"num_replicas": 1, "max_ongoing_requests": 16,
                             "ray_actor_options": {"num_cpus": 0.25}})
    serve.run(app, name=f"{APP_PREFIX}{name}", route_prefix=f"/api/v1/svc/{name}")
    return cfg


def wait_for_route(url: str, headers: dict, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture(scope="module")
def pmml_service(live_platform):
    from ray import serve

    deploy(live_platform, "t1", PMML_DIR / "DecisionTreeIris.pmml", "pmml")
    base = f"{live_platform.url}/api/v1/svc/t1"
    wait_for_route(f"{base}/metadata", live_platform.headers)
    yield base
    serve.delete(f"{APP_PREFIX}t1", _blocking=False)


@pytest.fixture(scope="module")
def onnx_service(live_platform, tmp_path_factory):
    from ray import serve

    from tests.model_factory import iris_classifier_onnx

    model = iris_classifier_onnx(tmp_path_factory.mktemp("onnx-classifier"))
    deploy(live_platform, "t2", model.path, "onnx",
           batching=Batching(max_batch_size=4, max_wait_ms=20))
    base = f"{live_platform.url}/api/v1/svc/t2"
    wait_for_route(f"{base}/metadata", live_platform.headers)
    yield base
    serve.delete(f"{APP_PREFIX}t2", _blocking=False)


def test_sync_json_and_csv_over_http(live_platform, pmml_service):
    headers = live_platform.headers
    response = httpx.post(f"{pmml_service}/predict", json={"data": [IRIS]}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["service"], body["model"], body["version"], body["task"]) == \
        ("t1", "t1-model", 1, "classification")
    assert body["predictions"][0]["label"] == "setosa"

    csv_in = "Sepal_Length,Sepal_Width,Petal_Length,Petal_Width\n5.1,3.5,1.4,0.2\n7.0,3.2,4.7,1.4\n"
    response = httpx.post(f"{pmml_service}/predict?format=csv", content=csv_in,
                          headers={**headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    lines = response.text.splitlines()
    assert lines[0].startswith("label,") and len(lines) == 3
    assert lines[1].startswith("setosa,") and lines[2].startswith("versicolor,")


def test_auth_errors_and_metadata_over_http(live_platform, pmml_service):
    missing = httpx.post(f"{pmml_service}/predict", json={"data": [IRIS]})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert httpx.get(f"{pmml_service}/metadata",
                     headers={"Authorization": "Bearer nope"}).status_code == 401
    with_key = httpx.post(f"{pmml_service}/predict", json={"data": [IRIS]},
                          headers={"Authorization": f"Bearer {SERVICE_KEY}"})
    assert with_key.status_code == 200
    bad = httpx.post(f"{pmml_service}/predict", json={"data": [{"Sepal_Length": "x"}]},
                     headers=live_platform.headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    metadata = httpx.get(f"{pmml_service}/", headers=live_platform.headers).json()
    assert [v["name"] for v in metadata["inputs"]] == list(IRIS)


def test_async_request_is_scored_in_the_background(live_platform, pmml_service):
    response = httpx.post(f"{pmml_service}/predict?mode=async", json={"data": [IRIS]},
                          headers=live_platform.headers)
    assert response.status_code == 202, response.text
    request_id = response.json()["id"]
    assert response.headers["location"] == f"/api/v1/requests/{request_id}"
    db = Database.connect(live_platform.settings.resolved_database_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db.read() as session:
            row = session.get(AsyncRequest, request_id)
        if row.status in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert row.status == "succeeded", row.error
    assert row.result["predictions"][0]["label"] == "setosa"
    assert row.created_by == "admin" and row.attempts == 1


def test_handle_methods(live_platform, pmml_service):
    from ray import serve

    handle = serve.get_app_handle(f"{APP_PREFIX}t1")
    result = handle.predict.remote({"data": [IRIS]}).result()
    assert result["predictions"][0]["label"] == "setosa"
    assert handle.predict.remote([IRIS]).result() == result
    assert handle.ready.remote().result() is True
    assert handle.metadata.remote().result()["format"] == "pmml"
    with pytest.raises(InvalidInput) as caught:
        handle.predict.remote({"data": [{"Sepal_Length": 1}]}).result()
    assert isinstance(caught.value, DaasError)
    assert caught.value.to_body()["error"]["details"]["field"] == "Sepal_Width"
    stats = handle.stats.remote().result()
    assert stats["requests"] >= 3 and stats["errors"] >= 1 and stats["replica"]


def test_traffic_reaches_the_database(live_platform, pmml_service):
    httpx.post(f"{pmml_service}/predict", json={"data": [IRIS]}, headers=live_platform.headers)
    db = Database.connect(live_platform.settings.resolved_database_url)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with db.read() as session:
            rows = session.exec(select(ServiceTraffic).where(
                ServiceTraffic.service_name == "t1")).all()
        if rows:
            break
        time.sleep(0.5)
    assert rows and sum(r.requests for r in rows) >= 1


def test_batched_onnx_service_under_concurrency(live_platform, onnx_service):
    from ray import serve

    def call(index: int) -> httpx.Response:
        body = {"data": [{"sepal_length": "bad"}]} if index == 5 else {"data": [ONNX_IRIS]}
        return httpx.post(f"{onnx_service}/predict", json=body, headers=live_platform.headers,
                          timeout=30)

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(call, range(12)))
    assert [r.status_code for r in responses] == [200] * 5 + [422] + [200] * 6
    # Batching batches: one model call took several concurrent requests.
    assert serve.get_app_handle(f"{APP_PREFIX}t2").stats.remote().result()["largest_batch"] > 1
    assert {r.json()["predictions"][0]["label"] for i, r in enumerate(responses) if i != 5} == \
        {"virginica"}

    v2 = serve.get_app_handle(f"{APP_PREFIX}t2").infer_v2.remote({"id": "a", "inputs": [
        {"name": name, "shape": [1, 1], "datatype": "FP32", "data": [value]}
        for name, value in ONNX_IRIS.items()]}).result()
    assert v2["model_name"] == "t2" and v2["id"] == "a"
    assert {o["name"] for o in v2["outputs"]} >= {"output_label"}
