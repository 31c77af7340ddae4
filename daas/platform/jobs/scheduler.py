"""Fire scheduled jobs when they are due, and keep runs in step with Ray, in a background loop.

Each pass first reconciles active runs with their Ray jobs, then starts every enabled job
whose ``next_run`` has come and moves ``next_run`` to the first slot after now. Claiming a
job and moving its ``next_run`` happen in one write transaction, so a slot fires once even
with several platform replicas. A slot missed by more than ``grace_s`` (the platform was
down) fires once on the next pass if the job catches up, and is skipped otherwise; either
way it never fires once per missed slot. A scheduled run belongs to its job's group.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from daas.errors import Conflict, NotFound
from daas.platform.background import PeriodicPass
from daas.platform.jobs import cron
from daas.platform.jobs.dispatch import RunDispatcher, as_utc, locked_job
from daas.store.db import Database
from daas.store.tables import Job, JobRun, utcnow

log = logging.getLogger("daas.scheduler")


class JobScheduler:
    """Starts due jobs and reconciles runs, every ``interval_s`` seconds."""

    def __init__(self, db: Database, dispatcher: RunDispatcher, *, interval_s: float = 10.0,
                 grace_s: float | None = None, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.dispatcher = dispatcher
        self.interval_s = interval_s
        self.grace = timedelta(seconds=grace_s if grace_s is not None else max(60.0, 3 * interval_s))
        self.clock = clock
        self._background = PeriodicPass("daas-job-scheduler", self.run_pass, interval_s, log)

    def start(self) -> None:
        """Run passes in a background thread until ``stop``; the first one runs at once."""
        self._background.start()

    def stop(self) -> None:
        """End the background loop."""
        self._background.stop()

    def trigger(self) -> None:
        """Ask for a pass soon."""
        self._background.trigger()

    def run_pass(self) -> list[JobRun]:
        """Reconcile runs with Ray, then fire due jobs."""
        self.dispatcher.sync_runs()
        return self.tick(self.clock())

    def tick(self, now: datetime) -> list[JobRun]:
        """Start every due job once; returns the runs started."""
        with self.db.read() as session:
            jobs = session.exec(select(Job.group_id, Job.name).where(
                Job.schedule.is_not(None), Job.enabled.is_(True))).all()  # type: ignore[union-attr]
        started = []
        for group_id, name in jobs:
            try:
                run = self._fire_if_due(group_id, name, now)
            except Exception:  # noqa: BLE001 - one broken job must not stop the others
                log.exception("scheduling job %s failed", name)
                continue
            if run is not None:
                started.append(run)
        return started

    def _fire_if_due(self, group_id: int, name: str, now: datetime) -> JobRun | None:
        with self.db.write() as session:
            try:
                job = locked_job(session, group_id, name)
            except NotFound:
                return None  # deleted meanwhile
            if job.schedule is None or not job.enabled:
                return None
            due = as_utc(job.next_run)
            following = cron.next_after(job.schedule, now, cron.zone(job.timezone))
            if due is not None and due > now:
                return None
            job.next_run = following.astimezone(timezone.utc)
            session.add(job)
            if due is None:  # scheduled without a next run yet: start counting from now
                return None
            missed = due < now - self.grace
            if missed and not job.catch_up:
                log.info("job %s missed its run at %s; not catching up", name, due)
                return None
            try:
                run = self.dispatcher.open_run(session, job, "catch-up" if missed else "schedule", None)
            except Conflict:
                log.info("job %s is due but its previous run is still active; skipped", name)
                return None
        return self.dispatcher.launch(job, run)
