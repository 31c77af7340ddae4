"""Everything a model-server replica needs, passed by the reconciler at deploy time.

``ServerConfig`` is the replica's init argument: changing it starts new replicas.
``ServiceControls`` is Serve's ``user_config``: changing it reconfigures the running
replicas in place (a rotated key, a new time limit, a pause), without a restart.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, Field

from daas.errors import Unavailable
from daas.store.artifacts import ArtifactRef


class Batching(BaseModel):
    """Server-side request batching."""

    max_batch_size: int = Field(8, ge=1, le=1024)
    max_wait_ms: float = Field(5.0, ge=0, le=10_000)


class ServerConfig(BaseModel):
    """Init argument of the ``ModelServer`` deployment of application ``svc-<service>``."""

    service: str
    model: str
    version: int
    task: str
    format: str
    storage_uri: str
    storage_key: str
    sha256: str
    model_schema: dict[str, Any] = Field(description="ModelSchema as JSON")
    database_url: str
    batching: Batching | None = None
    max_request_bytes: int = 64 * 1024 * 1024

    @property
    def artifact(self) -> ArtifactRef:
        """The model file this replica serves."""
        return ArtifactRef(self.storage_uri, self.storage_key, self.sha256, self.format)

    def code_version(self) -> str:
        """A digest of everything that needs new replicas when it changes."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


class ServiceControls(BaseModel):
    """What running replicas take without a restart (Serve's ``user_config``)."""

    key_hash: str = Field(description="SHA-256 of the service's own API key")
    timeout_s: float = 30.0
    closed: Literal["paused", "deleted"] | None = Field(
        None, description="Set when the service stops serving: every call is refused at once")


def closed_error(service: str, closed: str, state: str | None = None) -> Unavailable:
    """The 503 for a call to a paused or deleted service."""
    details = {"state": state or closed}
    if closed == "paused":
        return Unavailable(f"service {service!r} is paused; resume it to serve requests "
                           f"(POST /api/v1/services/{service}/resume)", details=details)
    return Unavailable(f"service {service!r} is being deleted", details=details)
