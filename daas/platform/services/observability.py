"""What a user sees of a running service: traffic, replicas with their request counts, logs."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from daas.deployments.traffic import BUCKET_SECONDS, Bucket, bucket_start, summarize
from daas.errors import NotFound
from daas.platform.ports import ReplicaInfo, ServeBackend, service_app_name
from daas.store.db import Database
from daas.store.tables import Service, ServiceTraffic

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


class ServiceObserver:
    """A service's replicas, logs and traffic, read from Serve and the traffic table."""

    def __init__(self, db: Database, serve: ServeBackend) -> None:
        self.db = db
        self.serve = serve

    def running_replicas(self, service: str) -> list[ReplicaInfo]:
        """The replicas that take requests."""
        return [r for r in self.serve.replicas(service_app_name(service)) if r.running]

    def replicas(self, service: str) -> list[dict[str, Any]]:
        """Replica actors of a service with the requests each served; draining ones say why."""
        served = requests_by_replica(self.db, service)
        with self.db.read() as session:
            desired = session.exec(select(Service.desired).where(Service.name == service)).first()
        return [{**replica_view(replica, desired), "requests": served.get(replica.replica_id, 0)}
                for replica in self.serve.replicas(service_app_name(service))]

    def restart_replica(self, service: str, replica_id: str) -> None:
        """Stop one live replica; Serve starts a replacement."""
        replica = next((r for r in self.running_replicas(service) if r.replica_id == replica_id), None)
        if replica is None:
            raise NotFound(f"service {service!r} has no live replica {replica_id!r}")
        self.serve.kill_replica(replica)

    def logs(self, service: str, tail: int) -> dict[str, Any]:
        """The tail of every replica's log."""
        return {"replicas": [{"replica_id": r.replica_id, "state": r.state,
                              "lines": self.serve.log_tail(r, tail)}
                             for r in self.serve.replicas(service_app_name(service))]}

    def traffic(self, service: str, window: str) -> dict[str, Any]:
        """Summary and time series of a service's requests."""
        return traffic(self.db, service, window)


def draining_reason(desired: str | None) -> str:
    """Why a replica of a service in ``desired`` state is being stopped."""
    if desired == "paused":
        return "the service is paused: this replica refuses calls and stops once the drain ends"
    if desired == "deleted":
        return "the service is being deleted: this replica refuses calls and stops once the drain ends"
    return "replaced or scaled down: this replica finishes the calls it has, then stops"


def is_draining(replica: ReplicaInfo, desired: str | None) -> bool:
    """Stopping, or refusing calls until it is stopped (its service is paused or deleted)."""
    return replica.draining or (replica.running and desired in ("paused", "deleted"))


def replica_view(replica: ReplicaInfo, desired: str | None) -> dict[str, Any]:
    """A replica as the API shows it: one on its way out is ``DRAINING``, with its reason."""
    view = asdict(replica)
    if is_draining(replica, desired):
        view.update(state="DRAINING", reason=draining_reason(desired))
    return view


def desired_states(db: Database) -> dict[str, str]:
    """Every service's desired state, by name."""
    with db.read() as session:
        return dict(session.exec(select(Service.name, Service.desired)).all())
