"""The Ray job ids of a run's submissions, and Ray's errors in one sentence."""

from __future__ import annotations

from daas.store.tables import JobRun


def submission_id(job_name: str, run_id: int, attempt: int = 1) -> str:
    """The Ray job id of a run's ``attempt``-th submission (continues add ``-2``, ``-3``...)."""
    base = f"daas-{job_name}-{run_id}"
    return base if attempt == 1 else f"{base}-{attempt}"


def ray_reason(exc: Exception) -> str:
    """One readable sentence from a Ray client error, whose text may carry the server's
    whole traceback: its last line, without the exception's class name."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    last = lines[-1]
    if len(lines) == 1:
        return last
    name, _, message = last.partition(": ")
    return message if message and name.replace(".", "").isidentifier() else last


def submissions(run: JobRun) -> list[str]:
    """Every Ray job id a run has had, oldest first."""
    if run.submission_id is None:
        return []
    base = submission_id(run.job_name, run.id)
    suffix = run.submission_id.removeprefix(base).lstrip("-")
    attempts = int(suffix) if suffix.isdigit() else 1
    return [submission_id(run.job_name, run.id, n) for n in range(1, attempts + 1)]
