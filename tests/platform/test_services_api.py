"""Services as desired state, reconciled against a fake Serve: the API and the reconciler."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from daas.deployments.traffic import Bucket, bucket_start
from daas.store.tables import AsyncRequest, ServiceTraffic
from tests.conftest import PMML_DIR, both_backends

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()


@pytest.fixture
def api(platform_app):
    client = platform_app.client()
    for _ in range(2):
        assert client.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                           data={"name": "iris"}).status_code == 201
    return client


def reconcile(platform_app):
    platform_app.container.reconciler.reconcile()


def deploy(api, **form):
    response = api.post("/api/v1/services", json={"name": "iris-svc", "model": "iris", **form})
    assert response.status_code == 201, response.text
    return response.json()


def kinds(api, name="iris-svc"):
    return [e["kind"] for e in api.get(f"/api/v1/services/{name}/events").json()]


def test_deploy_reconciles_to_running_with_the_requested_resources(api, platform_app):
    created = deploy(api, replicas=2, num_cpus=0.5, memory="512Mi", batching={"max_batch_size": 4})
    assert created["state"] == "deploying" and created["api_key"].startswith("daas_")
    assert created["version"] == 2 and created["url"].endswith("/api/v1/svc/iris-svc")
    assert created["spec"]["memory"] == 512 * 2**20 and created["spec"]["replicas"] == 2
    reconcile(platform_app)
    deployed = platform_app.serve.apps["svc-iris-svc"]
    assert deployed.config.version == 2 and deployed.options["ray_actor_options"]["num_cpus"] == 0.5
    reconcile(platform_app)
    service = api.get("/api/v1/services/iris-svc").json()
    assert service["state"] == "running" and service["replicas_running"] == 1
    assert {"created", "deploy", "state"} <= set(kinds(api))
    assert "api_key" not in service


def test_presets_and_explicit_fields(api, platform_app):
    small = deploy(api, preset="small")["spec"]
    assert (small["num_cpus"], small["memory"]) == (0.5, 512 * 2**20)
    large = api.post("/api/v1/services", json={"name": "big", "model": "iris", "preset": "large",
                                               "num_cpus": 3}).json()["spec"]
    assert (large["num_cpus"], large["memory"]) == (3, 4 * 2**30)
    auto = api.post("/api/v1/services", json={"name": "auto", "model": "iris",
                                              "autoscaling": {"min_replicas": 0, "max_replicas": 3}}).json()
    assert auto["spec"]["replicas"] is None and auto["spec"]["autoscaling"]["min_replicas"] == 0


@pytest.mark.parametrize("form, field", [
    ({"name": "Bad_Name"}, "name"),
    ({"preset": "gigantic"}, "preset"),
    ({"memory": "lots"}, "memory"),
    ({"num_cpus": 64}, "num_cpus"),
    ({"replicas": 20}, "replicas"),
    ({"autoscaling": {"min_replicas": 3, "max_replicas": 1}}, "autoscaling"),
])
def test_bad_deploy_forms_are_422_naming_the_field(api, form, field):
    response = api.post("/api/v1/services", json={"name": "ok", "model": "iris", **form})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"]["field"].startswith(field)
    assert api.get("/api/v1/services").json() == []


def test_larger_than_cluster_names_its_capacity(api):
    error = api.post("/api/v1/services", json={"name": "ok", "model": "iris", "num_cpus": 64}).json()["error"]
    assert "8 CPU" in error["message"] and "largest node" in error["message"]


def test_unknown_model_duplicate_name_and_unknown_service(api):
    assert api.post("/api/v1/services", json={"name": "x", "model": "nope"}).status_code == 404
    assert api.post("/api/v1/services", json={"name": "x", "model": "iris", "version": 7}).status_code == 404
    deploy(api)
    assert api.post("/api/v1/services", json={"name": "iris-svc", "model": "iris"}).status_code == 409
    assert api.get("/api/v1/services/missing").status_code == 404


def test_pause_answers_503_then_resume_redeploys_same_url(api, platform_app):
    deploy(api)
    reconcile(platform_app)
    paused = api.post("/api/v1/services/iris-svc/pause").json()
    assert (paused["desired"], paused["state"]) == ("paused", "paused")
    # Before the pause answered, the replicas were told to refuse calls (the same replicas:
    # same config); the application is removed after the grace.
    kind, closed = platform_app.serve.calls[-1]
    assert kind == "deploy" and closed.controls.closed == "paused"
    assert closed.config == platform_app.serve.calls[0][1].config
    reconcile(platform_app)
    assert platform_app.serve.calls[-1] == ("delete", "svc-iris-svc")
    assert "svc-iris-svc" not in platform_app.serve.apps
    assert api.get("/api/v1/services/iris-svc").json()["state"] == "paused"
    call = api.post("/api/v1/svc/iris-svc/predict", json={"data": {}})
    assert call.status_code == 503 and "paused" in call.json()["error"]["message"]
    api.post("/api/v1/services/iris-svc/resume")
    reconcile(platform_app)
    reconcile(platform_app)
    assert api.get("/api/v1/services/iris-svc").json()["state"] == "running"
    assert platform_app.serve.deploys.count("svc-iris-svc") == 3  # deploy, close, resume
    # Running in Serve, but the call reached the platform: the ingress has no route yet.
    early = api.post("/api/v1/svc/iris-svc/predict", json={"data": {}})
    assert early.status_code == 503 and "starting to take traffic" in early.json()["error"]["message"]
    assert {"paused", "resumed"} <= set(kinds(api))


def test_unknown_service_calls_are_404_and_need_a_token(api, platform_app):
    assert api.post("/api/v1/svc/ghost/predict", json={}).status_code == 404
    assert platform_app.client(token="").post("/api/v1/svc/ghost/predict", json={}).status_code == 401


def test_service_key_is_accepted_by_the_fallthrough(api, platform_app):
    key = deploy(api)["api_key"]
    api.post("/api/v1/services/iris-svc/pause")
    with_key = platform_app.client(token=key).post("/api/v1/svc/iris-svc/predict", json={})
    assert with_key.status_code == 503
    rotated = api.post("/api/v1/services/iris-svc/key").json()["api_key"]
    assert platform_app.client(token=key).post("/api/v1/svc/iris-svc/predict", json={}).status_code == 401
    assert platform_app.client(token=rotated).post("/api/v1/svc/iris-svc/predict", json={}).status_code == 503


def test_scale_switch_version_and_rollback_redeploy(api, platform_app):
    deploy(api, version=1)
    reconcile(platform_app)
    scaled = api.patch("/api/v1/services/iris-svc", json={"replicas": 3}).json()
    assert scaled["spec"]["replicas"] == 3 and scaled["generation"] == 2 and scaled["state"] == "scaling"
    reconcile(platform_app)
    first, rescaled = (app for kind, app in platform_app.serve.calls if kind == "deploy")
    assert rescaled.config == first.config and rescaled.options["num_replicas"] == 3
    reconcile(platform_app)
    slower = api.patch("/api/v1/services/iris-svc", json={"timeout_s": 5}).json()
    assert slower["state"] == "running"  # the replicas take a new time limit in place
    reconcile(platform_app)
    assert platform_app.serve.apps["svc-iris-svc"].controls.timeout_s == 5
    switched = api.patch("/api/v1/services/iris-svc", json={"version": 2}).json()
    assert (switched["version"], switched["previous_version"]) == (2, 1)
    reconcile(platform_app)
    assert platform_app.serve.apps["svc-iris-svc"].config.version == 2
    rolled = api.post("/api/v1/services/iris-svc/rollback").json()
    assert (rolled["version"], rolled["previous_version"]) == (1, 2)
    reconcile(platform_app)
    assert platform_app.serve.apps["svc-iris-svc"].config.version == 1
    assert {"updated", "rollback"} <= set(kinds(api))
    assert api.patch("/api/v1/services/iris-svc", json={"version": 9}).status_code == 404
    assert api.patch("/api/v1/services/iris-svc", json={"bogus": 1}).status_code == 422


def test_delete_removes_app_then_service(api, platform_app):
    deploy(api)
    reconcile(platform_app)
    response = api.delete("/api/v1/services/iris-svc")
    assert response.status_code == 202 and response.json()["state"] == "deleting"
    reconcile(platform_app)
    assert "svc-iris-svc" not in platform_app.serve.apps
    reconcile(platform_app)
    assert api.get("/api/v1/services/iris-svc").status_code == 404
    assert api.post("/api/v1/svc/iris-svc/predict", json={}).status_code == 404


def test_model_versions_in_use_cannot_be_deleted(api, platform_app):
    deploy(api, version=1)
    conflict = api.delete("/api/v1/models/iris/versions/1")
    assert conflict.status_code == 409 and "used by services" in conflict.json()["error"]["message"]
    assert api.delete("/api/v1/models/iris").status_code == 409
    assert api.delete("/api/v1/models/iris/versions/2").status_code == 204


def test_failed_deploy_records_reason_and_insufficient_resources_is_explained(api, platform_app):
    platform_app.serve.auto_run = False
    deploy(api, num_cpus=4)
    reconcile(platform_app)
    platform_app.serve.node.available["CPU"] = 1.0
    reconcile(platform_app)
    waiting = api.get("/api/v1/services/iris-svc").json()
    assert waiting["state"] == "deploying" and waiting["reason"].startswith("insufficient resources")
    platform_app.serve.status["svc-iris-svc"] = "DEPLOY_FAILED"
    reconcile(platform_app)
    failed = api.get("/api/v1/services/iris-svc").json()
    assert failed["state"] == "failed" and "DEPLOY_FAILED" in failed["reason"]
    assert any(e["state"] == "failed" for e in api.get("/api/v1/services/iris-svc/events").json())


def test_orphan_service_apps_are_removed(api, platform_app):
    platform_app.serve.status["svc-stale"] = "RUNNING"
    reconcile(platform_app)
    assert "svc-stale" in platform_app.serve.deleted


def test_metrics_sum_replicas_into_a_series(api, platform_app):
    deploy(api)
    now = datetime.now(timezone.utc)
    with platform_app.container.db.write() as session:
        for replica, latencies in (("r1", [1.0, 2.0, 40.0]), ("r2", [1.0])):
            bucket = Bucket()
            for latency in latencies:
                bucket.add(latency, error=latency > 10)
            session.add(ServiceTraffic(service_name="iris-svc", replica=replica, bucket=bucket_start(now),
                                       requests=bucket.requests, errors=bucket.errors,
                                       latency_ms_sum=bucket.latency_ms_sum, histogram=bucket.histogram))
    metrics = api.get("/api/v1/services/iris-svc/metrics").json()
    assert metrics["summary"]["requests"] == 4 and metrics["summary"]["errors"] == 1
    assert metrics["summary"]["latency_ms_p50"] == 1 and metrics["summary"]["latency_ms_p99"] == 50
    assert len(metrics["series"]) == 6 and sum(p["requests"] for p in metrics["series"]) == 4
    assert len(api.get("/api/v1/services/iris-svc/metrics", params={"window": "hour"}).json()["series"]) == 60
    replicas = {r["replica_id"]: r for r in api.get("/api/v1/services/iris-svc/replicas").json()}
    assert all(r["requests"] == 0 for r in replicas.values())


def test_snippets_and_openapi_use_the_schema(api):
    deploy(api)
    snippets = api.get("/api/v1/services/iris-svc/snippets").json()
    assert "Sepal_Length" in snippets["curl"] and "/api/v1/svc/iris-svc/predict" in snippets["curl"]
    assert 'serve.get_app_handle("svc-iris-svc")' in snippets["serve_handle"]
    document = api.get("/api/v1/services/iris-svc/openapi.json").json()
    example = document["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert set(example["data"][0]) == {"Sepal_Length", "Sepal_Width", "Petal_Length", "Petal_Width"}


def test_async_request_status(api, platform_app):
    with platform_app.container.db.write() as session:
        session.add(AsyncRequest(id="abc", service_name="iris-svc", body=b"{}", status="succeeded",
                                 result={"predictions": [{"label": "setosa"}]}))
    answer = api.get("/api/v1/requests/abc").json()
    assert answer["status"] == "succeeded" and answer["result"]["predictions"][0]["label"] == "setosa"
    assert api.get("/api/v1/requests/nope").status_code == 404


def test_cluster_reports_nodes_and_replicas(api, platform_app):
    deploy(api)
    reconcile(platform_app)
    cluster = api.get("/api/v1/cluster").json()
    node = cluster["nodes"][0]
    assert node["cpu"]["total"] == 8 and node["replicas"][0]["service"] == "iris-svc"
    assert cluster["platform_uptime_s"] >= 0


def test_presets_are_the_settings_and_a_preset_fills_the_form(api, platform_app):
    presets = api.get("/api/v1/presets").json()
    assert presets == platform_app.settings.instance_presets and "small" in presets
    created = api.post("/api/v1/services", json={"name": "preset-svc", "model": "iris", "preset": "small"})
    assert created.status_code == 201, created.text
    spec = api.get("/api/v1/services/preset-svc").json()["spec"]
    assert spec["num_cpus"] == presets["small"]["num_cpus"], spec
    assert api.get("/api/v1/presets", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_viewer_cannot_deploy(api, platform_app):
    token = api.post("/api/v1/tokens", json={"name": "v", "role": "viewer"}).json()["token"]
    viewer = platform_app.client(token)
    assert viewer.post("/api/v1/services", json={"name": "x", "model": "iris"}).status_code == 403
    assert viewer.get("/api/v1/services").status_code == 200


def test_async_status_is_readable_with_the_service_key(api, platform_app):
    key = deploy(api)["api_key"]
    with platform_app.container.db.write() as session:
        session.add(AsyncRequest(id="k1", service_name="iris-svc", body=b"{}", status="queued"))
    assert platform_app.client(token=key).get("/api/v1/requests/k1").json()["status"] == "queued"
    assert platform_app.client(token="").get("/api/v1/requests/k1").status_code == 401
    assert platform_app.client(token="daas_other").get("/api/v1/requests/k1").status_code == 401
