"""SQLModel tables and the API's public shapes for models, versions and tokens."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


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


class ModelVersionPublic(SQLModel):
    """A model version as the API shows it."""

    name: str
    version: int
    description: str | None
    format: str
    engine: str
    algorithm: str
    task: str
    filename: str | None
    size: int
    sha256: str
    created: datetime
    created_by: str | None


class ModelPublic(SQLModel):
    """A model with a summary of its latest version."""

    name: str
    description: str | None
    created: datetime
    updated: datetime
    created_by: str | None
    latest_version: int
    versions_count: int
    format: str
    task: str
    algorithm: str


class ModelDetail(ModelPublic):
    """A model with all its versions, newest first."""

    versions: list[ModelVersionPublic]


class ModelPage(SQLModel):
    """One page of a model listing."""

    items: list[ModelPublic]
    total: int
    offset: int
    limit: int


class TokenCreate(SQLModel):
    """Body of ``POST /api/v1/tokens``."""

    name: str = Field(min_length=1, max_length=64)
    role: str = Field(description="viewer, editor or admin")


class TokenPublic(SQLModel):
    """A token as listed (never its secret)."""

    id: int
    name: str
    role: str
    created: datetime
    created_by: str | None
    last_used: datetime | None
    revoked: datetime | None


class TokenCreated(TokenPublic):
    """A new token, with its secret shown this once."""

    token: str
