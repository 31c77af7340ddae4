"""Runs as Ray jobs: submit, stop, pause, continue, and keep run rows in step with Ray.

A predict or evaluate run is the batch driver (``python -m daas.batch.driver --run-id N``),
which moves its own row from ``pending`` to ``running`` and on to ``succeeded``/``failed``/
``paused``. A script run is the user's ``script.py`` and knows nothing of the platform, so
its row follows the Ray job's status. Either way Ray has the last word on jobs that ended
behind the platform's back (killed from outside, crashed, lost with the cluster).

The launcher is a ``JobBackend`` (``RayJobs``, or a test fake); without one, runs answer 503.
Job names are unique within a group only, so a run is tied to its job by ``(group_id,
job_name)``; run ids (and so Ray submission ids) are unique across the platform.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import col, select

from daas.batch.config import ModelJobConfig, ScriptJobConfig, parse_config
from daas.batch.planning import check_output_free
from daas.batch.run_files import run_key
from daas.errors import Conflict, DaasError, NotFound, Unavailable
from daas.platform.jobs.cron import zone
from daas.platform.jobs.inputs import check_model_inputs, output_name
from daas.platform.jobs.submissions import ray_reason, submission_id, submissions
from daas.platform.ports import JobBackend
from daas.platform.registry.registry import ModelRegistry, check_name
from daas.settings import Settings
from daas.store.db import Database, without_password
from daas.store.tables import Dataset, Job, JobRun, utcnow

log = logging.getLogger("daas.jobs")

#: A run in one of these states blocks another run of its job (unless overlap is allowed).
ACTIVE_STATES = ("pending", "running", "pausing", "paused", "stopping")
#: States in which a Ray job may be alive, so Ray is asked about it.
WATCHED_STATES = ("pending", "running", "pausing", "stopping")
#: A run still without a submission after this long was lost between row and submit.
_SUBMIT_GRACE = timedelta(minutes=5)
_TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED")


def as_utc(moment: datetime | None) -> datetime | None:
    """Timestamps read back from SQLite are naive UTC; make them aware."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


