"""SQLModel tables of online services, their events, async requests and traffic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from daas.platform.models import utcnow

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
