"""The contract between the management API and wherever models are actually loaded.

The API process never loads an uploaded model itself: it hands bytes or artifact
references to a ``ModelWorker``. ``daas.platform.ray_adapter`` implements it with a Ray
task (inspection) and a Serve deployment (test predictions); unit tests use an
in-process fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from daas.runtimes.base import ModelSchema


@dataclass(frozen=True)
class ArtifactRef:
    """Where a model version's file is, and how to load it."""

    storage_uri: str
    key: str
    sha256: str
    format: str


class ModelWorker(Protocol):
    """Loads models in isolation and runs them."""

    def inspect(self, fmt: str, data: bytes) -> ModelSchema:
        """Validate and load ``data``; return its schema or raise ``InvalidModel``."""

    def predict_rows(self, artifact: ArtifactRef, frame: Any) -> list[dict[str, Any]]:
        """Score a coerced DataFrame with the model in ``artifact``."""

    def predict_tensors(self, artifact: ArtifactRef, tensors: dict[str, Any]) -> dict[str, Any]:
        """Run named tensors through the model in ``artifact``."""

    def ready(self) -> bool:
        """Whether the worker side can take requests."""
