"""Write a replica's traffic buckets to the ``service_traffic`` table every few seconds.

Rows are keyed by (service, replica, bucket); a bucket flushed twice (requests landed in it
after the previous flush) is added to the existing row. Buckets that fail to save (the
database is down) are kept and retried at the next flush, up to an hour's worth.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlmodel import col, select

from daas.deployments.traffic import BUCKET_SECONDS, Bucket, TrafficRecorder
from daas.store.db import Database
from daas.store.tables import ServiceTraffic

log = logging.getLogger("daas.model_server")

FLUSH_EVERY_S = 5.0
_MAX_PENDING_BUCKETS = 3600 // BUCKET_SECONDS


def save_buckets(db: Database, service: str, replica: str, buckets: dict[datetime, Bucket]) -> None:
    """Add ``buckets`` to the traffic rows of this service and replica (one transaction)."""
    if not buckets:
        return
    with db.write() as session:
        existing = {row.bucket: row for row in session.exec(select(ServiceTraffic).where(
            ServiceTraffic.service_name == service, ServiceTraffic.replica == replica,
            col(ServiceTraffic.bucket).in_(list(buckets))))}
        for moment, bucket in buckets.items():
            row = existing.get(moment)
            if row is None:
                session.add(ServiceTraffic(service_name=service, replica=replica, bucket=moment,
                                           requests=bucket.requests, errors=bucket.errors,
                                           latency_ms_sum=bucket.latency_ms_sum,
                                           histogram=list(bucket.histogram)))
                continue
            total = Bucket(row.requests, row.errors, row.latency_ms_sum, list(row.histogram))
            total.merge(bucket)
            row.requests, row.errors = total.requests, total.errors
            row.latency_ms_sum, row.histogram = total.latency_ms_sum, total.histogram
            session.add(row)


class TrafficFlusher:
    """A background task draining a ``TrafficRecorder`` into the database."""

    def __init__(self, recorder: TrafficRecorder, db: Database, service: str, replica: str,
                 every_s: float = FLUSH_EVERY_S) -> None:
        self.recorder = recorder
        self.db = db
        self.service = service
        self.replica = replica
        self.every_s = every_s
        self._pending: dict[datetime, Bucket] = {}
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Start flushing on the running event loop (once)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def flush(self) -> None:
        """Save what was counted since the last successful flush."""
        for moment, bucket in self.recorder.drain().items():
            self._pending.setdefault(moment, Bucket()).merge(bucket)
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            await asyncio.to_thread(save_buckets, self.db, self.service, self.replica, pending)
        except Exception as exc:  # noqa: BLE001 - keep counting; retry at the next flush
            log.warning("could not save traffic of service %s: %s", self.service, exc)
            for moment, bucket in pending.items():
                self._pending.setdefault(moment, Bucket()).merge(bucket)
            for moment in sorted(self._pending)[:-_MAX_PENDING_BUCKETS]:
                del self._pending[moment]

    async def stop(self) -> None:
        """Stop the loop and flush one last time."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            await self.flush()
