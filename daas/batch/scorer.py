"""Score chunks of a run: read, check against the model schema, predict in sub-batches, write.

``ChunkScorer`` is the callable class Ray Data runs in each actor (the model is loaded once
per actor); ``probe`` and ``score_table`` are the pure parts, usable without Ray.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from daas.batch.chunks import Chunk, folder_path, read_chunk
from daas.batch.outputs import OutputColumn, outputs_table, probe_layout
from daas.batch.plan import ModelRef, RunPlan
from daas.batch.run_files import RunFiles
from daas.codecs import coerce_frame
from daas.errors import DaasError, InvalidInput
from daas.runtimes import load_runtime
from daas.runtimes.base import ModelRuntime
from daas.store.artifacts import ArtifactStore, load_artifact

#: What happened to a chunk.
DONE, SKIPPED, FAILED = "done", "skipped", "failed"
#: Rows whose predictions fix a run's output columns.
PROBE_ROWS = 64


@dataclass(frozen=True)
class ChunkResult:
    """One scorer answer: the chunk, its rows, its state and, when failed, a short error."""

    chunk: int
    rows: int
    state: str
    error: str = ""


def load_model(store: ArtifactStore, model: ModelRef) -> ModelRuntime:
    """The model's runtime, after checking the stored file is the version's file."""
    return load_runtime(model.format, load_artifact(model.artifact(store.uri)))


def probe(runtime: ModelRuntime, table: pa.Table) -> list[OutputColumn]:
    """A run's output columns, from the predictions of the table's first ``PROBE_ROWS`` rows."""
    first = table.slice(0, PROBE_ROWS)
    try:
        rows = runtime.predict(input_frame(runtime, first))
    except InvalidInput as error:
        raise locate_input_error(error, 0, first.num_rows) from None
    return probe_layout(rows, runtime.schema)


def score_table(runtime: ModelRuntime, layout: list[OutputColumn], table: pa.Table,
                passthrough: list[str], batch_size: int, first_row: int = 0) -> pa.Table:
    """Passthrough columns + flattened predictions of every row of ``table``, in order.

    The inputs are checked and coerced for the whole table at once, then scored with one
    ``runtime.predict_columns`` call per ``batch_size`` rows. Input errors name the row's
    position in the whole input (``first_row`` is the position of the table's first row).
    """
    try:
        frame = input_frame(runtime, table)
    except InvalidInput as error:
        raise locate_input_error(error, first_row, table.num_rows) from None
    pieces = []
    for offset in range(0, table.num_rows, batch_size):
        batch = frame.iloc[offset:offset + batch_size].reset_index(drop=True)
        try:
            columns = runtime.predict_columns(batch)
        except InvalidInput as error:
            raise locate_input_error(error, first_row + offset, len(batch)) from None
        pieces.append(outputs_table(columns, len(batch), layout))
    outputs = pa.concat_tables(pieces)
    result = table.select(passthrough)
    for name, column in zip(outputs.column_names, outputs.columns):
        result = result.append_column(outputs.schema.field(name), column)
    return result


def input_frame(runtime: ModelRuntime, table: pa.Table) -> pd.DataFrame:
    """The model's input columns of ``table``, coerced to its schema (``InvalidInput`` names
    the field and the row within ``table``)."""
    inputs = [v.name for v in runtime.schema.inputs if v.name in table.column_names]
    return coerce_frame(table.select(inputs).to_pandas(), runtime.schema)


def locate_input_error(error: InvalidInput, first: int, size: int) -> InvalidInput:
    """The error with its row counted in the whole input (``first`` = the batch's first row)."""
    prefix = f"row {error.row}, "
    if error.row is not None and error.message.startswith(prefix):
        row = first + error.row
        return InvalidInput(f"input row {row}, {error.message[len(prefix):]}",
                            field=error.field, row=row)
    return InvalidInput(f"{error.message} (input rows {first}-{first + size - 1})",
                        field=error.field)


class ChunkScorer:
    """Scores the chunks Ray Data hands it: one ``{"chunk": [id]}`` row per call."""

    def __init__(self, plan: dict, storage_uri: str) -> None:
        self.plan = RunPlan.model_validate(plan)
        store = ArtifactStore(storage_uri)
        self.fs = store.fs
        self.input_folder = folder_path(store.root, self.plan.input_key)
        self.files = RunFiles(store, self.plan.run_id)
        self.chunks = {chunk.id: chunk for chunk in self.plan.chunk_list()}
        self.columns = self.plan.read_columns()
        self.runtime = load_model(store, self.plan.model)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = [self.score(int(chunk_id)) for chunk_id in batch["chunk"]]
        return {
            "chunk": np.array([r.chunk for r in results], dtype=np.int64),
            "rows": np.array([r.rows for r in results], dtype=np.int64),
            "state": np.array([r.state for r in results], dtype=object),
            "error": np.array([r.error for r in results], dtype=object),
        }

    def score(self, chunk_id: int) -> ChunkResult:
        """Score one chunk unless the run is stopping or the chunk is already done."""
        chunk = self.chunks[chunk_id]
        if self.files.has_part(chunk_id):
            return ChunkResult(chunk_id, chunk.rows, DONE)
        if self.files.stop_requested():
            return ChunkResult(chunk_id, 0, SKIPPED)
        try:
            self.files.write_part(chunk_id, self._scored(chunk))
        except DaasError as error:
            return ChunkResult(chunk_id, 0, FAILED, error.message)
        except Exception as error:  # noqa: BLE001 - reported as the run's error, traceback in the log
            traceback.print_exc()
            return ChunkResult(chunk_id, 0, FAILED, f"{type(error).__name__}: {error}"[:500])
        return ChunkResult(chunk_id, chunk.rows, DONE)

    def _scored(self, chunk: Chunk) -> pa.Table:
        table = read_chunk(self.fs, self.input_folder, chunk, self.columns)
        return score_table(self.runtime, self.plan.layout or [], table, self.plan.passthrough,
                           self.plan.batch_size, chunk.start)
