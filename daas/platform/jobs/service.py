"""Batch jobs as stored definitions: create, change, delete, list; runs and their controls.

A job is a row of a group (kind, config, optional cron schedule), named uniquely within
that group; each execution is a ``JobRun`` of the same group that the dispatcher turns into a
Ray job. Configs are checked against the group's models, services and datasets when saved,
and again by the dispatcher when a run starts.

Group permissions are checked by the routes (``daas.platform.access.policy``); this service
adds the code-execution grant script jobs need (``daas.platform.jobs.access``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select

from daas.batch.config import (
    CONFIG_MODELS,
    ModelJobConfig,
    ScriptJobConfig,
    parse_config,
)
from daas.batch.planning import check_output_free, dataset, resolve_model
from daas.errors import Conflict, InvalidInput, NotFound, NotImplementedHere
from daas.platform.access.groups import GroupService
from daas.platform.access.policy import Action, GroupRef, Principal, allowed
from daas.platform.jobs import cron
from daas.platform.jobs.access import (
    CODE_KINDS,
    JOB_PERMISSION,
    SETTING,
    CodeExecution,
    job_secrets,
    keep_env_secrets,
    redact,
    retire_secrets,
    shown_config,
)
from daas.platform.jobs.dispatch import (
    ACTIVE_STATES,
    RunDispatcher,
    as_utc,
    job_of,
    locked_job,
)
from daas.platform.jobs.inputs import (
    check_model_inputs,
    check_output_template,
    dataset_users,
    has_placeholder,
)
from daas.platform.jobs.schemas import (
    JobCreate,
    JobDetail,
    JobKindAccess,
    JobPublic,
    JobUpdate,
    RunLogs,
    RunPublic,
    RunSummary,
    SubmissionLog,
)
from daas.platform.registry.registry import ModelRegistry, check_name
from daas.store.db import Database
from daas.store.tables import Job, JobRun, utcnow

#: How many upcoming times a job's detail previews.
NEXT_RUNS_PREVIEW = 5


class JobService:
    """Job definitions and run controls over the database and a run dispatcher.

    Callers are passed in so script jobs can need the code-execution permission
    (``daas.platform.jobs.access``); scheduled runs need none, their job was allowed when saved.
    """

    def __init__(self, db: Database, registry: ModelRegistry, dispatcher: RunDispatcher,
                 clock: Callable[[], datetime] = utcnow,
                 code_execution: CodeExecution | None = None) -> None:
        self.db = db
        self.registry = registry
        self.dispatcher = dispatcher
        self.clock = clock
        self.code_execution = code_execution or CodeExecution(dispatcher.settings.code_execution_role)
        self.groups = GroupService(db)

    # --- definitions ----------------------------------------------------------------

    def create(self, group: GroupRef, form: JobCreate, by: Principal) -> JobDetail:
        """Record a job in ``group`` after checking code execution, its name, config and schedule."""
        self.code_execution.require(by, group, form.kind, f"creating a {form.kind} job")
        check_name(form.name, "job name", "name")
        tz = form.timezone or "UTC"
        cron.zone(tz)
        if form.schedule is not None:
            cron.check(form.schedule, tz)
        config = self._checked_config(group, form.kind,
                                      self._with_secrets(form.kind, form.config, {}), form.schedule)
        row = Job(group_id=group.id, name=form.name, kind=form.kind, config=config, schedule=form.schedule,
                  timezone=tz, enabled=_given(form.enabled, True),
                  allow_overlap=_given(form.allow_overlap, False),
                  catch_up=_given(form.catch_up, True), created_by=by.name)
        row.next_run = self._next_run(row)
        with self.db.write() as session:
            if session.exec(select(Job.id).where(Job.group_id == group.id,
                                                 Job.name == form.name)).first() is not None:
                raise Conflict(f"a job named {form.name!r} exists already in group {group.name!r}",
                               details={"field": "name"})
            session.add(row)
        return self.get(group, form.name, by)

    def update(self, group: GroupRef, name: str, form: JobUpdate, by: Principal) -> JobDetail:
        """Change the schedule, switches or config; a new config is checked like a new job.

        A script config keeps stored ``env`` values sent as ``***`` (or all, without ``env``).
        """
        given = {field: getattr(form, field) for field in form.model_fields_set}
        current = self.row(group, name)
        self.code_execution.require(by, group, current.kind, f"changing {current.kind} job {name!r}")
        schedule = given["schedule"] if "schedule" in given else current.schedule
        tz = given.get("timezone") or current.timezone
        cron.zone(tz)
        if schedule is not None:
            cron.check(schedule, tz)
        config = current.config
        if given.get("config") is not None:
            config = self._checked_config(
                group, current.kind,
                self._with_secrets(current.kind, given["config"], current.config), schedule)
        elif schedule is not None:
            _require_placeholder(current.kind, config)
        with self.db.write() as session:
            row = locked_job(session, group.id, name)
            if config != row.config and self._active_run(session, row) is not None:
                raise Conflict(f"job {name!r} has an active run; change its config once it ends")
            row.retired_secrets = retire_secrets(row.config, config, row.retired_secrets or [])
            row.config, row.schedule, row.timezone = config, schedule, tz
            for switch in ("enabled", "allow_overlap", "catch_up"):
                if given.get(switch) is not None:
                    setattr(row, switch, given[switch])
            if given.keys() & {"schedule", "timezone", "enabled"}:
                row.next_run = self._next_run(row)
            row.updated = self.clock()
            session.add(row)
        return self.get(group, name, by)

    def delete(self, group: GroupRef, name: str, by: Principal) -> None:
        """Delete a job of the group and its run history; refused while a run is active."""
        with self.db.write() as session:
            row = locked_job(session, group.id, name)
            self.code_execution.require(by, group, row.kind, f"deleting {row.kind} job {name!r}")
            active = self._active_run(session, row)
            if active is not None:
                raise Conflict(f"job {name!r} has an active run ({active.id}, {active.status}); "
                               "stop it first", details={"run_id": active.id})
            self.dispatcher.drop_outputs_of_unfinished_runs(session, group.id, name)
            session.exec(delete(JobRun).where(col(JobRun.group_id) == group.id,
                                              col(JobRun.job_name) == name))
            session.delete(row)

    def _checked_config(self, group: GroupRef, kind: str, config: dict[str, Any],
                        schedule: str | None) -> dict[str, Any]:
        parsed = parse_config(kind, config)
        if isinstance(parsed, ModelJobConfig):
            if parsed.output_dataset is not None:
                check_output_template(parsed.output_dataset)
            if schedule is not None:
                _require_placeholder(kind, parsed.model_dump())
            check_model_inputs(self.db, group.id, parsed)
            if parsed.output_dataset is not None and not has_placeholder(parsed.output_dataset):
                check_output_free(self.db, group.id, parsed.output_dataset)
        return parsed.model_dump(mode="json")

    @staticmethod
    def _with_secrets(kind: str, config: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
        if kind not in CODE_KINDS:
            return config
        return keep_env_secrets(config, stored.get("env") or {})

    def _next_run(self, row: Job) -> datetime | None:
        if row.schedule is None or not row.enabled:
            return None
        return cron.next_after(row.schedule, self.clock(), cron.zone(row.timezone)).astimezone(timezone.utc)

    # --- reads ----------------------------------------------------------------------

    def get(self, group: GroupRef, name: str, viewer: Principal) -> JobDetail:
        """One job of the group as ``viewer`` may see it, with its next scheduled runs."""
        row = self.row(group, name)
        last = self._last_runs([row]).get((row.group_id, row.name))
        public = self._public(row, group.name, last, self.code_execution.allows(viewer, group))
        upcoming = []
        if row.schedule and row.enabled:
            upcoming = [moment.astimezone(timezone.utc) for moment in cron.next_runs(
                row.schedule, cron.zone(row.timezone), NEXT_RUNS_PREVIEW, after=self.clock())]
        return JobDetail(**public.model_dump(), next_runs=upcoming)

    def list(self, group_ids: set[int] | None, viewer: Principal) -> list[JobPublic]:
        """The jobs of ``group_ids`` (None: of every group), by name, as ``viewer`` may see them."""
        query = select(Job)
        if group_ids is not None:
            query = query.where(col(Job.group_id).in_(group_ids))
        with self.db.read() as session:
            rows = session.exec(query.order_by(Job.name, Job.group_id)).all()
        names = self.groups.names({row.group_id for row in rows})
        last = self._last_runs(rows)
        return [self._public(row, names[row.group_id], last.get((row.group_id, row.name)),
                             self.code_execution.allows(viewer, GroupRef(row.group_id, names[row.group_id])))
                for row in rows]

    def kinds(self, group: GroupRef, viewer: Principal) -> list[JobKindAccess]:
        """What ``viewer`` may do with each job kind in ``group``."""
        may_create = allowed(viewer, group.id, Action.CREATE)
        may_read = allowed(viewer, group.id, Action.READ)
        may_run_code = self.code_execution.allows(viewer, group)
        return [JobKindAccess(
            kind=kind, group=group.name, runs_code=runs_code, permission=JOB_PERMISSION,
            code_execution=runs_code,
            code_execution_role=self.code_execution.role if runs_code else None,
            allowed=may_create and (may_run_code or not runs_code),
            may_read_source=may_read and (may_run_code or not runs_code),
            setting=SETTING if runs_code else None)
            for kind in CONFIG_MODELS for runs_code in [kind in CODE_KINDS]]

    def dataset_users(self, group_id: int, dataset_name: str) -> list[str]:
        """The group's jobs that read or write a dataset (the datasets API refuses to delete it)."""
        return dataset_users(self.db, group_id, dataset_name)

    def script(self, group: GroupRef, name: str, viewer: Principal) -> str:
        """A standalone Python script doing what the job does (a script job's own source)."""
        row = self.row(group, name)
        self.code_execution.require(viewer, group, row.kind,
                                    f"reading the source of {row.kind} job {name!r}")
        config = parse_config(row.kind, row.config)
        if isinstance(config, ScriptJobConfig):
            return config.source
        try:
            from daas.batch.script_template import predict_script
        except ImportError:
            raise NotImplementedHere("generated scripts are not available on this platform") from None
        model = resolve_model(self.db, group.id, config)
        source = dataset(self.db, group.id, config.input_dataset, "config.input_dataset")
        storage_uri = self.registry.store.uri
        # A service job exports the model version its service serves now.
        config = {key: value for key, value in row.config.items() if key != "service"}
        resolved = SimpleNamespace(name=row.name, kind=row.kind,
                                   config={**config, "model": model.name, "version": model.version})
        exports = f"{storage_uri.rstrip('/')}/exports/group-{group.id}/{row.name}"
        return predict_script(resolved, model.format, storage_uri, source.storage_key, exports,
                              model_key=model.storage_key, script_name=f"{row.name}.py")

    def row(self, group: GroupRef, name: str) -> Job:
        """The job row named ``name`` in ``group`` (its ``created_by`` decides own vs other's)."""
        with self.db.read() as session:
            row = session.exec(select(Job).where(Job.group_id == group.id, Job.name == name)).first()
        if row is None:
            raise NotFound(f"no job named {name!r} in group {group.name!r}")
        return row

    def _last_runs(self, rows: list[Job]) -> dict[tuple[int, str], JobRun]:
        if not rows:
            return {}
        names, groups = {row.name for row in rows}, {row.group_id for row in rows}
        with self.db.read() as session:
            newest = (select(func.max(JobRun.id).label("id"))
                      .where(col(JobRun.job_name).in_(names), col(JobRun.group_id).in_(groups))
                      .group_by(JobRun.group_id, JobRun.job_name).subquery())
            runs = session.exec(select(JobRun).join(newest, newest.c.id == JobRun.id)).all()
        return {(run.group_id, run.job_name): run for run in runs}

    @staticmethod
    def _active_run(session, job: Job) -> JobRun | None:
        return session.exec(select(JobRun).where(
            JobRun.group_id == job.group_id, JobRun.job_name == job.name,
            col(JobRun.status).in_(ACTIVE_STATES))).first()

    @staticmethod
    def _public(row: Job, group_name: str, last: JobRun | None, may_run_code: bool) -> JobPublic:
        summary = RunSummary(id=last.id, status=last.status, created=as_utc(last.created)) if last else None
        config, withheld = shown_config(row.kind, row.config, may_run_code)
        return JobPublic(
            name=row.name, group=group_name, kind=row.kind, config=config, withheld=withheld,
            schedule=row.schedule, timezone=row.timezone, enabled=row.enabled,
            allow_overlap=row.allow_overlap, catch_up=row.catch_up, next_run=as_utc(row.next_run),
            last_run=summary, created=as_utc(row.created), updated=as_utc(row.updated),
            created_by=row.created_by)

    # --- runs -----------------------------------------------------------------------

    def trigger(self, group: GroupRef, name: str, by: Principal) -> RunPublic:
        """Start a run now (409 while another is active, unless the job allows overlap)."""
        row = self.row(group, name)
        self.code_execution.require(by, group, row.kind, f"running {row.kind} job {name!r}")
        return self._run_public(self.dispatcher.start(group.id, name, "manual", by.name),
                                row, group.name)

    def runs(self, group: GroupRef, name: str, limit: int = 50) -> list[RunPublic]:
        """A job's runs, newest first."""
        row = self.row(group, name)
        with self.db.read() as session:
            runs = session.exec(select(JobRun).where(JobRun.group_id == group.id,
                                                     JobRun.job_name == name)
                                .order_by(col(JobRun.id).desc()).limit(limit)).all()
        return [self._run_public(run, row, group.name) for run in runs]

    def run_group(self, run_id: int) -> GroupRef:
        """The group of a run (its job's): permissions on the run are checked there."""
        return self._group_of(self.dispatcher.run(run_id))

    def _group_of(self, run: JobRun) -> GroupRef:
        return GroupRef(run.group_id, self._group_name(run.group_id))

    def run(self, run_id: int) -> RunPublic:
        """One run, first brought in line with its Ray job when it may still be alive."""
        run = self.dispatcher.run(run_id)
        job = self._job(run)
        if self.dispatcher.launcher is not None:
            run = self.dispatcher.refresh(run, job.kind if job else None)
        return self._run_public(run, job)

    def stop(self, run_id: int, by: Principal) -> RunPublic:
        """Stop a run's Ray job and delete its partial output."""
        self._require_code_permission(run_id, by, "stopping")
        return self._run_public(self.dispatcher.stop(run_id))

    def pause(self, run_id: int, by: Principal) -> RunPublic:
        """Ask a run to pause once its in-flight chunks are done."""
        self._require_code_permission(run_id, by, "pausing")
        return self._run_public(self.dispatcher.pause(run_id))

    def resume(self, run_id: int, by: Principal) -> RunPublic:
        """Continue a paused run where it stopped."""
        self._require_code_permission(run_id, by, "continuing")
        return self._run_public(self.dispatcher.resume(run_id))

    def _require_code_permission(self, run_id: int, by: Principal, acting: str) -> None:
        run = self.dispatcher.run(run_id)
        job = self._job(run)
        if job is not None:
            self.code_execution.require(by, self._group_of(run), job.kind,
                                        f"{acting} a run of {job.kind} job {run.job_name!r}")

    def logs(self, run_id: int, tail: int | None = None) -> RunLogs:
        """The Ray job logs of a run, with every value its job's ``env`` has had (8 characters
        or more) as ``***``."""
        run = self.dispatcher.run(run_id)
        secrets = job_secrets(self._job(run))
        return RunLogs(run_id=run.id, logs=[SubmissionLog(submission_id=sid, text=redact(text, secrets))
                                            for sid, text in self.dispatcher.logs(run, tail)])

    def _job(self, run: JobRun) -> Job | None:
        with self.db.read() as session:
            return job_of(session, run)

    def _group_name(self, group_id: int) -> str:
        return self.groups.names({group_id}).get(group_id, str(group_id))

    def _run_public(self, run: JobRun, job: Job | None = None,
                    group_name: str | None = None) -> RunPublic:
        """The run as the API shows it; its error (often Ray's message, with the last lines of
        the logs) hides the job's secrets as the logs do."""
        job = job or self._job(run)
        started, ended = as_utc(run.started), as_utc(run.ended)
        duration = (ended or self.clock()) - started if started else None
        if run.rows_total:
            progress = min(1.0, run.rows_done / run.rows_total)
        else:
            progress = 1.0 if run.status == "succeeded" else None
        return RunPublic(
            id=run.id, job=run.job_name, group=group_name or self._group_name(run.group_id),
            kind=job.kind if job else None, status=run.status, trigger=run.trigger,
            created=as_utc(run.created), started=started, ended=ended,
            duration_s=round(duration.total_seconds(), 3) if duration is not None else None,
            rows_done=run.rows_done, rows_total=run.rows_total, progress=progress,
            output_dataset=run.output_dataset, metrics=run.metrics,
            error=redact(run.error, job_secrets(job)) if run.error else run.error,
            submission_id=run.submission_id, created_by=run.created_by)


def _given(value: bool | None, default: bool) -> bool:
    return default if value is None else value


def _require_placeholder(kind: str, config: dict[str, Any]) -> None:
    output = config.get("output_dataset")
    if kind != "script" and output is not None and not has_placeholder(output):
        raise InvalidInput("a scheduled job writes a new dataset every run: put {run} or {date} "
                           "in config.output_dataset", field="config.output_dataset")
