"""Request counts, errors and latency per service: recorded in replicas, summed for the API.

Replicas count requests into 10-second buckets with a fixed log-spaced latency histogram
and flush them to the ``service_traffic`` table; the API adds buckets across replicas
and reads percentiles off the summed histogram.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

BUCKET_SECONDS = 10
#: Upper bounds (ms) of the latency histogram; one more slot counts everything above.
LATENCY_BOUNDS_MS: tuple[float, ...] = (
    0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300,
    500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000, 60000,
)


def bucket_start(moment: datetime) -> datetime:
    """The start of the bucket holding ``moment``, in UTC."""
    moment = moment.astimezone(timezone.utc)
    return moment.replace(microsecond=0) - timedelta(seconds=moment.second % BUCKET_SECONDS)


@dataclass
class Bucket:
    """Counts for one time bucket."""

    requests: int = 0
    errors: int = 0
    latency_ms_sum: float = 0.0
    histogram: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BOUNDS_MS) + 1))

    def add(self, latency_ms: float, error: bool) -> None:
        """Count one request."""
        self.requests += 1
        self.errors += int(error)
        self.latency_ms_sum += latency_ms
        self.histogram[bisect.bisect_left(LATENCY_BOUNDS_MS, latency_ms)] += 1

    def merge(self, other: Bucket) -> None:
        """Add another bucket's counts to this one."""
        self.requests += other.requests
        self.errors += other.errors
        self.latency_ms_sum += other.latency_ms_sum
        self.histogram = [a + b for a, b in zip(self.histogram, other.histogram, strict=True)]


class TrafficRecorder:
    """Thread-safe in-memory counts, drained periodically by the replica."""

    def __init__(self) -> None:
        self._buckets: dict[datetime, Bucket] = {}
        self._lock = threading.Lock()

    def record(self, latency_ms: float, error: bool, at: datetime | None = None) -> None:
        """Count a finished request."""
        key = bucket_start(at or datetime.now(timezone.utc))
        with self._lock:
            self._buckets.setdefault(key, Bucket()).add(latency_ms, error)

    def drain(self) -> dict[datetime, Bucket]:
        """Every bucket counted since the last drain."""
        with self._lock:
            buckets, self._buckets = self._buckets, {}
        return buckets


def percentile(histogram: list[int], fraction: float) -> float | None:
    """The latency (ms, a bucket's upper bound) below which ``fraction`` of requests fall.

    Requests slower than the last bound are reported as that bound: a lower limit, and
    still a number JSON can carry (infinity cannot).
    """
    total = sum(histogram)
    if total == 0:
        return None
    rank = fraction * total
    seen = 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= rank and count:
            return LATENCY_BOUNDS_MS[min(index, len(LATENCY_BOUNDS_MS) - 1)]
    return LATENCY_BOUNDS_MS[-1]


def summarize(bucket: Bucket, seconds: float) -> dict[str, float | int | None]:
    """Requests, errors, rate and latency percentiles of a (merged) bucket."""
    return {
        "requests": bucket.requests,
        "errors": bucket.errors,
        "requests_per_second": round(bucket.requests / seconds, 3) if seconds else None,
        "latency_ms_mean": round(bucket.latency_ms_sum / bucket.requests, 3) if bucket.requests else None,
        "latency_ms_p50": percentile(bucket.histogram, 0.50),
        "latency_ms_p95": percentile(bucket.histogram, 0.95),
        "latency_ms_p99": percentile(bucket.histogram, 0.99),
    }
