"""One deployed service inside a replica: its model, callers, async requests and traffic.

Ray-free: ``ModelServer`` (the Serve deployment) builds one of these and forwards HTTP
requests and handle calls to it, so everything here is testable without a cluster.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from daas.codecs import rows_to_csv
from daas.deployments.async_requests import AsyncRequestStore, AsyncRunner
from daas.deployments.caller_auth import (
    CallerAuth,
    service_key_check,
    user_token_lookup,
)
from daas.deployments.http_responses import CSV, JSON, json_bytes
from daas.deployments.request_counting import RequestCounter
from daas.deployments.request_payload import Payload, unpack
from daas.deployments.response_bodies import (
    metadata_body,
    prediction_body,
    v2_request_payload,
    v2_response,
)
from daas.deployments.scoring import RowPredictor, Scored, Scorer
from daas.deployments.server_config import ServerConfig, ServiceControls, closed_error
from daas.deployments.traffic_flush import TrafficFlusher
from daas.errors import BadRequest, DaasError, InternalError, Unavailable
from daas.runtimes.base import ModelRuntime
from daas.store.db import Database
from daas.store.tables import AsyncRequest

log = logging.getLogger("daas.model_server")

#: Response formats of ``/predict``.
FORMATS = ("json", "csv")


class ModelService:
    """Predictions, metadata and async requests of one service, plus its counters."""

    def __init__(self, config: ServerConfig, runtime: ModelRuntime, db: Database, *,
                 replica: str, controls: ServiceControls | None = None,
                 batched_rows: RowPredictor | None = None, threads: int = 2,
                 auth: CallerAuth | None = None) -> None:
        self.config = config
        self.schema = runtime.schema
        self.scorer = Scorer(runtime, timeout_s=30.0, threads=threads, batched_rows=batched_rows)
        self.auth = auth or CallerAuth("", user_token_lookup(db, config.service),
                                       key_check=service_key_check(db, config.service))
        self.counter = RequestCounter(replica)
        self.async_requests = AsyncRunner(AsyncRequestStore(db, config.service), self._score_stored)
        self.flusher = TrafficFlusher(self.counter.recorder, db, config.service, replica)
        # Serve passes the controls right after the constructor, before any request arrives.
        self._refusal: Unavailable | None = Unavailable("the replica is starting")
        if controls is not None:
            self.reconfigure(controls)

    def reconfigure(self, controls: ServiceControls) -> None:
        """Apply new controls at once: the key, the time limit, and whether calls are refused."""
        self.auth.set_key_hash(controls.key_hash)
        self.scorer.timeout_s = controls.timeout_s
        self._refusal = (closed_error(self.config.service, controls.closed)
                         if controls.closed else None)

    def check_open(self) -> None:
        """Refuse the call when the service is paused or being deleted (503)."""
        if self._refusal is not None:
            raise Unavailable(self._refusal.message, details=self._refusal.details)

    def start(self) -> None:
        """Start background work (traffic flushing) on the running event loop; idempotent."""
        self.flusher.start()

    async def close(self) -> None:
        """Flush traffic, cancel background scoring and stop the model threads."""
        await self.flusher.stop()
        await self.async_requests.close()
        self.scorer.close()

    # -- HTTP ------------------------------------------------------------------------------

    async def predict_encoded(self, payload: Payload, fmt: str) -> tuple[bytes, str]:
        """The encoded response body and media type for a sync ``/predict``."""
        self.check_open()
        return await self.scorer.score(payload, lambda scored: self._encode(scored, fmt))

    async def submit_async(self, body: bytes, content_type: str | None, fmt: str,
                           caller: str | None) -> str:
        """Store a wait-return request and start scoring it; returns its id."""
        self.check_open()
        return await self.async_requests.submit(body=body, content_type=content_type,
                                                params={"format": fmt}, created_by=caller)

    # -- handle methods --------------------------------------------------------------------

    async def predict(self, body: dict[str, Any] | list[Any]) -> dict[str, Any]:
        """The ``/predict`` JSON response for a JSON body (a list is taken as records)."""
        self.check_open()
        return await self._counted(self.scorer.score(
            Payload.from_json(body), lambda scored: prediction_body(self.config, scored)))

    async def infer_v2(self, body: dict[str, Any]) -> dict[str, Any]:
        """An Open Inference Protocol v2 response for a v2 request."""
        self.check_open()

        async def infer() -> dict[str, Any]:
            payload = Payload.from_json(v2_request_payload(body))
            return await self.scorer.score(
                payload, lambda scored: v2_response(self.config, body, scored))

        return await self._counted(infer())

    def metadata(self) -> dict[str, Any]:
        """What the service expects and returns."""
        return metadata_body(self.config, self.schema)

    async def run_async_request(self, request_id: str, *, wait: bool = False) -> str:
        """(Re-)run a stored request unless it finished; see ``AsyncRunner.dispatch``.

        A paused service leaves stored requests queued: they run after it resumes."""
        self.check_open()
        return await self.async_requests.dispatch(request_id, wait=wait)

    def stats(self) -> dict[str, Any]:
        """Requests and errors this replica has answered."""
        return self.counter.stats()

    # -- internals -------------------------------------------------------------------------

    def _encode(self, scored: Scored, fmt: str) -> tuple[bytes, str]:
        result = self._result(scored, fmt)
        return (result.encode(), CSV) if fmt == "csv" else (json_bytes(result), JSON)

    def _result(self, scored: Scored, fmt: str) -> dict[str, Any] | str:
        if fmt != "csv":
            return prediction_body(self.config, scored)
        if scored.rows is None:
            raise BadRequest("CSV output is for row predictions; this request gave named "
                             "tensors, so ask for JSON")
        return rows_to_csv(scored.rows)

    async def _score_stored(self, row: AsyncRequest) -> dict[str, Any] | str:
        fmt = (row.params or {}).get("format", "json")
        payload = await unpack(row.body, row.content_type)
        return await self.scorer.score(payload, lambda scored: self._result(scored, fmt))

    async def _counted(self, call):
        started = time.perf_counter()
        status = 200
        try:
            return await call
        except DaasError as exc:
            status = exc.status_code
            raise
        except Exception as exc:
            status = 500
            log.exception("prediction failed unexpectedly")
            raise InternalError(f"internal error ({type(exc).__name__}); "
                                "see the replica log") from None
        finally:
            self.counter.record((time.perf_counter() - started) * 1000, status)
