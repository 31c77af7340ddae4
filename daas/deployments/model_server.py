"""The Ray Serve deployment behind every service: application ``svc-<name>``.

Built by the reconciler (``daas.deployments.service_app``) as ``ModelServer`` bound to a
``ServerConfig``, with ``ServiceControls`` as its ``user_config`` and route prefix
``/api/v1/svc/<name>``. Each replica loads the model once, then serves

HTTP (see ``daas.deployments.service_endpoint``): ``POST /predict`` (``?format=csv``,
``?mode=async``), ``GET /`` and ``GET /metadata``, all behind bearer-token auth.

Handle methods, for callers inside the cluster (no auth): ``predict``, ``infer_v2``,
``metadata``, ``run_async_request``, ``ready`` and ``stats``. They raise ``DaasError``
subclasses for bad input, timeouts and failures; through a handle the caller receives them
as Ray's dual exception, an instance of both ``RayTaskError`` and the original class, so
``except DaasError as exc`` works and ``exc.to_body()`` gives the JSON error body.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from ray import serve
from starlette.requests import Request
from starlette.responses import Response

from daas.deployments.model_service import ModelService
from daas.deployments.row_batching import Rows, predict_batch
from daas.deployments.server_config import ServerConfig, ServiceControls
from daas.deployments.service_endpoint import ServiceEndpoint
from daas.deployments.startup_heap import freeze_startup_heap
from daas.deployments.whole_responses import hold_headers_until_body
from daas.runtimes import load_runtime
from daas.store.artifacts import load_artifact
from daas.store.db import Database


@serve.deployment
class ModelServer:
    """One replica of a deployed model service."""

    def __init__(self, config: dict[str, Any]) -> None:
        hold_headers_until_body()  # a replica killed mid-response sends nothing, so it is retried
        settings = ServerConfig.model_validate(config)
        self._runtime = load_runtime(settings.format, load_artifact(settings.artifact))
        batched = None
        self._largest_batch = 0
        if settings.batching is not None:
            self._predict_batch.set_max_batch_size(settings.batching.max_batch_size)
            self._predict_batch.set_batch_wait_timeout_s(settings.batching.max_wait_ms / 1000)
            batched = self._rows_in_batch
        self._service = ModelService(
            settings, self._runtime, Database.connect(settings.database_url),
            replica=serve.get_replica_context().replica_id.unique_id, batched_rows=batched)
        self._endpoint = ServiceEndpoint(self._service)
        self._service.start()  # the constructor runs on the replica's event loop
        freeze_startup_heap()

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        """Take new ``ServiceControls`` (key, time limit, closed) without a restart."""
        self._service.reconfigure(ServiceControls.model_validate(user_config))

    async def __call__(self, request: Request) -> Response:
        """Answer an HTTP request below the route prefix."""
        return await self._endpoint(request)

    async def predict(self, body: dict[str, Any] | list[Any]) -> dict[str, Any]:
        """Score a JSON body (any ``/predict`` JSON shape; a list is records).

        Returns the ``/predict`` JSON response: ``{"service", "model", "version", "task",
        "predictions"}`` for rows, ``{"service", "model", "version", "outputs"}`` for tensors.
        """
        return await self._service.predict(body)

    async def infer_v2(self, body: dict[str, Any]) -> dict[str, Any]:
        """Open Inference Protocol v2: ``{"id"?, "inputs": [...], "outputs"?: [{"name"}]}`` ->
        ``{"model_name", "model_version", "id", "outputs": [{"name", "shape", "datatype",
        "data"}]}``. Row models answer one output tensor per raw output name."""
        return await self._service.infer_v2(body)

    async def metadata(self) -> dict[str, Any]:
        """``{"service", "model", "version", "task", "format", "inputs", "targets", "outputs"}``."""
        return self._service.metadata()

    async def run_async_request(self, request_id: str, wait: bool = False) -> str:
        """Score a stored wait-return request unless it already finished (idempotent).

        Returns ``succeeded``/``failed`` if it had finished; otherwise schedules it and returns
        ``queued``/``running`` — or, with ``wait=True``, its final status once it finishes.
        ``NotFound`` if this service has no such request.
        """
        return await self._service.run_async_request(request_id, wait=wait)

    async def ready(self) -> bool:
        """True once the model is loaded (the constructor has finished)."""
        return True

    async def stats(self) -> dict[str, Any]:
        """``{"replica", "requests", "errors", "largest_batch"}``: predictions this replica
        answered (HTTP and handle; errors as counted for traffic) and the most requests that
        batching has put into one model call."""
        return {**self._service.stats(), "largest_batch": self._largest_batch}

    async def __del__(self) -> None:
        """Flush traffic and stop background work when Serve shuts the replica down."""
        await self._service.close()

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.005)
    async def _predict_batch(self, frames: list[pd.DataFrame]) -> list[Rows | Exception]:
        self._largest_batch = max(self._largest_batch, len(frames))
        return await self._service.scorer.run(predict_batch, self._runtime, frames)

    async def _rows_in_batch(self, frame: pd.DataFrame) -> Rows:
        outcome = await self._predict_batch(frame)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