class RunDispatcher:
    """Starts runs as Ray jobs and reconciles their rows with Ray."""

    def __init__(self, db: Database, registry: ModelRegistry, settings: Settings, launcher: JobBackend | None,
                 *, python: str = sys.executable, stop_wait_s: float = 10.0,
                 clock: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.db = db
        self.registry = registry
        self.settings = settings
        self.launcher = launcher
        #: The interpreter of Ray's workers: a job's shell may find another ``python`` first.
        self.python = python
        self.stop_wait_s = stop_wait_s
        self.clock = clock
        self.sleep = sleep

    def _ray(self):
        if self.launcher is None:
            raise Unavailable("batch runs need Ray, and this platform is not connected to a cluster")
        return self.launcher

    # --- starting -------------------------------------------------------------------

    def open_run(self, session, job: Job, trigger: str, by: str | None) -> JobRun:
        """Add a pending run of ``job`` (in the job's group) in the caller's transaction;
        Conflict if it would overlap."""
        if not job.allow_overlap:
            active = session.exec(select(JobRun).where(
                JobRun.group_id == job.group_id, JobRun.job_name == job.name,
                col(JobRun.status).in_(ACTIVE_STATES))).first()
            if active is not None:
                raise Conflict(f"job {job.name!r} already has an active run ({active.id}, "
                               f"{active.status}); wait for it, stop it, or allow overlap",
                               details={"run_id": active.id})
        run = JobRun(group_id=job.group_id, job_name=job.name, trigger=trigger, created_by=by,
                     created=self.clock())
        session.add(run)
        session.flush()
        return run

    def start(self, group_id: int, job_name: str, trigger: str = "manual",
              by: str | None = None) -> JobRun:
        """Create a run of the group's job and submit it; a run whose inputs no longer fit
        fails at once."""
        self._ray()
        with self.db.write() as session:
            job = locked_job(session, group_id, job_name)
            run = self.open_run(session, job, trigger, by)
        return self.launch(job, run)

    def launch(self, job: Job, run: JobRun) -> JobRun:
        """Check the run's inputs and submit its Ray job; failures end the run with a reason."""
        try:
            if job.kind == "script":
                self._submit_script(job, run)
            else:
                self._submit_driver(job, run)
        except DaasError as exc:
            return self._end(run.id, "failed", exc.message)
        except Exception as exc:  # noqa: BLE001 - Ray's client raises plain RuntimeErrors
            log.exception("submitting run %s failed", run.id)  # the traceback, for operators
            return self._end(run.id, "failed", f"submitting the Ray job failed: {ray_reason(exc)}")
        return self.run(run.id)

    def _submit_driver(self, job: Job, run: JobRun, attempt: int = 1) -> str:
        if attempt == 1:
            config = parse_config(job.kind, job.config)
            assert isinstance(config, ModelJobConfig)
            check_model_inputs(self.db, job.group_id, config)
            output = None
            if config.output_dataset is not None:
                output = output_name(config.output_dataset, run.id, as_utc(run.created),
                                     zone(job.timezone))
                check_name(output, "output dataset name", "config.output_dataset")
                check_output_free(self.db, job.group_id, output)
            with self.db.write() as session:
                row = session.get(JobRun, run.id)
                row.output_dataset, row.output_key = output, run_key(run.id)
                session.add(row)
        sid = submission_id(job.name, run.id, attempt)
        self._ray().submit(sid, f"{shlex.quote(self.python)} -m daas.batch.driver --run-id {run.id}",
                           {"env_vars": self.driver_env()})
        self._record_submission(run.id, sid)
        return sid

    def driver_env(self) -> dict[str, str]:
        """What the batch driver needs to reach the platform's database and storage (Ray
        logs it: a database password goes by file, not in the URL)."""
        url, password_env = without_password(self.settings.resolved_database_url,
                                              self.settings.home)
        return {"DAAS_HOME": str(self.settings.home), "DAAS_DATABASE_URL": url, **password_env,
                "DAAS_STORAGE_URI": self.settings.resolved_storage_uri,
                "RAY_USAGE_STATS_ENABLED": "0"}

    def _submit_script(self, job: Job, run: JobRun) -> str:
        config = parse_config("script", job.config)
        assert isinstance(config, ScriptJobConfig)
        # With pip packages Ray activates a virtualenv (on top of the cluster's packages)
        # whose `python` comes first on the job's PATH.
        python = "python" if config.pip else shlex.quote(self.python)
        entrypoint = " ".join([python, "script.py", *map(shlex.quote, config.args)])
        sid = submission_id(job.name, run.id)
        folder = Path(tempfile.mkdtemp(prefix="daas-script-"))
        try:
            (folder / "script.py").write_text(config.source, encoding="utf-8")
            runtime_env = {"working_dir": str(folder), "env_vars": dict(config.env)}
            if config.pip:
                runtime_env["pip"] = list(config.pip)
            self._ray().submit(sid, entrypoint, runtime_env)  # uploads working_dir before returning
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self._record_submission(run.id, sid)
        return sid

    def _record_submission(self, run_id: int, sid: str) -> None:
        with self.db.write() as session:
            row = session.get(JobRun, run_id)
            row.submission_id = sid
            if row.status == "paused":  # a continue: the new driver may already say running
                row.status = "pending"
            session.add(row)
        if row.status in ("stopping", "stopped"):  # stopped while it was being submitted
            self._ray().stop(sid)

    # --- controls -------------------------------------------------------------------

    def stop(self, run_id: int) -> JobRun:
        """End a run: its Ray job is stopped and its partial output deleted, never registered."""
        with self.db.write() as session:
            run = _run(session, run_id)
            if run.status not in ACTIVE_STATES:
                raise Conflict(f"run {run_id} is {run.status}; only active runs can be stopped")
            alive = run.status != "paused" and run.submission_id is not None
            run.status = "stopping"
            session.add(run)
        if not alive:
            return self._finish_stop(run_id)
        self._ray().stop(run.submission_id)
        deadline = time.monotonic() + self.stop_wait_s
        while True:
            state = self.launcher.status(run.submission_id)
            if state is None or state.status in _TERMINAL:
                return self._finish_stop(run_id)
            if time.monotonic() >= deadline:
                return self.run(run_id)  # still stopping; the next sync finishes it
            self.sleep(0.2)

    def pause(self, run_id: int) -> JobRun:
        """Ask the driver to finish its in-flight chunks and then stop as ``paused``."""
        with self.db.write() as session:
            run = _run(session, run_id)
            job = job_of(session, run)
            if job is not None and job.kind == "script":
                raise Conflict("script runs cannot be paused; stop them instead")
            if run.status not in ("pending", "running"):
                raise Conflict(f"run {run_id} is {run.status}; only pending or running runs can pause")
            run.status = "pausing"
            session.add(run)
        return run

    def resume(self, run_id: int) -> JobRun:
        """Continue a paused run in a new Ray job; it picks up where it stopped."""
        self._ray()
        with self.db.read() as session:
            run = _run(session, run_id)
            job = job_of(session, run)
        if run.status != "paused" or job is None:
            raise Conflict(f"run {run_id} is {run.status}; only paused runs can continue")
        attempt = len(submissions(run)) + 1
        try:
            self._submit_driver(job, run, attempt)
        except DaasError:
            raise
        except Exception as exc:  # noqa: BLE001 - the run stays paused; the user may retry
            raise Unavailable(f"submitting the Ray job failed: {exc}") from exc
        return self.run(run_id)

    # --- reading --------------------------------------------------------------------

    def run(self, run_id: int) -> JobRun:
        """One run row."""
        with self.db.read() as session:
            return _run(session, run_id)

    def logs(self, run: JobRun, tail: int | None = None) -> list[tuple[str, str]]:
        """(submission id, log text) for each of the run's Ray jobs, oldest first."""
        found = []
        for sid in submissions(run):
            text = self._ray().logs(sid)
            if text is None:
                text = "(Ray no longer has this job's log; was the cluster restarted?)\n"
            elif tail is not None:
                text = "".join(text.splitlines(keepends=True)[-tail:])
            found.append((sid, text))
        return found

    # --- reconciling with Ray -------------------------------------------------------

    def sync_runs(self) -> None:
        """Bring every run Ray may still be working on in line with Ray's view."""
        if self.launcher is None:
            return
        with self.db.read() as session:
            runs = session.exec(select(JobRun).where(col(JobRun.status).in_(WATCHED_STATES))).all()
            kinds = {(group_id, name): kind for group_id, name, kind
                     in session.exec(select(Job.group_id, Job.name, Job.kind)).all()}
            # A driver asked to stop may say "stopped" itself before the platform saw Ray end it.
            uncleaned = session.exec(select(JobRun.id).where(
                JobRun.status == "stopped", col(JobRun.output_key).is_not(None))).all()
        for run_id in uncleaned:
            self._finish_stop(run_id)
        for run in runs:
            try:
                self.refresh(run, kinds.get((run.group_id, run.job_name)))
            except Exception:  # noqa: BLE001 - one run must not stop the others
                log.exception("checking run %s against Ray failed", run.id)

    def refresh(self, run: JobRun, kind: str | None) -> JobRun:
        """One run brought in line with its Ray job (returned unchanged if nothing to do)."""
        if run.status not in WATCHED_STATES or self.launcher is None:
            return run
        if run.submission_id is None:
            if self.clock() - as_utc(run.created) > _SUBMIT_GRACE:
                return self._end(run.id, "failed", "the run was never submitted to Ray")
            return run
        state = self.launcher.status(run.submission_id)
        if state is None:
            return self._end(run.id, "failed", f"Ray no longer knows the job {run.submission_id} "
                                               "(was the cluster restarted?)")
        if run.status == "stopping":
            if state.status in _TERMINAL:
                return self._finish_stop(run.id)
            self.launcher.stop(run.submission_id)
            return run
        if kind == "script":
            return self._follow_script(run, state)
        if state.status in ("FAILED", "STOPPED"):
            return self._end(run.id, "failed", f"the Ray job ended unexpectedly: {state.message}")
        if state.status == "SUCCEEDED":
            # The driver writes its final state before it exits; re-read inside _end.
            paused = self._end(run.id, "paused", None, only_if=("pausing",))
            if paused.status == "paused":
                return paused
            return self._end(run.id, "failed", "the Ray job ended without recording a result")
        return run

    def _follow_script(self, run: JobRun, state) -> JobRun:
        started, ended = _epoch(state.start_time), _epoch(state.end_time)
        if state.status == "RUNNING" and run.status == "pending":
            with self.db.write() as session:
                row = session.get(JobRun, run.id)
                if row.status == "pending":
                    row.status, row.started = "running", started or self.clock()
                    session.add(row)
            return self.run(run.id)
        outcome = {"SUCCEEDED": ("succeeded", None),
                   "FAILED": ("failed", f"the script failed: {state.message}"),
                   "STOPPED": ("failed", f"the Ray job ended unexpectedly: {state.message}")}
        if state.status in outcome:
            status, error = outcome[state.status]
            return self._end(run.id, status, error, started=started, ended=ended)
        return run

    def _end(self, run_id: int, status: str, error: str | None,
             only_if: tuple[str, ...] = ACTIVE_STATES, *, started: datetime | None = None,
             ended: datetime | None = None) -> JobRun:
        """Set a run's outcome unless it changed meanwhile (e.g. the driver finished it)."""
        with self.db.write() as session:
            row = _run(session, run_id)
            if row.status in only_if:
                row.status, row.error = status, (error[:4000] if error else None)
                row.started = row.started or started
                if status != "paused":
                    row.ended = ended or self.clock()
                session.add(row)
        return row

    def _finish_stop(self, run_id: int) -> JobRun:
        with self.db.write() as session:
            row = _run(session, run_id)
            if row.status in ("stopping", "stopped"):  # the driver may have said stopped itself
                self._drop_partial_output(session, row)
                row.output_key = None
                session.add(row)
            if row.status == "stopping":
                row.status, row.ended = "stopped", self.clock()
                session.add(row)
        return row

    def _drop_partial_output(self, session, run: JobRun) -> None:
        key = run.output_key or run_key(run.id)
        if session.exec(select(Dataset.id).where(Dataset.storage_key == key)).first() is None:
            self.registry.store.delete_dir(key)

    def drop_outputs_of_unfinished_runs(self, session, group_id: int, job_name: str) -> None:
        """Delete the partial output folders of a job's runs that never registered them."""
        for run in session.exec(select(JobRun).where(JobRun.group_id == group_id,
                                                     JobRun.job_name == job_name,
                                                     JobRun.status != "succeeded")):
            self._drop_partial_output(session, run)



def _epoch(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, timezone.utc) if seconds else None


def locked_job(session, group_id: int, name: str) -> Job:
    """A job row of the group, locked for the transaction where the database supports it."""
    job = session.exec(select(Job).where(Job.group_id == group_id, Job.name == name)
                       .with_for_update()).first()
    if job is None:
        raise NotFound(f"no job named {name!r} in this group")
    return job


def job_of(session, run: JobRun) -> Job | None:
    """The job a run belongs to (None once deleted)."""
    return session.exec(select(Job).where(Job.group_id == run.group_id,
                                          Job.name == run.job_name)).first()


def _run(session, run_id: int) -> JobRun:
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    return run
