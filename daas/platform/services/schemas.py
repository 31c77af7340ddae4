"""Request and response shapes of the services API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from daas.deployments.server_config import Batching
from daas.platform.services.spec import Autoscaling
from daas.store.db import VersionNumber


class ResourceFields(BaseModel):
    """Deploy-form fields shared by create and update; unset fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    preset: str | None = Field(None, description="Instance preset (small, medium, large...)")
    replicas: int | None = Field(None, ge=1, le=64)
    autoscaling: Autoscaling | None = None
    num_cpus: float | None = Field(None, gt=0, le=256)
    memory: int | str | None = Field(None, description="Bytes, or '512Mi' / '2Gi'")
    num_gpus: float | None = Field(None, ge=0, le=16)
    max_ongoing_requests: int | None = Field(None, ge=1, le=10_000)
    max_queued_requests: int | None = Field(None, ge=0, le=100_000)
    batching: Batching | None = None
    timeout_s: float | None = Field(None, gt=0, le=3600)


class ServiceCreate(ResourceFields):
    """The deploy form."""

    name: str = Field(description="DNS label: lowercase letters, digits, '-'")
    model: str
    version: VersionNumber | None = Field(None, description="Default: the latest version")


class ServiceUpdate(ResourceFields):
    """A change to a running or paused service, applied as a rolling update."""

    version: VersionNumber | None = Field(None, description="Switch to this model version")


class ServicePublic(BaseModel):
    """A service as the API shows it."""

    name: str
    group: str = Field(description="The group (project) the service belongs to")
    url: str
    model: str
    version: int
    previous_version: int | None
    state: str
    desired: str
    reason: str | None
    spec: dict[str, Any]
    replicas_running: int | None = None
    generation: int
    created: datetime
    updated: datetime
    created_by: str | None


class ServiceCreated(ServicePublic):
    """A new service with its API key, shown this once."""

    api_key: str


class ServiceEventPublic(BaseModel):
    """One recorded transition or incident."""

    created: datetime
    kind: str
    state: str | None
    message: str
