"""Drive an HTTP endpoint with ``wrk`` (niced like Ray's workers) and read back its figures."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Ray starts its workers at nice 15; the load generator runs there too so neither side
#: gets the two cores to itself.
NICENESS = 15
_MARK = "WRK_RESULT "

# wrk calls done() once with the totals of all threads; latencies are in microseconds.
_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{auth}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{mark}{{"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"mean_us":%.1f}}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


@dataclass(frozen=True)
class Load:
    """Concurrency as wrk threads and connections."""

    label: str
    threads: int
    connections: int


C1 = Load("c1", 1, 1)
C16 = Load("c16", 2, 16)


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured."""

    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"rps": self.rps, "p50_ms": self.p50_ms, "p99_ms": self.p99_ms,
                "requests": self.requests, "non_2xx": self.non_2xx,
                "socket_errors": self.socket_errors}


def run_wrk(url: str, body: dict, load: Load, seconds: float,
            token: str | None = None) -> LoadResult:
    """POST ``body`` to ``url`` for ``seconds`` at ``load``; wrk's own percentiles."""
    auth = f'wrk.headers["Authorization"] = {_lua_string("Bearer " + token)}' if token else ""
    script = _SCRIPT.format(body=_lua_string(json.dumps(body)), auth=auth, mark=_MARK)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["nice", "-n", str(NICENESS), "wrk", f"-t{load.threads}",
                   f"-c{load.connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                   "-s", handle.name, url]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    line = next((row for row in done.stdout.splitlines() if row.startswith(_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {done.stdout}\n{done.stderr}")
    raw = json.loads(line[len(_MARK):])
    return LoadResult(requests=raw["requests"], seconds=raw["duration_us"] / 1e6,
                      non_2xx=raw["non_2xx"], socket_errors=raw["socket_errors"],
                      p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000)


def measure(url: str, body: dict, seconds: float, warmup_s: float,
            token: str | None = None) -> dict[str, dict]:
    """A warm-up, then c1 and c16 runs: ``{"c1": {...}, "c16": {...}}``."""
    results = {}
    for load in (C1, C16):
        run_wrk(url, body, load, warmup_s, token)
        results[load.label] = run_wrk(url, body, load, seconds, token).as_dict()
    return results


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"
