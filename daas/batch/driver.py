"""Entrypoint of a batch run's Ray job: ``python -m daas.batch.driver --run-id N``.

Reads ``DAAS_HOME``/``DAAS_DATABASE_URL``/``DAAS_STORAGE_URI`` (``daas.settings``) to reach
the platform's database and storage, joins the Ray cluster, scores the run's input chunk
by chunk, and keeps the ``JobRun`` row up to date. Every line it prints starts with
``[daas run N]``; an unexpected failure also prints its traceback (the job's log), while
the run's ``error`` gets one short line. The run's group (the job's) is in its row and its
plan: the output dataset is registered there.

Statuses: ``running`` at start; ``paused``/``stopped`` when the platform asked for
``pausing``/``stopping`` (in-flight chunks finish first, exit code 0); ``succeeded`` with
the output dataset registered (exit 0); ``failed`` with ``error`` (exit 1). Started again
for the same run id, it continues: chunks whose part file exists are not scored again.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import traceback
from collections.abc import Callable, Sequence

from daas.batch import pipeline
from daas.batch.evaluate import evaluate_run
from daas.batch.plan import RunPlan
from daas.batch.planning import check_output_free, prepare_plan
from daas.batch.register import register_run_output
from daas.batch.run_files import RunFiles, run_key
from daas.batch.run_state import RunRecord
from daas.batch.scorer import DONE, FAILED, ChunkResult
from daas.errors import DaasError, InternalError, InvalidInput, NotFound
from daas.settings import Settings
from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from daas.store.tables import FINAL_RUN_STATES, utcnow

#: Seconds between status checks while a chunk is being scored.
STATUS_POLL_S = 1.0
_STOP_REQUESTS = ("pausing", "stopping", "stopped")
_RESUMABLE = ("pending", "running", "paused")

ChunkHook = Callable[[ChunkResult], None]


def log(run_id: int, message: str) -> None:
    """One line of the job's log."""
    print(f"[daas run {run_id}] {message}", flush=True)


def short_error(error: BaseException) -> str:
    """One line for ``JobRun.error``: a typed error's message, else type and first line."""
    while getattr(error, "cause", None) is not None and error.cause is not error:
        error = error.cause  # Ray wraps the scorer's exception (RayTaskError and friends)
    if isinstance(error, DaasError):
        return error.message[:1000]
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")[:500]


