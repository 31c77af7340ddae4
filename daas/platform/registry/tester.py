"""Test predictions against a registered model version, run by the model worker."""

from __future__ import annotations

from daas.deployments.request_payload import Payload
from daas.platform.ports import ModelWorker
from daas.platform.registry.registry import ModelRegistry


class ModelTester:
    """Scores test requests with a model version, never in the API process: the worker
    decodes the body, scores it and encodes the answer."""

    def __init__(self, registry: ModelRegistry, worker: ModelWorker) -> None:
        self.registry = registry
        self.worker = worker

    def run(self, group_id: int, name: str, version: int | None, payload: Payload,
            fmt: str = "json") -> tuple[bytes, str]:
        """The encoded answer (``json``: model, version, task and the results; ``csv``:
        prediction rows) and its media type."""
        row, artifact = self.registry.artifact(group_id, name, version)
        about = {"model": name, "version": row.version, "task": row.task}
        return self.worker.score(artifact, payload, fmt, about)
