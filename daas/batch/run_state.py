"""A run's row in the database, as the driver reads and updates it."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from daas.errors import NotFound
from daas.store.db import Database
from daas.store.tables import Job, JobRun, utcnow


class RunRecord:
    """Reads and writes one ``JobRun`` row (each call its own short transaction)."""

    def __init__(self, db: Database, run_id: int) -> None:
        self.db = db
        self.run_id = run_id

    def load(self) -> tuple[JobRun, Job]:
        """The run and its job (the job of that name in the run's group); ``NotFound`` when
        either is gone."""
        with self.db.read() as session:
            run = session.get(JobRun, self.run_id)
            if run is None:
                raise NotFound(f"no job run with id {self.run_id}")
            job = session.exec(select(Job).where(Job.group_id == run.group_id,
                                                 Job.name == run.job_name)).first()
        if job is None:
            raise NotFound(f"job {run.job_name!r} of run {self.run_id} no longer exists")
        return run, job

    def status(self) -> str:
        """The run's current status."""
        with self.db.read() as session:
            run = session.get(JobRun, self.run_id)
            if run is None:
                raise NotFound(f"no job run with id {self.run_id}")
            return run.status

    def update(self, **fields: Any) -> None:
        """Set fields of the run."""
        with self.db.write() as session:
            run = self._locked(session)
            for name, value in fields.items():
                setattr(run, name, value)
            session.add(run)

    def move(self, status: str, *, only_from: tuple[str, ...] | None = None,
             **fields: Any) -> str:
        """Set ``status`` (and ``fields``) unless the current status is outside ``only_from``.

        Final states also set ``ended``. Returns the status the run has afterwards.
        """
        with self.db.write() as session:
            run = self._locked(session)
            if only_from is not None and run.status not in only_from:
                return run.status
            run.status = status
            if status in ("succeeded", "failed", "stopped"):
                run.ended = utcnow()
            for name, value in fields.items():
                setattr(run, name, value)
            session.add(run)
            return status

    def _locked(self, session) -> JobRun:
        run = session.get(JobRun, self.run_id)
        if run is None:
            raise NotFound(f"no job run with id {self.run_id}")
        return run
