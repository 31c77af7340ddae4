"""Decode, predict and encode in a small thread pool, within the service's time limit.

The event loop never runs model code, so a slow or stuck prediction cannot stall other
requests: when the limit passes the caller gets ``Timeout`` (504) at once. The deadline also
reaches the thread: large requests are scored ``CHUNK_ROWS`` rows at a time, and work whose
caller has had its 504 stops at the next step (parsing, decoding, each chunk) instead of
holding the pool (and the GIL) from the calls behind it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from daas.deployments.request_payload import Payload, decode_payload, parse_document
from daas.errors import InvalidInput, Timeout
from daas.runtimes.base import ModelRuntime

T = TypeVar("T")

#: Scores rows through a batching queue instead of one model call per request.
RowPredictor = Callable[[pd.DataFrame], Awaitable[list[dict[str, Any]]]]
#: Rows per model call in a large request: between two calls, abandoned work stops.
CHUNK_ROWS = 1024


class Abandoned(Exception):
    """Raised in the pool when the caller stopped waiting (it has had its ``Timeout``)."""


@dataclass(frozen=True)
class Scored:
    """A model's answer: prediction rows, or named output tensors."""

    rows: list[dict[str, Any]] | None = None
    tensors: dict[str, Any] | None = None


class Scorer:
    """Runs requests through a runtime on a thread pool, under ``timeout_s``."""

    def __init__(self, runtime: ModelRuntime, *, timeout_s: float, threads: int = 2,
                 batched_rows: RowPredictor | None = None) -> None:
        self.runtime = runtime
        self.schema = runtime.schema
        self.timeout_s = timeout_s
        self._batched_rows = batched_rows
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="model")

    async def score(self, payload: Payload, finish: Callable[[Scored], T]) -> T:
        """Decode ``payload``, predict, and return ``finish(scored)`` (run in the pool too)."""
        abandoned = threading.Event()
        try:
            async with asyncio.timeout(self.timeout_s):
                if self._batched_rows is None:
                    return await self.run(self._score_now, payload, finish, abandoned)
                return await self._score_batched(payload, finish)
        except TimeoutError:
            abandoned.set()
            raise Timeout(f"the prediction did not finish within {self.timeout_s:g} s",
                          details={"timeout_s": self.timeout_s}) from None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the model thread pool (no time limit of its own)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def close(self) -> None:
        """Stop the pool; a running prediction finishes in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _score_now(self, payload: Payload, finish: Callable[[Scored], T],
                   abandoned: threading.Event) -> T:
        parsed = parse_document(payload)
        _stop_if(abandoned)
        decoded = decode_payload(parsed, self.schema)
        _stop_if(abandoned)
        if decoded.tensors is not None:
            scored = Scored(tensors=self.runtime.predict_tensors(decoded.tensors))
        else:
            scored = Scored(rows=self._predict_in_chunks(decoded.frame, abandoned))
        _stop_if(abandoned)
        return finish(scored)

    def _predict_in_chunks(self, frame: pd.DataFrame, abandoned: threading.Event) -> list[dict[str, Any]]:
        if len(frame) <= CHUNK_ROWS:
            return self.runtime.predict(frame)
        rows: list[dict[str, Any]] = []
        for start in range(0, len(frame), CHUNK_ROWS):
            _stop_if(abandoned)
            try:
                rows.extend(self.runtime.predict(frame.iloc[start:start + CHUNK_ROWS]))
            except InvalidInput as exc:
                if exc.row is None or not start:
                    raise
                raise InvalidInput(exc.message, field=exc.field, row=exc.row + start,
                                   details=exc.details) from None
        return rows

    async def _score_batched(self, payload: Payload, finish: Callable[[Scored], T]) -> T:
        # Decoding per request first means a malformed request fails alone, before batching.
        decoded = await self.run(decode_payload, payload, self.schema)
        if decoded.tensors is not None:
            scored = Scored(tensors=await self.run(self.runtime.predict_tensors, decoded.tensors))
        else:
            scored = Scored(rows=await self._batched_rows(decoded.frame))
        return await self.run(finish, scored)


def _stop_if(abandoned: threading.Event) -> None:
    if abandoned.is_set():
        raise Abandoned
