"""Request and response shapes of the jobs API, and the per-kind job configurations."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from daas.batch.chunks import DEFAULT_CHUNK_ROWS

JobKind = Literal["predict", "evaluate", "script"]

#: Largest inline script, in bytes of UTF-8.
MAX_SCRIPT_BYTES = 1024 * 1024
#: Placeholders an output dataset name may contain, filled in when a run starts.
OUTPUT_PLACEHOLDERS = ("{run}", "{date}")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ModelJobConfig(BaseModel):
    """Batch predict: score ``input_dataset`` with a model version (or a service's) into a new dataset."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, description="Model name (or give `service`)")
    version: int | None = Field(None, ge=1, description="Default: the latest version at run start")
    service: str | None = Field(None, description="Use the model version this service serves at run start")
    input_dataset: str
    output_dataset: str = Field(description="New dataset name; may contain {run} and {date}")
    passthrough: list[str] = Field(default_factory=list,
                                   description="Input columns copied next to the predictions")
    batch_size: int = Field(4096, ge=1, le=1_000_000, description="Rows per model call")
    concurrency: int = Field(2, ge=1, le=256, description="Model copies scoring in parallel")
    num_cpus: float = Field(1.0, gt=0, le=256, description="CPUs per model copy")
    chunk_rows: int = Field(DEFAULT_CHUNK_ROWS, ge=1, le=100_000_000,
                            description="Rows per chunk: the unit of progress, pause and continue")

    @model_validator(mode="after")
    def _one_model_source(self) -> ModelJobConfig:
        if (self.model is None) == (self.service is None):
            raise ValueError("give either `model` (with an optional `version`) or `service`")
        if self.service is not None and self.version is not None:
            raise ValueError("`version` goes with `model`; a service brings its own version")
        return self


class EvaluateJobConfig(ModelJobConfig):
    """Batch predict on a labelled dataset, plus quality metrics against ``label_column``."""

    output_dataset: str | None = Field(None, description="Also keep the predictions as a dataset")
    label_column: str


class ScriptJobConfig(BaseModel):
    """A user's Python script run as a Ray job."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The script's Python source (at most 1 MiB)")
    args: list[str] = Field(default_factory=list, description="Command-line arguments")
    env: dict[str, str] = Field(default_factory=dict, description="Environment variables")
    pip: list[str] = Field(default_factory=list, description="Packages to install for the run")

    @field_validator("source")
    @classmethod
    def _small_source(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the script is empty")
        if len(value.encode("utf-8")) > MAX_SCRIPT_BYTES:
            raise ValueError(f"the script is larger than {MAX_SCRIPT_BYTES} bytes")
        return value

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [name for name in value if not _ENV_NAME.fullmatch(name)]
        if bad:
            raise ValueError(f"invalid environment variable name(s): {', '.join(map(repr, bad))}")
        return value

    @field_validator("pip")
    @classmethod
    def _pip_requirements(cls, value: list[str]) -> list[str]:
        bad = [item for item in value if not item.strip() or any(c in item for c in "\r\n")]
        if bad:
            raise ValueError("pip entries must be one non-empty requirement each")
        return value


CONFIG_MODELS: dict[str, type[BaseModel]] = {
    "predict": ModelJobConfig, "evaluate": EvaluateJobConfig, "script": ScriptJobConfig,
}


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
    config: dict[str, Any]


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


class JobDetail(JobPublic):
    """One job with a preview of its next scheduled runs."""

    next_runs: list[datetime] = []


class SchedulePreview(BaseModel):
    """The next firing times of a cron schedule, in its time zone."""

    schedule: str
    timezone: str
    next_runs: list[datetime]


class RunPublic(BaseModel):
    """One run of a job."""

    id: int
    job: str
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
