"""Batch runs as Ray jobs, through the dashboard's job API."""

from __future__ import annotations

import time
from typing import Any

import ray

from daas.errors import Unavailable
from daas.platform.ports import JobState

#: How long a submission waits for the head's job agent after the cluster starts.
_JOB_AGENT_WAIT_S = 30.0


class RayJobs:
    """Submits, stops and reads Ray jobs through the dashboard's job API.

    Built inside a process connected to Ray (a platform replica), it finds the dashboard
    through the cluster's own records; the client sends Ray's auth token by itself.
    """

    def __init__(self, address: str | None = None) -> None:
        self._address = address
        self._client = None

    def _jobs(self):
        from ray.job_submission import JobSubmissionClient

        if self._client is None:
            try:
                self._client = JobSubmissionClient(self._address or _dashboard_url())
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise Unavailable(f"cannot reach Ray's job API: {exc}") from exc
        return self._client

    def _call(self, method: str, *args: Any, retry: bool = True, **kwargs: Any) -> Any:
        try:
            return getattr(self._jobs(), method)(*args, **kwargs)
        except OSError as exc:  # requests' connection errors are OSErrors
            self._client = None  # the dashboard may have moved (Ray restarted): look it up again
            if not retry:
                raise Unavailable(f"Ray's job API did not answer: {exc}") from exc
        try:
            return getattr(self._jobs(), method)(*args, **kwargs)
        except OSError as exc:
            self._client = None
            raise Unavailable(f"Ray's job API did not answer: {exc}") from exc

    def submit(self, submission_id: str, entrypoint: str, runtime_env: dict[str, Any]) -> None:
        """Start a Ray job; its working_dir, if any, is uploaded before this returns.

        Right after the cluster starts, the head's job agent may not be registered yet;
        that refusal is retried for a little while.
        """
        deadline = time.monotonic() + _JOB_AGENT_WAIT_S
        while True:
            try:
                self._call("submit_job", entrypoint=entrypoint, submission_id=submission_id,
                           runtime_env=runtime_env, retry=False)
                return
            except RuntimeError as exc:
                if "No available agent" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(1)

    def stop(self, submission_id: str) -> bool:
        """Ask a job to end (SIGTERM, then SIGKILL); False if it had already ended."""
        try:
            return bool(self._call("stop_job", submission_id))
        except RuntimeError as exc:
            if _is_missing(exc):
                return False
            raise

    def status(self, submission_id: str) -> JobState | None:
        """A submission's state, or None when the cluster does not know it."""
        try:
            info = self._call("get_job_info", submission_id)
        except RuntimeError as exc:
            if _is_missing(exc):
                return None
            raise
        return _job_state(info)

    def logs(self, submission_id: str) -> str | None:
        """Everything the job's driver printed, or None when the cluster does not know it."""
        try:
            return self._call("get_job_logs", submission_id)
        except RuntimeError as exc:
            if _is_missing(exc):
                return None
            raise

    def list(self) -> list[JobState]:
        """Every submitted job the cluster remembers."""
        return [_job_state(info) for info in self._call("list_jobs") if info.submission_id]


def _job_state(info: Any) -> JobState:
    def seconds(milliseconds: int | None) -> float | None:
        return milliseconds / 1000 if milliseconds else None

    return JobState(info.submission_id or "", str(getattr(info.status, "value", info.status)),
                    info.message or "", info.entrypoint or "",
                    seconds(info.start_time), seconds(info.end_time))


def _is_missing(exc: Exception) -> bool:
    return "status code 404" in str(exc)


def _dashboard_url() -> str:
    """The dashboard's HTTP address, as the head node recorded it for this cluster."""
    from ray._private import ray_constants  # the dashboard's key has no public name
    from ray.experimental import internal_kv

    if not ray.is_initialized():
        raise Unavailable("this process is not connected to Ray")
    address = internal_kv._internal_kv_get(ray_constants.DASHBOARD_ADDRESS,
                                           namespace=ray_constants.KV_NAMESPACE_DASHBOARD)
    if not address:
        raise Unavailable("Ray's dashboard is not running; batch jobs need it "
                          "(start Ray with the dashboard)")
    return f"http://{address.decode()}"