class BatchRun:
    """One driver process working on one run."""

    def __init__(self, db: Database, store: ArtifactStore, run_id: int,
                 on_chunk: ChunkHook | None = None) -> None:
        self.db = db
        self.store = store
        self.run_id = run_id
        self.record = RunRecord(db, run_id)
        self.files = RunFiles(store, run_id)
        self.on_chunk = on_chunk

    def execute(self) -> int:
        """Run (or continue) the run; returns the process exit code."""
        try:
            run, job = self.record.load()
        except NotFound as error:
            log(self.run_id, f"cannot start: {error.message}")
            return 1
        if run.status in FINAL_RUN_STATES:
            log(self.run_id, f"already {run.status}; nothing to do")
            return 0
        if run.status in ("pausing", "stopping"):
            return self._halt(run.status, 0, 0)
        try:
            return self._execute(run, job)
        except Exception as error:  # noqa: BLE001 - any failure ends the run as failed
            if not isinstance(error, DaasError):  # a typed error's message says it all
                traceback.print_exc(file=sys.stdout)
            message = short_error(error)
            self.record.move("failed", error=message)
            log(self.run_id, f"failed: {message}")
            return 1

    def _execute(self, run, job) -> int:
        moved = self.record.move("running", only_from=_RESUMABLE, started=run.started or utcnow(),
                                 ended=None, error=None, output_key=run_key(self.run_id))
        if moved != "running":
            return self._halt(moved, 0, 0)
        connect_ray()
        pipeline.quiet_ray_data()
        plan = self._plan(run, job)
        self.files.remove_temporary_files()
        self.files.clear_stop()
        chunks = {chunk.id: chunk for chunk in plan.chunk_list()}
        done = self.files.done_chunks() & set(chunks)
        rows_done = sum(chunks[i].rows for i in done)
        self.record.update(rows_total=plan.rows_total, rows_done=rows_done)
        pending = [i for i in chunks if i not in done]
        log(self.run_id, f"{plan.kind} with model {plan.model.name} v{plan.model.version} "
                         f"({plan.model.format}) on dataset {plan.input_dataset}: "
                         f"{plan.rows_total} rows in {len(chunks)} chunks, {len(done)} already done")
        failure = self._score(plan, pending, done, rows_done)
        if failure:
            raise DaasError(failure)
        done = self.files.done_chunks() & set(chunks)
        rows_done = sum(chunks[i].rows for i in done)
        if len(done) < len(chunks):
            status = self.record.status()
            if status in _STOP_REQUESTS or status == "paused":
                return self._halt(status, rows_done, plan.rows_total)
            raise InternalError(f"{len(chunks) - len(done)} chunk(s) were not scored")
        return self._succeed(plan, run, rows_done)

    def _plan(self, run, job) -> RunPlan:
        saved = self.files.read_plan()
        if saved is not None:
            plan = RunPlan.model_validate(saved)
            if plan.group_id is None:  # saved before groups: the run's group is the job's
                plan.group_id = run.group_id
            if plan.output_dataset:
                check_output_free(self.db, plan.group_id, plan.output_dataset, self.run_id)
            return plan
        plan = prepare_plan(self.db, self.store, run, job)
        plan.layout = pipeline.output_layout(plan, self.store.uri)
        clashes = sorted(set(plan.passthrough) & {column.name for column in plan.layout})
        if clashes:
            raise InvalidInput(f"passthrough column(s) {', '.join(clashes)} clash with output "
                               "columns of the model; leave them out of passthrough",
                               field="passthrough")
        self.files.write_plan(plan.model_dump(mode="json"))
        return plan

    def _score(self, plan: RunPlan, pending: list[int], done: set[int], rows_done: int) -> str:
        """Score pending chunks; returns the first chunk error ("" when none)."""
        failure = ""
        counted = set(done)
        with _StopWatcher(self.record, self.files) as watcher:
            for result in pipeline.score_chunks(plan, self.store.uri, pending):
                if result.state == DONE and result.chunk not in counted:
                    counted.add(result.chunk)
                    rows_done += result.rows
                    self.record.update(rows_done=rows_done)
                    share = 100 * rows_done / plan.rows_total
                    log(self.run_id, f"chunk {result.chunk} done: {result.rows} rows; "
                                     f"{rows_done}/{plan.rows_total} rows ({share:.1f}%)")
                elif result.state == FAILED:
                    log(self.run_id, f"chunk {result.chunk} failed: {result.error}")
                    failure = failure or f"chunk {result.chunk}: {result.error}"
                    self.files.request_stop()
                if self.on_chunk is not None:
                    self.on_chunk(result)
                watcher.check()
        return failure

    def _halt(self, status: str, rows_done: int, rows_total: int) -> int:
        final = "stopped" if status in ("stopping", "stopped") else "paused"
        now = self.record.move(final, only_from=(*_STOP_REQUESTS, "paused", "running"),
                               **({"rows_done": rows_done} if rows_total else {}))
        log(self.run_id, f"{now}: {rows_done}/{rows_total or '?'} rows done")
        return 0

    def _succeed(self, plan: RunPlan, run, rows_done: int) -> int:
        metrics = None
        if plan.kind == "evaluate":
            log(self.run_id, "computing metrics")
            metrics = evaluate_run(plan, self.store, self.files)
            log(self.run_id, f"metrics: {json.dumps(metrics)}")
        if plan.output_dataset:
            schema = self.files.read_part(0).schema
            register_run_output(
                self.db, group_id=plan.group_id, name=plan.output_dataset, run_id=self.run_id,
                storage_key=self.files.key, rows=rows_done,
                columns=[{"name": f.name, "type": str(f.type)} for f in schema],
                size_bytes=self.files.part_sizes(), created_by=run.created_by)
        self.files.clear_stop()
        self.record.move("succeeded", rows_done=rows_done, output_dataset=plan.output_dataset,
                         metrics=metrics, error=None)
        target = f" -> dataset {plan.output_dataset} ({self.files.key})" if plan.output_dataset \
            else f" ({self.files.key})"
        log(self.run_id, f"succeeded: {rows_done} rows{target}")
        return 0


class _StopWatcher:
    """Turns a ``pausing``/``stopping`` status into the run's stop marker, promptly."""

    def __init__(self, record: RunRecord, files: RunFiles, poll_s: float = STATUS_POLL_S) -> None:
        self.record = record
        self.files = files
        self.poll_s = poll_s
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True, name="status-watch")

    def __enter__(self) -> _StopWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(timeout=10)

    def check(self) -> None:
        """Request a stop if the platform asked for one."""
        if self.record.status() in _STOP_REQUESTS:
            self.files.request_stop()

    def _poll(self) -> None:
        while not self._done.wait(self.poll_s):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - a missed poll is retried; the loop checks too
                traceback.print_exc(file=sys.stdout)


def connect_ray() -> None:
    """Join the cluster of the Ray job (or keep this process's existing connection)."""
    import ray

    if not ray.is_initialized():
        ray.init(address="auto", ignore_reinit_error=True, logging_level="WARNING")


def main(argv: Sequence[str] | None = None, *, on_chunk: ChunkHook | None = None) -> int:
    """Run the driver; ``on_chunk`` is called after each chunk result (for tests)."""
    parser = argparse.ArgumentParser(prog="python -m daas.batch.driver",
                                     description="Score a DaaS batch job run on Ray.")
    parser.add_argument("--run-id", type=int, required=True)
    args = parser.parse_args(argv)
    settings = Settings()
    db = Database.connect(settings.resolved_database_url)
    try:
        store = ArtifactStore(settings.resolved_storage_uri)
        return BatchRun(db, store, args.run_id, on_chunk).execute()
    finally:
        db.dispose()


if __name__ == "__main__":
    sys.exit(main())
