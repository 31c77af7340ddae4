"""Input bounds on the management API: integers, JSON nesting and numbers, media types,
and the v2 routes checking the caller first. Each used to be a 500 (or an answer)."""

from __future__ import annotations

import pytest

from tests.conftest import PMML_DIR

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()
IRIS_ROW = b'{"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": %s}'
HUGE = 2**63
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def api(platform_app):
    client = platform_app.client()
    assert client.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                       data={"name": "iris"}).status_code == 201
    return client


@pytest.fixture
def service(api):
    response = api.post("/api/v1/services", json={"name": "iris-svc", "model": "iris"})
    assert response.status_code == 201, response.text
    return response.json()


def assert_names_field(response, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["details"]["field"] == field


@pytest.mark.parametrize(("method", "path", "field"), [
    ("GET", f"/api/v1/models?offset={HUGE}", "offset"),
    ("GET", f"/api/v1/models/iris/versions/{HUGE}", "version"),
    ("GET", f"/api/v1/models/iris/versions/{HUGE}/download", "version"),
    ("DELETE", f"/api/v1/models/iris/versions/{HUGE}", "version"),
    ("GET", f"/api/v1/models/iris/schema?version={HUGE}", "version"),
    ("POST", f"/api/v1/models/iris/test?version={HUGE}", "version"),
    ("DELETE", f"/api/v1/tokens/{HUGE}", "token_id"),
    ("DELETE", "/api/v1/tokens/0", "token_id"),
])
def test_integers_in_paths_and_queries_are_bounded(api, method, path, field):
    assert_names_field(api.request(method, path, json={"data": []}), field)


@pytest.mark.parametrize("form", [{"version": HUGE}, {"version": 0}, {"memory": HUGE},
                                  {"memory": "9" * 400}])
def test_integers_in_deploy_bodies_are_bounded(api, form):
    response = api.post("/api/v1/services", json={"name": "svc", "model": "iris", **form})
    assert_names_field(response, next(iter(form)))
    assert api.get("/api/v1/services").json() == []


def test_integers_in_service_updates_are_bounded(api, service):
    assert_names_field(api.patch("/api/v1/services/iris-svc", json={"version": HUGE}), "version")
    assert api.get("/api/v1/services/iris-svc").json()["version"] == 1


def test_test_route_refuses_deep_json_non_finite_numbers_and_foreign_media(api):
    deep = api.post("/api/v1/models/iris/test", headers=JSON,
                    content=b'{"data": ' + b"[" * 2000 + b"]" * 2000 + b"}")
    assert deep.status_code == 400 and "nested deeper than 64" in deep.text
    body = b'{"data": [' + IRIS_ROW % b"0.2" + b", " + IRIS_ROW % b"NaN" + b"]}"
    nan = api.post("/api/v1/models/iris/test", headers=JSON, content=body)
    assert_names_field(nan, "Petal_Width")
    assert nan.json()["error"]["details"]["row"] == 1
    for content_type in ("text/plain", "image/png", "application/json; charset=utf-16"):
        response = api.post("/api/v1/models/iris/test", content=b'{"data": [' + IRIS_ROW % b"0.2" + b"]}",
                            headers={"Content-Type": content_type})
        assert response.status_code == 415, (content_type, response.text)
        assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(("content", "headers"), [
    (b'{"data": [' + IRIS_ROW % b"null" + b"]}", JSON),           # null: missing, scored
    (b'{"data": [' + IRIS_ROW % b"0.2" + b"]}", {}),              # unlabelled JSON
    (b"Sepal_Length,Sepal_Width,Petal_Length,Petal_Width\n5.1,3.5,1.4,0.2\n",
     {"Content-Type": "text/csv"}),
    (b"Sepal_Length=5.1&Sepal_Width=3.5&Petal_Length=1.4&Petal_Width=0.2",
     {"Content-Type": "application/x-www-form-urlencoded"}),
])
def test_test_route_still_takes_json_csv_and_forms(api, content, headers):
    response = api.post("/api/v1/models/iris/test", content=content, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["predictions"]) == 1


def test_v2_infer_checks_the_caller_before_the_service_exists(platform_app, service):
    anonymous = platform_app.client(token="")
    for name in ("nobody", "iris-svc"):
        response = anonymous.post(f"/v2/models/{name}/infer", json={"inputs": []})
        assert response.status_code == 401, response.text
    assert platform_app.client().post("/v2/models/nobody/infer", json={"inputs": []}).status_code == 404


def test_v2_metadata_tells_an_anonymous_caller_nothing(platform_app, service):
    anonymous = platform_app.client(token="")
    for path in ("/v2/models/iris-svc/versions/7", "/v2/models/iris-svc/versions/1",
                 "/v2/models/nobody/versions/1", "/v2/models/iris-svc/versions/7/ready"):
        response = anonymous.get(path)
        assert response.status_code == 401, (path, response.text)
        assert "version" not in response.text
    wrong = platform_app.client().get("/v2/models/iris-svc/versions/7")
    assert wrong.status_code == 404 and "serves version 1" in wrong.text


def test_v2_infer_bodies_are_bounded_before_reaching_replicas(platform_app, api, service):
    path = "/v2/models/iris-svc/infer"
    foreign = api.post(path, content=b'{"inputs": []}', headers={"Content-Type": "text/plain"})
    assert foreign.status_code == 415, foreign.text
    deep = api.post(path, headers=JSON, content=b'{"inputs": ' + b"[" * 2000 + b"]" * 2000 + b"}")
    assert deep.status_code == 400 and "nested deeper than 64" in deep.text
    nan = api.post(path, headers=JSON, content=b'{"inputs": [{"name": "Petal_Width", "shape": [2], '
                                              b'"datatype": "FP64", "data": [0.2, NaN]}]}')
    assert_names_field(nan, "Petal_Width")
    assert nan.json()["error"]["details"]["row"] == 1
