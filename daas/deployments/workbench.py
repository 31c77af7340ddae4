"""A Serve deployment that loads registered models on demand and scores test requests.

It keeps the most recently used models loaded (by content digest), so repeated tests
of one model pay the load cost once. Results travel back in ``capture`` envelopes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from ray import serve

from daas.errors import capture
from daas.runtimes import load_runtime
from daas.runtimes.base import ModelRuntime
from daas.store.artifacts import ArtifactRef, load_artifact


class RuntimeCache:
    """An LRU of loaded runtimes keyed by file digest."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, ModelRuntime] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, artifact: ArtifactRef) -> ModelRuntime:
        """The loaded runtime for ``artifact``, loading it on a miss."""
        with self._lock:
            if artifact.sha256 in self._items:
                self._items.move_to_end(artifact.sha256)
                return self._items[artifact.sha256]
        runtime = load_runtime(artifact.format, load_artifact(artifact))
        with self._lock:
            self._items[artifact.sha256] = runtime
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return runtime


@serve.deployment(name="workbench", ray_actor_options={"num_cpus": 1}, max_ongoing_requests=16)
class ModelWorkbench:
    """Scores test requests for the management API."""

    def __init__(self, cache_size: int = 16) -> None:
        self.cache = RuntimeCache(cache_size)

    def predict_rows(self, artifact: ArtifactRef, frame: Any) -> dict[str, Any]:
        """Envelope with one prediction dict per row."""
        return capture(lambda: self.cache.get(artifact).predict(frame))

    def predict_tensors(self, artifact: ArtifactRef, tensors: dict[str, Any]) -> dict[str, Any]:
        """Envelope with named output arrays."""
        return capture(lambda: self.cache.get(artifact).predict_tensors(tensors))

    def ping(self) -> bool:
        """Answers when the replica is up."""
        return True
