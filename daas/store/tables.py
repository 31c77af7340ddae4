"""Every SQLModel table of the platform, and ``utcnow``/``resolve_version`` that go with them.

Models and tokens, online services (events, async requests, traffic), datasets, jobs and runs.
One module, so migrations and every plane see the same metadata.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from daas.errors import NotFound


def utcnow() -> datetime:
    """Timezone-aware 'now' for timestamps."""
    return datetime.now(timezone.utc)


class Model(SQLModel, table=True):
    """A named model; its files live in ``ModelVersion`` rows."""

    __tablename__ = "model"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    description: str | None = None
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    created_by: str | None = None


class ModelVersion(SQLModel, table=True):
    """One uploaded file of a model, with the metadata read when it was inspected."""

    __tablename__ = "model_version"
    __table_args__ = (UniqueConstraint("model_id", "version", name="uq_model_version"),)

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="model.id", index=True)
    version: int
    description: str | None = None
    format: str
    engine: str
    algorithm: str
    task: str
    schema_: dict[str, Any] = Field(sa_column=Column("schema", JSON, nullable=False))
    filename: str | None = None
    size: int
    sha256: str = Field(index=True, max_length=64)
    storage_key: str
    created: datetime = Field(default_factory=utcnow)
    created_by: str | None = None


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created: datetime = Field(default_factory=utcnow)
    created_by: str | None = None
    last_used: datetime | None = None
    revoked: datetime | None = None



def model_row(session: Session, name: str) -> Model:
    """The model named ``name``; ``NotFound`` otherwise."""
    model = session.exec(select(Model).where(Model.name == name)).first()
    if model is None:
        raise NotFound(f"no model named {name!r}")
    return model


def version_rows(session: Session, model: Model) -> list[ModelVersion]:
    """A model's versions, newest first."""
    return list(session.exec(
        select(ModelVersion).where(ModelVersion.model_id == model.id)
        .order_by(col(ModelVersion.version).desc())
    ))


def version_row(session: Session, model: Model, version: int) -> ModelVersion:
    """One version of a model; ``NotFound`` names both."""
    row = session.exec(
        select(ModelVersion).where(ModelVersion.model_id == model.id, ModelVersion.version == version)
    ).first()
    if row is None:
        raise NotFound(f"model {model.name!r} has no version {version}")
    return row


def resolve_version(session: Session, name: str, version: int | None) -> tuple[Model, ModelVersion]:
    """The model row and the requested version, or its latest when ``version`` is None."""
    model = model_row(session, name)
    if version is None:
        return model, version_rows(session, model)[0]
    return model, version_row(session, model, version)

# --- online services ------------------------------------------------------------

#: Lifecycle states of a service.
STATES = ("deploying", "running", "failed", "paused", "deleting")
#: What the user asked for; the reconciler moves ``state`` towards it.
DESIRED = ("running", "paused", "deleted")


class Service(SQLModel, table=True):
    """A model version deployed (or paused) as a REST service: the desired state."""

    __tablename__ = "service"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=63)
    model_name: str = Field(max_length=64)
    model_version: int
    previous_version: int | None = None
    spec: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    desired: str = Field(default="running", max_length=16)
    state: str = Field(default="deploying", max_length=16)
    reason: str | None = None
    key_hash: str = Field(max_length=64)
    generation: int = 1
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    created_by: str | None = None


class ServiceEvent(SQLModel, table=True):
    """One thing that happened to a service, with when and why."""

    __tablename__ = "service_event"

    id: int | None = Field(default=None, primary_key=True)
    service_name: str = Field(index=True, max_length=63)
    created: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=32)
    state: str | None = Field(default=None, max_length=16)
    message: str


class AsyncRequest(SQLModel, table=True):
    """A wait-return prediction request: stored first, scored in the background."""

    __tablename__ = "async_request"

    id: str = Field(primary_key=True, max_length=32)
    service_name: str = Field(index=True, max_length=63)
    status: str = Field(default="queued", max_length=16, index=True)
    content_type: str | None = None
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    attempts: int = 0
    created: datetime = Field(default_factory=utcnow)
    started: datetime | None = None
    finished: datetime | None = None
    created_by: str | None = None


class ServiceTraffic(SQLModel, table=True):
    """Requests one replica served in one time bucket, with a latency histogram."""

    __tablename__ = "service_traffic"
    __table_args__ = (UniqueConstraint("service_name", "replica", "bucket", name="uq_traffic_bucket"),)

    id: int | None = Field(default=None, primary_key=True)
    service_name: str = Field(index=True, max_length=63)
    replica: str = Field(max_length=64)
    bucket: datetime = Field(index=True)
    requests: int = 0
    errors: int = 0
    latency_ms_sum: float = 0.0
    histogram: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# --- datasets and batch jobs ----------------------------------------------------

#: Run states; ``pausing``/``stopping`` are requests the driver or platform acts on.
RUN_STATES = ("pending", "running", "pausing", "paused", "stopping", "stopped", "succeeded", "failed")
FINAL_RUN_STATES = ("stopped", "succeeded", "failed")


class Dataset(SQLModel, table=True):
    """A table stored as Parquet files under ``storage_key`` (a folder of part files)."""

    __tablename__ = "dataset"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    origin_format: str = Field(max_length=16, description="csv, parquet, jsonl, or 'job'")
    source: str = Field(description="upload:<file name>, a URL, or run:<id>")
    storage_key: str
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    rows: int = Field(sa_column=Column(BigInteger, nullable=False))
    columns: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created: datetime = Field(default_factory=utcnow)
    created_by: str | None = None


class Job(SQLModel, table=True):
    """A named batch job: predict, evaluate or a user script, on demand or on a schedule."""

    __tablename__ = "job"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    kind: str = Field(max_length=16, description="predict, evaluate or script")
    config: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    schedule: str | None = Field(default=None, description="cron expression, 5 fields")
    timezone: str = Field(default="UTC", max_length=64)
    enabled: bool = True
    allow_overlap: bool = False
    catch_up: bool = True
    next_run: datetime | None = None
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    created_by: str | None = None


class JobRun(SQLModel, table=True):
    """One execution of a job: a Ray job whose driver runs the pipeline."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    job_name: str = Field(index=True, max_length=64)
    status: str = Field(default="pending", max_length=16, index=True)
    trigger: str = Field(default="manual", max_length=16)
    submission_id: str | None = Field(default=None, max_length=128)
    created: datetime = Field(default_factory=utcnow)
    started: datetime | None = None
    ended: datetime | None = None
    rows_done: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    rows_total: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    output_dataset: str | None = Field(default=None, max_length=64)
    output_key: str | None = None
    error: str | None = None
    metrics: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: str | None = None
