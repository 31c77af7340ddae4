"""Traffic counting and its periodic flush to the service_traffic table."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlmodel import select

from daas.deployments.request_counting import RequestCounter, counts_as_error
from daas.deployments.traffic import Bucket
from daas.deployments.traffic_flush import TrafficFlusher, save_buckets
from daas.store.tables import ServiceTraffic
from tests.conftest import both_backends
from tests.deployments.fakes import PREFIX, harness, run, temporary_database

MOMENT = datetime(2026, 1, 1, 12, 0, 10, tzinfo=timezone.utc)


def traffic_rows(db) -> list[ServiceTraffic]:
    with db.read() as session:
        return list(session.exec(select(ServiceTraffic).order_by(ServiceTraffic.bucket)))


@pytest.mark.parametrize(("status", "error"), [
    (200, False), (202, False), (400, True), (401, False), (404, False), (405, True),
    (413, True), (422, True), (500, True), (503, True), (504, True)])
def test_which_answers_count_as_errors(status, error):
    assert counts_as_error(status) is error


def test_counter_totals_and_buckets():
    counter = RequestCounter("r9")
    for status in (200, 200, 422, 401):
        counter.record(1.0, status)
    assert counter.stats() == {"replica": "r9", "requests": 4, "errors": 1}
    buckets = counter.recorder.drain()
    assert sum(b.requests for b in buckets.values()) == 4
    assert sum(b.errors for b in buckets.values()) == 1


@both_backends
def test_save_buckets_inserts_then_adds_to_existing_rows(database):
    db = database
    first = Bucket()
    first.add(2.0, False)
    save_buckets(db, "adder", "r1", {MOMENT: first})
    second = Bucket()
    second.add(4.0, True)
    second.add(6.0, False)
    save_buckets(db, "adder", "r1", {MOMENT: second})
    save_buckets(db, "adder", "r2", {MOMENT: second})
    rows = traffic_rows(db)
    assert [(r.replica, r.requests, r.errors, r.latency_ms_sum) for r in rows] == [
        ("r1", 3, 1, 12.0), ("r2", 2, 1, 10.0)]
    assert sum(rows[0].histogram) == 3


def test_flusher_keeps_buckets_when_the_database_fails(tmp_path):
    db = temporary_database(tmp_path)
    counter = RequestCounter("r1")
    flusher = TrafficFlusher(counter.recorder, db, "adder", "r1")
    counter.record(1.0, 200)
    broken = TrafficFlusher(counter.recorder, None, "adder", "r1")  # type: ignore[arg-type]
    run(broken.flush())
    assert traffic_rows(db) == [] and broken._pending
    flusher._pending = broken._pending
    counter.record(1.0, 500)
    run(flusher.flush())
    assert [(r.requests, r.errors) for r in traffic_rows(db)] in ([(2, 1)], [(1, 0), (1, 1)])


def test_http_traffic_is_flushed_when_the_service_closes(tmp_path):
    adder = harness(tmp_path)
    with adder.client() as client:
        for _ in range(3):
            client.post(f"{PREFIX}/predict", json={"data": [{"x": 1, "y": 1}]})
        client.post(f"{PREFIX}/predict", content=b"{", headers={"Content-Type": "application/json"})
    rows = traffic_rows(adder.db)
    assert sum(r.requests for r in rows) == 4 and sum(r.errors for r in rows) == 1
    assert {(r.service_name, r.replica) for r in rows} == {("adder", "r1")}


def test_requests_slower_than_the_last_bound_give_a_finite_percentile():
    import json

    from daas.deployments.traffic import LATENCY_BOUNDS_MS, summarize

    bucket = Bucket()
    bucket.add(5.0, False)
    for _ in range(3):
        bucket.add(LATENCY_BOUNDS_MS[-1] * 10, False)
    summary = summarize(bucket, 10.0)
    assert summary["latency_ms_p99"] == LATENCY_BOUNDS_MS[-1]
    assert summary["latency_ms_p50"] == LATENCY_BOUNDS_MS[-1]
    json.dumps(summary, allow_nan=False)
