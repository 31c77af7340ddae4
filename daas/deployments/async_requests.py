"""Wait-return prediction requests: stored first, scored in the background, polled later.

A request row moves ``queued -> running -> succeeded | failed``. Each start counts an
attempt; a request that was started ``MAX_ATTEMPTS`` times without finishing (its replica
died each time) is failed instead of being tried again. Dispatching a request that already
finished does nothing, so the platform may re-dispatch freely after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from daas.errors import DaasError, InternalError, NotFound
from daas.store.db import Database
from daas.store.tables import AsyncRequest, utcnow

log = logging.getLogger("daas.model_server")

MAX_ATTEMPTS = 3
FINISHED = ("succeeded", "failed")

#: Scores a stored request; returns the JSON-ready result or raises ``DaasError``.
ScoreStored = Callable[[AsyncRequest], Awaitable[Any]]


class AsyncRequestStore:
    """The ``async_request`` rows of one service."""

    def __init__(self, db: Database, service: str) -> None:
        self.db = db
        self.service = service

    def create(self, *, body: bytes, content_type: str | None, params: dict[str, Any],
               created_by: str | None) -> str:
        """Store a queued request; returns its id."""
        request_id = uuid.uuid4().hex
        with self.db.write() as session:
            session.add(AsyncRequest(id=request_id, service_name=self.service, body=body,
                                     content_type=content_type, params=params,
                                     created_by=created_by))
        return request_id

    def status(self, request_id: str) -> str:
        """The request's status; ``NotFound`` if this service has no such request."""
        with self.db.read() as session:
            return self._row(session, request_id).status

    def claim(self, request_id: str) -> AsyncRequest | None:
        """Mark the request running (one more attempt) and return it; ``None`` if it is
        already finished or has used up its attempts (then it is failed here)."""
        with self.db.write() as session:
            row = self._row(session, request_id)
            if row.status in FINISHED:
                return None
            if row.attempts >= MAX_ATTEMPTS:
                error = InternalError(f"the request was started {row.attempts} times without "
                                      "finishing; giving up")
                self._finish(row, "failed", error=error.to_body()["error"])
                session.add(row)
                return None
            row.status, row.started, row.attempts = "running", utcnow(), row.attempts + 1
            session.add(row)
            return row

    def succeed(self, request_id: str, result: Any) -> None:
        """Record the result."""
        self._complete(request_id, "succeeded", result=result)

    def fail(self, request_id: str, error: dict[str, Any]) -> None:
        """Record the error body (``{"code", "message", "details"}``)."""
        self._complete(request_id, "failed", error=error)

    def _complete(self, request_id: str, status: str, *, result: Any = None,
                  error: dict[str, Any] | None = None) -> None:
        with self.db.write() as session:
            row = self._row(session, request_id)
            self._finish(row, status, result=result, error=error)
            session.add(row)

    @staticmethod
    def _finish(row: AsyncRequest, status: str, *, result: Any = None,
                error: dict[str, Any] | None = None) -> None:
        row.status, row.result, row.error, row.finished = status, result, error, utcnow()

    def _row(self, session, request_id: str) -> AsyncRequest:
        row = session.get(AsyncRequest, request_id)
        if row is None or row.service_name != self.service:
            raise NotFound(f"service '{self.service}' has no request '{request_id}'")
        return row


class AsyncRunner:
    """Schedules stored requests as background tasks, a few at a time."""

    def __init__(self, store: AsyncRequestStore, score: ScoreStored, *,
                 concurrency: int = 2) -> None:
        self.store = store
        self._score = score
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[str]] = {}

    async def submit(self, *, body: bytes, content_type: str | None, params: dict[str, Any],
                     created_by: str | None) -> str:
        """Store a request and start scoring it in the background; returns its id."""
        request_id = await asyncio.to_thread(self.store.create, body=body,
                                             content_type=content_type, params=params,
                                             created_by=created_by)
        self._schedule(request_id)
        return request_id

    async def dispatch(self, request_id: str, *, wait: bool = False) -> str:
        """Score a stored request unless it is finished or already running here.

        Returns its status: the final one if it had finished (or, with ``wait``, once it
        finishes), else ``queued``/``running`` as it was when dispatched.
        """
        task = self._tasks.get(request_id)
        if task is None:
            status = await asyncio.to_thread(self.store.status, request_id)
            if status in FINISHED:
                return status
            task = self._schedule(request_id)
        else:
            status = "running"
        return await asyncio.shield(task) if wait else status

    async def close(self) -> None:
        """Cancel running work; its rows stay queued/running for a later re-dispatch."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _schedule(self, request_id: str) -> asyncio.Task[str]:
        task = self._tasks.get(request_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._run(request_id))
            self._tasks[request_id] = task
            task.add_done_callback(lambda done: self._forget(request_id, done))
        return task

    def _forget(self, request_id: str, task: asyncio.Task[str]) -> None:
        self._tasks.pop(request_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("async request %s could not be run: %s", request_id, task.exception())

    async def _run(self, request_id: str) -> str:
        async with self._slots:
            row = await asyncio.to_thread(self.store.claim, request_id)
            if row is None:
                return await asyncio.to_thread(self.store.status, request_id)
            try:
                result = await self._score(row)
            except DaasError as exc:
                error = exc
            except Exception as exc:  # noqa: BLE001 - recorded as an internal error, logged
                log.exception("async request %s failed unexpectedly", request_id)
                error = InternalError(f"internal error ({type(exc).__name__}); see the replica log")
            else:
                await asyncio.to_thread(self.store.succeed, request_id, result)
                return "succeeded"
            await asyncio.to_thread(self.store.fail, request_id, error.to_body()["error"])
            return "failed"
