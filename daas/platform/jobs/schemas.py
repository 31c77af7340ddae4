"""Request and response shapes of the jobs API (the per-kind configs are ``daas.batch.config``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from daas.batch.config import JobKind


class ScheduleFields(BaseModel):
    """When a job runs by itself; shared by create and update."""

    model_config = ConfigDict(extra="forbid")

    schedule: str | None = Field(None, description="Cron expression, 5 fields; none: on demand only")
    timezone: str | None = Field(None, description="IANA zone the schedule is read in (default UTC)")
    enabled: bool | None = Field(None, description="Whether the schedule fires")
    allow_overlap: bool | None = Field(None, description="Let a run start while another is active")
    catch_up: bool | None = Field(None, description="After downtime, run a missed schedule once")


class JobCreate(ScheduleFields):
    """A new job."""

    name: str
    kind: JobKind
    config: dict[str, Any] = Field(description=(
        "predict/evaluate: model or service, input_dataset, output_dataset, ...; script: source, "
        "args, env, pip. A script's `env` values are write-only: responses show them as `***`"))


class JobUpdate(ScheduleFields):
    """Changes to a job; fields left out keep their value (``schedule: null`` removes it)."""

    config: dict[str, Any] | None = None


class RunSummary(BaseModel):
    """The latest run of a job, as job listings show it."""

    id: int
    status: str
    created: datetime


class JobPublic(BaseModel):
    """A job as the API shows it."""

    name: str
    group: str = Field(description="The job's group; its model, datasets and output are there too")
    kind: str
    config: dict[str, Any]
    schedule: str | None
    timezone: str
    enabled: bool
    allow_overlap: bool
    catch_up: bool
    next_run: datetime | None
    last_run: RunSummary | None = None
    created: datetime
    updated: datetime
    created_by: str | None
    withheld: list[str] = Field(
        default_factory=list,
        description="Config fields not shown to this caller: a script's `source` needs the "
        "code-execution permission")


class JobDetail(JobPublic):
    """One job with a preview of its next scheduled runs."""

    next_runs: list[datetime] = []


class JobKindAccess(BaseModel):
    """What the caller may do with jobs of one kind in one group."""

    kind: JobKind
    group: str = Field(description="The group this answer is for (the `group` parameter)")
    runs_code: bool = Field(description="Whether its runs execute the job's own code")
    permission: str = Field(description="The group permission creating, changing or running "
                            "such a job needs (`change`)")
    code_execution: bool = Field(description="Whether the code-execution grant is needed too "
                                 "(also to read a script's source)")
    code_execution_role: str | None = Field(
        None, description="Code-running kinds: who holds the grant, the value of "
        "DAAS_CODE_EXECUTION_ROLE: `admin` (platform admins and users granted code execution) "
        "or `editor` (also members with change on the group)")
    allowed: bool = Field(description="Whether the caller may create, change and run such jobs "
                          "in the group")
    may_read_source: bool = Field(description="Whether the caller sees a job's source (needs "
                                  "the code-execution grant for code-running kinds)")
    setting: str | None = Field(None, description="The setting that moves "
                                "`code_execution_role` (code-running kinds)")


class SchedulePreview(BaseModel):
    """The next firing times of a cron schedule, in its time zone."""

    schedule: str
    timezone: str
    next_runs: list[datetime]


class RunPublic(BaseModel):
    """One run of a job."""

    id: int
    job: str
    group: str = Field(description="The job's group, where the output dataset is registered")
    kind: str | None
    status: str
    trigger: str
    created: datetime
    started: datetime | None
    ended: datetime | None
    duration_s: float | None
    rows_done: int
    rows_total: int | None
    progress: float | None = Field(description="rows_done / rows_total, 0-1")
    output_dataset: str | None
    error: str | None
    metrics: dict[str, Any] | None
    submission_id: str | None
    created_by: str | None


class SubmissionLog(BaseModel):
    """The log of one Ray job submission of a run."""

    submission_id: str
    text: str


class RunLogs(BaseModel):
    """A run's Ray job logs, one entry per submission (a continued run has several)."""

    run_id: int
    logs: list[SubmissionLog]
