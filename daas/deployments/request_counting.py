"""Count a replica's requests: latency buckets for the traffic table, totals for ``stats()``.

An error is a 5xx answer, or a 4xx other than 401 and 404: a refused input (400/413/422)
counts against the service, while callers without credentials or at a wrong URL do not.
"""

from __future__ import annotations

from daas.deployments.traffic import TrafficRecorder

_NOT_ERRORS = frozenset({401, 404})


def counts_as_error(status_code: int) -> bool:
    """Whether an answer with this status counts as an error in traffic and stats."""
    return status_code >= 500 or (status_code >= 400 and status_code not in _NOT_ERRORS)


class RequestCounter:
    """Latency histogram buckets (drained by the traffic flusher) and running totals."""

    def __init__(self, replica: str) -> None:
        self.replica = replica
        self.recorder = TrafficRecorder()
        self.requests = 0
        self.errors = 0

    def record(self, latency_ms: float, status_code: int) -> None:
        """Count one answered request."""
        error = counts_as_error(status_code)
        self.requests += 1
        self.errors += error
        self.recorder.record(latency_ms, error)

    def stats(self) -> dict[str, str | int]:
        """``{"replica", "requests", "errors"}`` since the replica started."""
        return {"replica": self.replica, "requests": self.requests, "errors": self.errors}
