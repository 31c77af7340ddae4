"""Every SQLModel table of the platform, and ``utcnow``/``resolve_version`` that go with them.

Users, groups, memberships, tokens and the audit log; models, online services (events, async
requests, traffic), datasets, jobs and runs. One module, so migrations and every plane see the
same metadata. Models, datasets and jobs are named uniquely within their group; service names
are unique across the platform (they are URLs and Serve application names).
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


#: What a group member may do, each including the one before.
PERMISSIONS = ("read", "change", "manage")


class User(SQLModel, table=True):
    """A person or a program; tokens belong to users, powers come from group memberships."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    display_name: str | None = Field(default=None, max_length=128)
    created: datetime = Field(default_factory=utcnow)
    disabled: datetime | None = None
    platform_admin: bool = False
    code_execution: bool = Field(default=False, description="May run own code (script jobs)")
    default_group_id: int | None = Field(default=None, foreign_key="user_group.id")


class Group(SQLModel, table=True):
    """A project: models, services, datasets and jobs belong to exactly one group."""

    __tablename__ = "user_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=64)
    personal_of: int | None = Field(default=None, description="The user whose default group this is")
    created: datetime = Field(default_factory=utcnow)
    created_by: str | None = None


class GroupMember(SQLModel, table=True):
    """A user's permission in a group: read, change or manage."""

    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("group_id", "user_id", name="uq_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    permission: str = Field(max_length=16)
    added: datetime = Field(default_factory=utcnow)
    added_by: str | None = None


class AuditEvent(SQLModel, table=True):
    """Who did what to which object; ``group_id`` is None for platform-level acts (tokens, users)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    created: datetime = Field(default_factory=utcnow, index=True)
    group_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    object_kind: str = Field(max_length=16)
    object_name: str = Field(max_length=128)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Model(SQLModel, table=True):
    """A named model; its files live in ``ModelVersion`` rows."""

    __tablename__ = "model"
    __table_args__ = (UniqueConstraint("group_id", "name", name="uq_model_group_name"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    name: str = Field(index=True, max_length=64)
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
    """A user's bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created: datetime = Field(default_factory=utcnow)
    created_by: str | None = None
    expires: datetime | None = None
    last_used: datetime | None = None
    revoked: datetime | None = None


def model_row(session: Session, group_id: int, name: str) -> Model:
    """The model named ``name`` in group ``group_id``; ``NotFound`` otherwise."""
    model = session.exec(select(Model).where(Model.group_id == group_id, Model.name == name)).first()
    if model is None:
        raise NotFound(f"no model named {name!r} in this group")
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


def resolve_version(session: Session, group_id: int, name: str,
                    version: int | None) -> tuple[Model, ModelVersion]:
    """The model row and the requested version, or its latest when ``version`` is None."""
    model = model_row(session, group_id, name)
    if version is None:
        return model, version_rows(session, model)[0]
    return model, version_row(session, model, version)

# --- online services ------------------------------------------------------------

#: Lifecycle states of a service.
STATES = ("deploying", "scaling", "running", "failed", "paused", "deleting")
#: What the user asked for; the reconciler moves ``state`` towards it.
DESIRED = ("running", "paused", "deleted")


class Service(SQLModel, table=True):
    """A model version deployed (or paused) as a REST service: the desired state."""

    __tablename__ = "service"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=63)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    model_name: str = Field(max_length=64, description="A model of the service's group")
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
    __table_args__ = (UniqueConstraint("group_id", "name", name="uq_dataset_group_name"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    name: str = Field(index=True, max_length=64)
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
    __table_args__ = (UniqueConstraint("group_id", "name", name="uq_job_group_name"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    name: str = Field(index=True, max_length=64)
    kind: str = Field(max_length=16, description="predict, evaluate or script")
    config: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    #: ``env`` values a script job has had and no longer has: its old runs' logs and errors
    #: still hide them.
    retired_secrets: list[str] = Field(default_factory=list,
                                       sa_column=Column(JSON, nullable=False, server_default="[]"))
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
    # Its id names a Ray job and a storage prefix: never handed out again after a delete.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="user_group.id", index=True)
    job_name: str = Field(index=True, max_length=64, description="A job of the run's group")
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
