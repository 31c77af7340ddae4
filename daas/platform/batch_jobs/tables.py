"""SQLModel tables of datasets, job definitions and job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel

from daas.platform.models import utcnow

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
