"""The model worker on Ray: uploads inspected in a fresh task, tests scored in the workbench."""

from __future__ import annotations

from typing import Any

import ray
from ray.exceptions import GetTimeoutError, RayError

from daas.deployments.request_payload import Payload
from daas.errors import InvalidModel, Timeout, Unavailable, capture, unwrap
from daas.runtimes import inspect_model
from daas.runtimes.base import ModelSchema
from daas.store.artifacts import ArtifactRef


@ray.remote(num_cpus=1, max_retries=0)
def _inspect_in_worker(fmt: str, data: bytes) -> dict[str, Any]:
    return capture(inspect_model, fmt, data, fallback=InvalidModel)


class RayModelWorker:
    """Inspects uploads in Ray tasks and scores tests in the workbench deployment."""

    def __init__(self, workbench, *, inspect_timeout_s: float, predict_timeout_s: float) -> None:
        self.workbench = workbench
        self.inspect_timeout_s = inspect_timeout_s
        self.predict_timeout_s = predict_timeout_s

    def inspect(self, fmt: str, data: bytes) -> ModelSchema:
        """Load the bytes once in a fresh Ray task, under a time limit."""
        ref = _inspect_in_worker.remote(fmt, data)
        try:
            envelope = ray.get(ref, timeout=self.inspect_timeout_s)
        except GetTimeoutError as exc:
            ray.cancel(ref, force=True)
            raise InvalidModel(
                f"the model did not load within {self.inspect_timeout_s:g} s; it was stopped"
            ) from exc
        except RayError as exc:
            raise InvalidModel(f"loading the model crashed its worker: {type(exc).__name__}") from exc
        return ModelSchema.model_validate(unwrap(envelope))

    def score(self, artifact: ArtifactRef, payload: Payload, fmt: str,
              about: dict[str, Any]) -> tuple[bytes, str]:
        """Decode, score and encode a test request in the workbench."""
        content, media_type = self._call("score", artifact, payload, fmt, about)
        return content, media_type

    def ready(self) -> bool:
        """Whether the workbench answers within a few seconds."""
        try:
            return bool(self.workbench.ping.remote().result(timeout_s=5))
        except Exception:  # noqa: BLE001 - readiness is a yes/no question
            return False

    def _call(self, method: str, *args: Any) -> Any:
        try:
            envelope = getattr(self.workbench, method).remote(*args).result(
                timeout_s=self.predict_timeout_s)
        except TimeoutError as exc:
            raise Timeout(f"the prediction did not finish within {self.predict_timeout_s:g} s") from exc
        except RayError as exc:
            raise Unavailable(f"the model worker failed: {type(exc).__name__}") from exc
        return unwrap(envelope)
