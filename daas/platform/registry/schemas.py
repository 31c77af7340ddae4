"""The API's public shapes of models and versions."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel


class ModelVersionPublic(SQLModel):
    """A model version as the API shows it."""

    name: str
    group: str
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
    group: str
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
