"""A Serve deployment that loads registered models on demand and scores test requests.

It keeps the most recently used models loaded (by content digest), so repeated tests
of one model pay the load cost once. A test request arrives as its raw body and leaves as
the encoded answer: decoding and encoding large bodies is CPU work that would otherwise
hold the API process's GIL. Results travel back in ``capture`` envelopes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from ray import serve

from daas.codecs import rows_to_csv
from daas.deployments.http_responses import CSV, JSON, json_bytes
from daas.deployments.request_payload import Payload, decode_payload
from daas.deployments.response_bodies import json_array
from daas.errors import BadRequest, capture
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


def score_test_request(runtime: ModelRuntime, payload: Payload, fmt: str,
                       about: dict[str, Any]) -> tuple[bytes, str]:
    """Decode ``payload`` for ``runtime``, score it and encode the answer as ``fmt``.

    JSON is ``about`` plus ``predictions`` (rows) or ``outputs`` (named tensors); CSV is the
    prediction rows. Returns the body and its media type.
    """
    decoded = decode_payload(payload, runtime.schema)
    if decoded.tensors is not None:
        if fmt == "csv":
            raise BadRequest("CSV output is for row predictions; tensor results come as JSON")
        outputs = runtime.predict_tensors(decoded.tensors)
        return json_bytes({**about, "outputs": {name: json_array(value) for name, value in outputs.items()}}), JSON
    rows = runtime.predict(decoded.frame)
    if fmt == "csv":
        return rows_to_csv(rows).encode(), CSV
    return json_bytes({**about, "predictions": rows}), JSON


@serve.deployment(name="workbench", ray_actor_options={"num_cpus": 1}, max_ongoing_requests=16)
class ModelWorkbench:
    """Scores test requests for the management API."""

    def __init__(self, cache_size: int = 16) -> None:
        self.cache = RuntimeCache(cache_size)

    def score(self, artifact: ArtifactRef, payload: Payload, fmt: str,
              about: dict[str, Any]) -> dict[str, Any]:
        """Envelope with the encoded answer and its media type (``score_test_request``)."""
        return capture(lambda: score_test_request(self.cache.get(artifact), payload, fmt, about))

    def ping(self) -> bool:
        """Answers when the replica is up."""
        return True
