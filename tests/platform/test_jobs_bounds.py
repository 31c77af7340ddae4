"""Every integer the jobs API takes is bounded: 2**63 is a 422 naming the field, never a 500."""

from __future__ import annotations

import pytest

from daas.store.db import MAX_DB_INT
from tests.platform.test_jobs_api import api, predict_form, ray_jobs  # noqa: F401 - fixtures

TOO_BIG = 2**63
LARGEST = MAX_DB_INT


def assert_names(response, field: str) -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"]["field"] == field and field in error["message"]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/runs/{n}"),
    ("post", "/api/v1/runs/{n}/stop"),
    ("post", "/api/v1/runs/{n}/pause"),
    ("post", "/api/v1/runs/{n}/continue"),
    ("get", "/api/v1/runs/{n}/logs"),
])
@pytest.mark.parametrize("number", [TOO_BIG, -TOO_BIG - 1, 0])
def test_run_ids_out_of_range(api, method, path, number) -> None:  # noqa: F811
    assert_names(getattr(api, method)(path.format(n=number)), "run_id")


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/runs/{n}"),
    ("post", "/api/v1/runs/{n}/stop"),
    ("get", "/api/v1/runs/{n}/logs"),
])
def test_the_largest_run_id_is_not_found(api, method, path) -> None:  # noqa: F811
    assert getattr(api, method)(path.format(n=LARGEST)).status_code == 404


@pytest.mark.parametrize(("path", "field"), [
    (f"/api/v1/jobs/score/runs?limit={TOO_BIG}", "limit"),
    (f"/api/v1/runs/1/logs?tail={TOO_BIG}", "tail"),
    (f"/api/v1/schedules/preview?schedule=*+*+*+*+*&count={TOO_BIG}", "count"),
])
def test_query_integers_out_of_range(api, path, field) -> None:  # noqa: F811
    assert_names(api.get(path), field)


@pytest.mark.parametrize("field", ["version", "batch_size", "concurrency", "chunk_rows"])
def test_config_integers_out_of_range(api, field) -> None:  # noqa: F811
    assert_names(api.post("/api/v1/jobs", json=predict_form(**{field: TOO_BIG})), f"config.{field}")
    assert api.post("/api/v1/jobs", json=predict_form()).status_code == 201
    assert_names(api.patch("/api/v1/jobs/score", json={"config": predict_form(**{field: TOO_BIG})["config"]}),
                 f"config.{field}")


def test_the_largest_version_is_a_missing_version(api) -> None:  # noqa: F811
    response = api.post("/api/v1/jobs", json=predict_form(version=LARGEST))
    assert 400 <= response.status_code < 500, response.text
    assert "version" in response.json()["error"]["message"]
