"""Wait-return requests: stored, scored in the background, re-runnable after a restart."""

from __future__ import annotations

import asyncio
import time

import pytest

from daas.deployments.async_requests import MAX_ATTEMPTS, AsyncRequestStore
from daas.errors import NotFound
from daas.store.tables import AsyncRequest
from tests.conftest import both_backends
from tests.deployments.fakes import PREFIX, AdderRuntime, harness, run, user_token

pytestmark = both_backends

BODY = b'{"data": [{"x": 1, "y": 2}]}'


def row(db, request_id) -> AsyncRequest:
    with db.read() as session:
        return session.get(AsyncRequest, request_id)


def wait_for_status(db, request_id, statuses=("succeeded", "failed"), timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = row(db, request_id)
        if current.status in statuses:
            return current
        time.sleep(0.02)
    raise AssertionError(f"request {request_id} stayed {current.status}")


def test_async_over_http_is_stored_then_scored(tmp_path, database):
    service = harness(tmp_path, db=database)
    _, secret = user_token(service.db, name="bob")
    with service.client(token=secret) as client:
        response = client.post(f"{PREFIX}/predict?mode=async", content=BODY,
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["status"] == "queued" and len(body["id"]) == 32
        assert body["status_url"] == f"/api/v1/requests/{body['id']}"
        assert response.headers["location"] == body["status_url"]
        done = wait_for_status(service.db, body["id"])
    assert done.status == "succeeded", done.error
    assert done.result == {"service": "adder", "model": "adder-model", "version": 3,
                           "task": "regression",
                           "predictions": [{"outputs": {"total": 3.0}, "value": 3.0}]}
    assert (done.service_name, done.created_by, done.attempts) == ("adder", "bob", 1)
    assert done.body == BODY and done.params == {"format": "json"}
    assert done.started is not None and done.finished is not None


def test_async_csv_result_is_the_csv_text(tmp_path, database):
    service = harness(tmp_path, db=database)
    with service.client() as client:
        response = client.post(f"{PREFIX}/predict?mode=async&format=csv", content=b"x,y\n1,1\n",
                               headers={"Content-Type": "text/csv"})
        done = wait_for_status(service.db, response.json()["id"])
    assert done.status == "succeeded"
    assert done.result == "value,total\n2.0,2.0\n"


def test_async_bad_input_fails_with_the_error_body(tmp_path, database):
    service = harness(tmp_path, db=database)
    with service.client() as client:
        response = client.post(f"{PREFIX}/predict?mode=async", content=b'{"data": [{"x": 1}]}',
                               headers={"Content-Type": "application/json"})
        done = wait_for_status(service.db, response.json()["id"])
    assert done.status == "failed" and done.result is None
    assert done.error["code"] == "invalid_input"
    assert done.error["details"] == {"field": "y"}


def test_async_multipart_is_scored_from_the_stored_body(tmp_path, database):
    service = harness(tmp_path, db=database)
    with service.client() as client:
        response = client.post(f"{PREFIX}/predict?mode=async",
                               files={"file": ("rows.csv", b"x,y\n5,5\n")})
        done = wait_for_status(service.db, response.json()["id"])
    assert done.status == "succeeded", done.error
    assert done.result["predictions"][0]["value"] == 10.0


def test_run_async_request_reruns_requests_left_behind_by_a_restart(tmp_path, database):
    service = harness(tmp_path, db=database)
    store = AsyncRequestStore(service.db, "adder")
    queued = store.create(body=BODY, content_type="application/json", params={}, created_by="x")
    orphan = store.create(body=BODY, content_type=None, params={"format": "csv"}, created_by="x")
    store.claim(orphan)  # a replica started it, then died

    async def rerun():
        return [await service.service.run_async_request(i, wait=True) for i in (queued, orphan)]

    assert run(rerun()) == ["succeeded", "succeeded"]
    assert row(service.db, queued).attempts == 1
    assert (row(service.db, orphan).attempts, row(service.db, orphan).result) == \
        (2, "value,total\n3.0,3.0\n")


def test_run_async_request_is_idempotent(tmp_path, database):
    service = harness(tmp_path, db=database)
    store = AsyncRequestStore(service.db, "adder")
    request_id = store.create(body=BODY, content_type=None, params={}, created_by=None)

    async def twice_at_once_then_again():
        first, second = await asyncio.gather(
            service.service.run_async_request(request_id, wait=True),
            service.service.run_async_request(request_id, wait=True))
        return first, second, await service.service.run_async_request(request_id)

    assert run(twice_at_once_then_again()) == ("succeeded", "succeeded", "succeeded")
    assert service.runtime.calls == [1]
    assert row(service.db, request_id).attempts == 1


def test_run_async_request_without_wait_schedules_and_returns(tmp_path, database):
    service = harness(tmp_path, AdderRuntime(delay=0.2), db=database)
    store = AsyncRequestStore(service.db, "adder")
    request_id = store.create(body=BODY, content_type=None, params={}, created_by=None)

    async def dispatch_then_finish():
        status = await service.service.run_async_request(request_id)
        again = await service.service.run_async_request(request_id)
        final = await service.service.run_async_request(request_id, wait=True)
        return status, again, final

    assert run(dispatch_then_finish()) == ("queued", "running", "succeeded")


def test_a_request_that_keeps_dying_is_failed_after_max_attempts(tmp_path, database):
    service = harness(tmp_path, db=database)
    store = AsyncRequestStore(service.db, "adder")
    request_id = store.create(body=BODY, content_type=None, params={}, created_by=None)
    for _ in range(MAX_ATTEMPTS):
        store.claim(request_id)
    assert run(service.service.run_async_request(request_id, wait=True)) == "failed"
    assert "giving up" in row(service.db, request_id).error["message"]
    assert service.runtime.calls == []


def test_unknown_or_foreign_request_is_not_found(tmp_path, database):
    service = harness(tmp_path, db=database)
    foreign = AsyncRequestStore(service.db, "other").create(body=BODY, content_type=None,
                                                            params={}, created_by=None)
    for request_id in ("0" * 32, foreign):
        with pytest.raises(NotFound):
            run(service.service.run_async_request(request_id))
