"""Test predictions against a registered model version, run by the model worker."""

from __future__ import annotations

from typing import Any

import numpy as np

from daas.codecs import DecodedRequest
from daas.platform.ports import ModelWorker
from daas.platform.registry.registry import ModelRegistry
from daas.runtimes.base import ModelSchema


class ModelTester:
    """Scores decoded requests with a model version, never in the API process."""

    def __init__(self, registry: ModelRegistry, worker: ModelWorker) -> None:
        self.registry = registry
        self.worker = worker

    def schema(self, group_id: int, name: str, version: int | None) -> ModelSchema:
        """The schema requests for this version are decoded against."""
        return self.registry.schema(group_id, name, version)

    def run(self, group_id: int, name: str, version: int | None,
            request: DecodedRequest) -> dict[str, Any]:
        """Predict; rows give ``predictions``, named tensors give ``outputs``."""
        row, artifact = self.registry.artifact(group_id, name, version)
        result: dict[str, Any] = {"model": name, "version": row.version, "task": row.task}
        if request.tensors is not None:
            outputs = self.worker.predict_tensors(artifact, request.tensors)
            result["outputs"] = {key: _jsonable(value) for key, value in outputs.items()}
        else:
            result["predictions"] = self.worker.predict_rows(artifact, request.frame)
        return result


def _jsonable(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else value
