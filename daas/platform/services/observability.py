"""What a user sees of a running service: traffic, replicas with their request counts, logs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from daas.platform.db import Database
from daas.platform.ray_adapter import RayServe
from daas.platform.services.manager import app_name
from daas.platform.services.tables import ServiceTraffic
from daas.platform.services.traffic import BUCKET_SECONDS, Bucket, bucket_start, summarize

WINDOWS = {"minute": (timedelta(minutes=1), timedelta(seconds=BUCKET_SECONDS)),
           "hour": (timedelta(hours=1), timedelta(minutes=1))}


def traffic(db: Database, service: str, window: str, now: datetime | None = None) -> dict[str, Any]:
    """Summary and time series of a service's requests over the last minute or hour."""
    span, step = WINDOWS[window]
    end = bucket_start(now or datetime.now(timezone.utc)) + timedelta(seconds=BUCKET_SECONDS)
    start = end - span
    with db.read() as session:
        rows = session.exec(select(ServiceTraffic).where(
            ServiceTraffic.service_name == service, ServiceTraffic.bucket >= start,
            ServiceTraffic.bucket < end)).all()
    total = Bucket()
    points = {start + i * step: Bucket() for i in range(int(span / step))}
    for row in rows:
        bucket = Bucket(row.requests, row.errors, row.latency_ms_sum, list(row.histogram))
        total.merge(bucket)
        slot = start + ((row.bucket - start) // step) * step
        points.setdefault(slot, Bucket()).merge(bucket)
    return {
        "window": window,
        "start": start,
        "end": end,
        "summary": summarize(total, span.total_seconds()),
        "series": [{"t": t, **summarize(b, step.total_seconds())}
                   for t, b in sorted(points.items())],
    }


def requests_by_replica(db: Database, service: str) -> dict[str, int]:
    """Requests each replica has served (from flushed traffic buckets)."""
    with db.read() as session:
        rows = session.exec(
            select(ServiceTraffic.replica, func.sum(ServiceTraffic.requests))
            .where(ServiceTraffic.service_name == service).group_by(ServiceTraffic.replica)
        ).all()
    return {replica: int(count or 0) for replica, count in rows}


def replicas(db: Database, serve: RayServe, service: str) -> list[dict[str, Any]]:
    """Replica actors of a service with the requests each served."""
    served = requests_by_replica(db, service)
    return [{**row, "requests": served.get(row["replica_id"], 0)} for row in serve.replicas(app_name(service))]


def logs(serve: RayServe, service: str, tail: int) -> dict[str, Any]:
    """The tail of every live replica's log."""
    return {"replicas": [{"replica_id": r["replica_id"], "state": r["state"],
                          "lines": serve.log_tail(r, tail)} for r in serve.replicas(app_name(service))]}
