"""Batch jobs and their runs: definitions, schedules, manual runs, stop/pause/continue, logs.

Script jobs run their own code, so creating, changing, running them and reading their source
need the code-execution grant (``daas.platform.jobs.access``) on top of the group permission.
A run belongs to its job's group; run routes check the permission there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import PlainTextResponse

from daas.platform.access.audit import AuditLog
from daas.platform.access.policy import Action, Principal, check
from daas.platform.deps import Audit, Caller, GroupName, Groups, Jobs, PositiveId, Scope
from daas.platform.jobs import cron
from daas.platform.jobs.service import JobService
from daas.platform.jobs.schemas import (
    JobCreate,
    JobDetail,
    JobKindAccess,
    JobPublic,
    JobUpdate,
    RunLogs,
    RunPublic,
    SchedulePreview,
)

router = APIRouter(prefix="/api/v1", tags=["jobs"])

_CODE = ("Script jobs need the code-execution grant: platform admins and users granted it, and "
         "members with change on the group when the platform runs with "
         "`DAAS_CODE_EXECUTION_ROLE=editor` (403 otherwise). ")
_SECRETS = "`env` values are write-only: every response shows them as `***`. "


@router.post("/jobs", status_code=201, response_model=JobDetail, summary="Create a job",
             description="A predict, evaluate or script job, run on demand or on a cron schedule. "
             + _CODE + _SECRETS)
def create_job(form: JobCreate, principal: Caller, group: Scope, jobs: Jobs, audit: Audit) -> JobDetail:
    check(principal, group, Action.CREATE)
    created = jobs.create(group, form, principal)
    audit.record(principal, group, "create", "job", created.name, kind=created.kind)
    return created


@router.get("/job-kinds", response_model=list[JobKindAccess], summary="What the caller may do with jobs")
def job_kinds(principal: Caller, group: Scope, jobs: Jobs) -> list[JobKindAccess]:
    """Each job kind, what it needs in the group and whether the caller holds it (forms disable
    the rest)."""
    return jobs.kinds(group, principal)


@router.get("/schedules/preview", response_model=SchedulePreview, summary="Next times of a cron schedule")
def preview_schedule(_principal: Caller, schedule: Annotated[str, Query(max_length=200)],
                     timezone: Annotated[str, Query(max_length=64)] = "UTC",
                     count: Annotated[int, Query(ge=1, le=20)] = 5) -> SchedulePreview:
    """When a schedule would fire, for a form to show before the job is saved."""
    upcoming = cron.next_runs(schedule, cron.zone(timezone), count)
    return SchedulePreview(schedule=schedule, timezone=timezone, next_runs=upcoming)


_SHOWN = (_SECRETS + "A script's `source` is shown only to callers who may run code; for others it "
          "is left out and listed in `withheld`.")


@router.get("/jobs", response_model=list[JobPublic], summary="List jobs",
            description="Every job with its next scheduled run and latest run. " + _SHOWN)
def list_jobs(principal: Caller, jobs: Jobs, groups: Groups, group: GroupName = None) -> list[JobPublic]:
    return jobs.list(groups.readable(principal, group), principal)


@router.get("/jobs/{name}", response_model=JobDetail, summary="One job",
            description="Config, schedule, next run times and latest run. " + _SHOWN)
def get_job(name: str, principal: Caller, group: Scope, jobs: Jobs) -> JobDetail:
    check(principal, group, Action.READ)
    return jobs.get(group, name, principal)


@router.patch("/jobs/{name}", response_model=JobDetail, summary="Change a job",
              description="Schedule, time zone, switches or config; fields left out keep their value. "
              + _CODE + "A script config keeps the stored `env` value of every variable sent as "
              "`***`, and all of them when `env` is left out.")
def update_job(name: str, form: JobUpdate, principal: Caller, group: Scope, jobs: Jobs,
               audit: Audit) -> JobDetail:
    check(principal, group, Action.CHANGE)
    updated = jobs.update(group, name, form, principal)
    audit.record(principal, group, "update", "job", name, fields=sorted(form.model_fields_set))
    return updated


@router.delete("/jobs/{name}", status_code=204, summary="Delete a job")
def delete_job(name: str, principal: Caller, group: Scope, jobs: Jobs, audit: Audit) -> Response:
    """The job and its run history (409 while a run is active); output datasets stay. Your
    own with change, anyone's with manage."""
    check(principal, group, Action.DELETE, owner=jobs.row(group, name).created_by)
    jobs.delete(group, name, principal)
    audit.record(principal, group, "delete", "job", name)
    return Response(status_code=204)


