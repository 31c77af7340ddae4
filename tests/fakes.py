"""An in-process ModelWorker for unit tests: same runtimes, no Ray."""

from __future__ import annotations

from typing import Any

from daas.platform.storage import ArtifactStore
from daas.platform.worker import ArtifactRef
from daas.runtimes import inspect_model, load_runtime
from daas.runtimes.base import ModelSchema


class InProcessWorker:
    """Loads models in the test process; counts calls so tests can assert on them."""

    def __init__(self) -> None:
        self.inspected = 0
        self._loaded: dict[str, Any] = {}

    def inspect(self, fmt: str, data: bytes) -> ModelSchema:
        self.inspected += 1
        return ModelSchema.model_validate(inspect_model(fmt, data))

    def _runtime(self, artifact: ArtifactRef):
        if artifact.sha256 not in self._loaded:
            data = ArtifactStore(artifact.storage_uri).get(artifact.key)
            self._loaded[artifact.sha256] = load_runtime(artifact.format, data)
        return self._loaded[artifact.sha256]

    def predict_rows(self, artifact: ArtifactRef, frame: Any) -> list[dict[str, Any]]:
        return self._runtime(artifact).predict(frame)

    def predict_tensors(self, artifact: ArtifactRef, tensors: dict[str, Any]) -> dict[str, Any]:
        return self._runtime(artifact).predict_tensors(tensors)

    def ready(self) -> bool:
        return True
