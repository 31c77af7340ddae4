"""Batch jobs: define, schedule and run them; follow, stop, pause and continue their runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from daas.client.polling import poll_until
from daas.client.transport import Transport, without_none
from daas.client.types import Job, JobDetail, Run, RunLogs
from daas.errors import DaasError, Timeout

#: Run states a run rests in: nothing changes until someone acts.
SETTLED_RUN_STATES = ("succeeded", "failed", "stopped", "paused")


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


def _run_settled(run: Run) -> bool:
    """Whether a run rests (succeeded, stopped, paused); a failed run raises :class:`RunFailed`."""
    if run["status"] == "failed":
        raise RunFailed(run)
    return run["status"] in SETTLED_RUN_STATES


class JobsClient(Transport):
    """Create, schedule, run, follow, stop, pause and continue batch jobs.

    Every method takes ``group``: the group the job (or the run's job) is in (default: the
    client's group, else the caller's default group).
    """

    def create_job(self, name: str, kind: str, config: Mapping[str, Any], *,
                   group: str | None = None, **options: Any) -> JobDetail:
        """A predict, evaluate or script job; ``options``: schedule, timezone, enabled,
        allow_overlap, catch_up (unset ones omitted)."""
        body = {"name": name, "kind": kind, "config": dict(config), **without_none(options)}
        return self._json("POST", "/api/v1/jobs", params=self._in_group(group), json=body)

    def list_jobs(self, *, group: str | None = None) -> list[Job]:
        """The jobs of a group, or of every group the caller may read; by name."""
        return self._json("GET", "/api/v1/jobs", params=self._in_group(group))

    def get_job(self, name: str, *, group: str | None = None) -> JobDetail:
        """One job with its next run times."""
        return self._json("GET", job_path(name), params=self._in_group(group))

    def update_job(self, name: str, *, group: str | None = None, **changes: Any) -> JobDetail:
        """Change a job; every keyword given is sent, so ``schedule=None`` removes the schedule."""
        return self._json("PATCH", job_path(name), params=self._in_group(group), json=changes)

    def delete_job(self, name: str, *, group: str | None = None) -> None:
        """Delete a job and its run history (refused while a run is active)."""
        self._send("DELETE", job_path(name), params=self._in_group(group))

    def job_script(self, name: str, *, group: str | None = None) -> str:
        """The job as a standalone Python script."""
        return self._send("GET", f"{job_path(name)}/script", params=self._in_group(group)).text

    def run_job(self, name: str, *, group: str | None = None) -> Run:
        """Start a run now."""
        return self._json("POST", f"{job_path(name)}/runs", params=self._in_group(group))

    def job_runs(self, name: str, limit: int | None = None, *,
                 group: str | None = None) -> list[Run]:
        """A job's runs, newest first."""
        return self._json("GET", f"{job_path(name)}/runs",
                          params=self._in_group(group, {"limit": limit}))

    def get_run(self, run_id: int, *, group: str | None = None) -> Run:
        """One run: status, progress, timing, output, error."""
        return self._json("GET", run_path(run_id), params=self._in_group(group))

    def stop_run(self, run_id: int, *, group: str | None = None) -> Run:
        """Stop a run; its partial output is deleted."""
        return self._json("POST", f"{run_path(run_id)}/stop", params=self._in_group(group))

    def pause_run(self, run_id: int, *, group: str | None = None) -> Run:
        """Ask a run to pause after its in-flight chunks."""
        return self._json("POST", f"{run_path(run_id)}/pause", params=self._in_group(group))

    def continue_run(self, run_id: int, *, group: str | None = None) -> Run:
        """Continue a paused run where it stopped."""
        return self._json("POST", f"{run_path(run_id)}/continue",
                          params=self._in_group(group))

    def run_logs(self, run_id: int, tail: int | None = None, *,
                 group: str | None = None) -> RunLogs:
        """What the run's Ray job(s) printed."""
        return self._json("GET", f"{run_path(run_id)}/logs",
                          params=self._in_group(group, {"tail": tail}))

    def wait_for_run(self, run_id: int, *, timeout: float = 24 * 3600.0, interval: float = 1.0,
                     on_poll: Callable[[Run], None] | None = None,
                     sleep: Callable[[float], None] = time.sleep,
                     group: str | None = None) -> Run:
        """Poll a run until it is succeeded, stopped or paused (returned) or failed (raised)."""
        return poll_until(
            lambda: self.get_run(run_id, group=group), _run_settled, timeout=timeout,
            interval=interval, on_poll=on_poll, sleep=sleep,
            timed_out=lambda run: Timeout(
                f"run {run_id} is still {run['status']} after {timeout:g} s"))