@router.post("/jobs/{name}/runs", status_code=202, response_model=RunPublic, summary="Run now",
             description="Start a run; 409 while another is active unless the job allows overlap. "
             + _CODE)
def run_job(name: str, principal: Caller, group: Scope, jobs: Jobs, audit: Audit) -> RunPublic:
    check(principal, group, Action.CHANGE)
    run = jobs.trigger(group, name, principal)
    audit.record(principal, group, "run", "job", name, run_id=run.id)
    return run


@router.get("/jobs/{name}/runs", response_model=list[RunPublic], summary="A job's runs")
def job_runs(name: str, principal: Caller, group: Scope, jobs: Jobs,
             limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[RunPublic]:
    """Newest first."""
    check(principal, group, Action.READ)
    return jobs.runs(group, name, limit)


@router.get("/jobs/{name}/script", response_class=PlainTextResponse, summary="The job as a script",
            description="A standalone Ray Data script doing what the job does (a script job's own "
            "source). " + _CODE)
def job_script(name: str, principal: Caller, group: Scope, jobs: Jobs) -> PlainTextResponse:
    check(principal, group, Action.READ)
    return PlainTextResponse(jobs.script(group, name, principal), media_type="text/x-python",
                             headers={"Content-Disposition": f'attachment; filename="{name}.py"'})


@router.get("/runs/{run_id}", response_model=RunPublic, summary="One run")
def get_run(run_id: PositiveId, principal: Caller, jobs: Jobs) -> RunPublic:
    """Status, timing, progress, output dataset, error and metrics."""
    check(principal, jobs.run_group(run_id), Action.READ)
    return jobs.run(run_id)


@router.post("/runs/{run_id}/stop", response_model=RunPublic, summary="Stop a run")
def stop_run(run_id: PositiveId, principal: Caller, jobs: Jobs, audit: Audit) -> RunPublic:
    """Stop the Ray job; the partial output is deleted and never registered."""
    return _control(run_id, principal, jobs, audit, "stop", jobs.stop)


@router.post("/runs/{run_id}/pause", response_model=RunPublic, summary="Pause a run")
def pause_run(run_id: PositiveId, principal: Caller, jobs: Jobs, audit: Audit) -> RunPublic:
    """The run finishes its in-flight chunks and becomes ``paused``."""
    return _control(run_id, principal, jobs, audit, "pause", jobs.pause)


@router.post("/runs/{run_id}/continue", status_code=202, response_model=RunPublic,
             summary="Continue a paused run")
def continue_run(run_id: PositiveId, principal: Caller, jobs: Jobs, audit: Audit) -> RunPublic:
    """A new Ray job picks the run up where it stopped."""
    return _control(run_id, principal, jobs, audit, "resume", jobs.resume)


def _control(run_id: int, principal: Principal, jobs: JobService, audit: AuditLog, action: str,
             act: Callable[[int, Principal], RunPublic]) -> RunPublic:
    """Stop, pause or continue a run once the caller may change its job's group (and, for a
    job that runs its own code, holds the code-execution permission)."""
    group = jobs.run_group(run_id)
    check(principal, group, Action.CHANGE)
    run = act(run_id, principal)
    audit.record(principal, group, action, "run", str(run_id), job=run.job)
    return run


@router.get("/runs/{run_id}/logs", response_model=RunLogs, summary="A run's logs")
def run_logs(run_id: PositiveId, principal: Caller, jobs: Jobs,
             tail: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> RunLogs:
    """What the run's Ray job(s) printed; ``tail`` keeps the last lines of each. A script's
    ``env`` values (8 characters or more) read ``***``."""
    check(principal, jobs.run_group(run_id), Action.READ)
    return jobs.logs(run_id, tail)
