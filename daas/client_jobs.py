"""Batch job methods of :class:`daas.client.DaasClient` (mixed into it).

They rely on the client's ``_send``/``_json`` plumbing, so errors arrive as the same
:mod:`daas.errors` types as every other call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypedDict
from urllib.parse import quote

from daas.errors import DaasError, Timeout

#: Run states a run rests in: nothing changes until someone acts.
SETTLED_RUN_STATES = ("succeeded", "failed", "stopped", "paused")


class RunSummary(TypedDict):
    id: int
    status: str
    created: str


class Job(TypedDict):
    name: str
    kind: str
    config: dict[str, Any]
    schedule: str | None
    timezone: str
    enabled: bool
    allow_overlap: bool
    catch_up: bool
    next_run: str | None
    last_run: RunSummary | None
    created: str
    updated: str
    created_by: str | None


class JobDetail(Job):
    next_runs: list[str]


class Run(TypedDict):
    id: int
    job: str
    kind: str | None
    status: str
    trigger: str
    created: str
    started: str | None
    ended: str | None
    duration_s: float | None
    rows_done: int
    rows_total: int | None
    progress: float | None
    output_dataset: str | None
    error: str | None
    metrics: dict[str, Any] | None
    submission_id: str | None
    created_by: str | None


class SubmissionLog(TypedDict):
    submission_id: str
    text: str


class RunLogs(TypedDict):
    run_id: int
    logs: list[SubmissionLog]


class RunFailed(DaasError):
    """A followed run ended ``failed``; ``run`` is how it was last seen."""

    def __init__(self, run: Run) -> None:
        super().__init__(f"run {run['id']} of job {run['job']!r} failed: "
                         f"{run.get('error') or 'no reason given'}")
        self.run = run


def job_path(name: str) -> str:
    """The API path of a job."""
    return f"/api/v1/jobs/{quote(name, safe='')}"


def run_path(run_id: int) -> str:
    """The API path of a run."""
    return f"/api/v1/runs/{int(run_id)}"


class JobsClient:
    """Create, schedule, run, follow, stop, pause and continue batch jobs."""

    def create_job(self, name: str, kind: str, config: Mapping[str, Any], **options: Any) -> JobDetail:
        """A predict, evaluate or script job; ``options``: schedule, timezone, enabled,
        allow_overlap, catch_up (unset ones omitted)."""
        body = {"name": name, "kind": kind, "config": dict(config),
                **{key: value for key, value in options.items() if value is not None}}
        return self._json("POST", "/api/v1/jobs", json=body)

    def list_jobs(self) -> list[Job]:
        """Every job, by name."""
        return self._json("GET", "/api/v1/jobs")

    def get_job(self, name: str) -> JobDetail:
        """One job with its next run times."""
        return self._json("GET", job_path(name))

    def update_job(self, name: str, **changes: Any) -> JobDetail:
        """Change a job; every keyword given is sent, so ``schedule=None`` removes the schedule."""
        return self._json("PATCH", job_path(name), json=changes)

    def delete_job(self, name: str) -> None:
        """Delete a job and its run history (refused while a run is active)."""
        self._send("DELETE", job_path(name))

    def job_script(self, name: str) -> str:
        """The job as a standalone Python script."""
        return self._send("GET", f"{job_path(name)}/script").text

    def run_job(self, name: str) -> Run:
        """Start a run now."""
        return self._json("POST", f"{job_path(name)}/runs")

    def job_runs(self, name: str, limit: int | None = None) -> list[Run]:
        """A job's runs, newest first."""
        return self._json("GET", f"{job_path(name)}/runs", params={"limit": limit})

    def get_run(self, run_id: int) -> Run:
        """One run: status, progress, timing, output, error."""
        return self._json("GET", run_path(run_id))

    def stop_run(self, run_id: int) -> Run:
        """Stop a run; its partial output is deleted."""
        return self._json("POST", f"{run_path(run_id)}/stop")

    def pause_run(self, run_id: int) -> Run:
        """Ask a run to pause after its in-flight chunks."""
        return self._json("POST", f"{run_path(run_id)}/pause")

    def continue_run(self, run_id: int) -> Run:
        """Continue a paused run where it stopped."""
        return self._json("POST", f"{run_path(run_id)}/continue")

    def run_logs(self, run_id: int, tail: int | None = None) -> RunLogs:
        """What the run's Ray job(s) printed."""
        return self._json("GET", f"{run_path(run_id)}/logs", params={"tail": tail})

    def wait_for_run(self, run_id: int, *, timeout: float = 24 * 3600.0, interval: float = 1.0,
                     on_poll: Callable[[Run], None] | None = None,
                     sleep: Callable[[float], None] = time.sleep) -> Run:
        """Poll a run until it is succeeded, stopped or paused (returned) or failed (raised)."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.get_run(run_id)
            if on_poll is not None:
                on_poll(run)
            if run["status"] == "failed":
                raise RunFailed(run)
            if run["status"] in SETTLED_RUN_STATES:
                return run
            if time.monotonic() >= deadline:
                raise Timeout(f"run {run_id} is still {run['status']} after {timeout:g} s")
            sleep(interval)
