"""Everything a model-server replica needs, passed by the reconciler at deploy time."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

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
    key_hash: str = Field(description="SHA-256 of the service's own API key")
    timeout_s: float = 30.0
    batching: Batching | None = None
    max_request_bytes: int = 64 * 1024 * 1024
    generation: int = 1

    @property
    def artifact(self) -> ArtifactRef:
        """The model file this replica serves."""
        return ArtifactRef(self.storage_uri, self.storage_key, self.sha256, self.format)
