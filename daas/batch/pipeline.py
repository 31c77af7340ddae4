"""The Ray side of a run: probe the output columns, then score chunks with Ray Data actors.

``from_items(chunks not yet written) -> map_batches(ChunkScorer)``: one chunk per block,
``concurrency`` actors each holding the model, results streamed back to the driver as
chunks finish (in any order; part files are named by chunk id).
"""

from __future__ import annotations

from collections.abc import Iterator

import ray

from daas.batch.chunks import folder_path, read_chunk
from daas.batch.outputs import OutputColumn
from daas.batch.plan import RunPlan
from daas.batch.scorer import ChunkResult, ChunkScorer, load_model, probe
from daas.errors import capture, unwrap
from daas.store.artifacts import ArtifactStore


def quiet_ray_data() -> None:
    """No progress bars in job logs: the driver prints its own progress lines."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.enable_operator_progress_bars = False
    context.print_on_execution_start = False


def output_layout(plan: RunPlan, storage_uri: str) -> list[OutputColumn]:
    """The run's output columns, from the predictions of its first input rows (a Ray task)."""
    task = ray.remote(num_cpus=plan.num_cpus, max_retries=0)(_probe)
    envelope = ray.get(task.remote(plan.model_dump(mode="json"), storage_uri))
    return [OutputColumn.model_validate(column) for column in unwrap(envelope)]


def _probe(plan_data: dict, storage_uri: str) -> dict:
    def layout() -> list[dict]:
        plan = RunPlan.model_validate(plan_data)
        store = ArtifactStore(storage_uri)
        runtime = load_model(store, plan.model)
        first = plan.chunk_list()[0]
        table = read_chunk(store.fs, folder_path(store.root, plan.input_key), first,
                           plan.read_columns())
        return [column.model_dump() for column in probe(runtime, table)]

    return capture(layout)


def score_chunks(plan: RunPlan, storage_uri: str, chunk_ids: list[int]) -> Iterator[ChunkResult]:
    """Score ``chunk_ids`` with ``plan.concurrency`` actors; yields each result as it arrives."""
    if not chunk_ids:
        return
    items = [{"chunk": chunk_id} for chunk_id in chunk_ids]
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        ChunkScorer,
        batch_size=1,
        concurrency=min(plan.concurrency, len(chunk_ids)),
        num_cpus=plan.num_cpus,
        fn_constructor_kwargs={"plan": plan.model_dump(mode="json"), "storage_uri": storage_uri},
    )
    for row in dataset.iter_rows():
        yield ChunkResult(int(row["chunk"]), int(row["rows"]), str(row["state"]),
                          str(row["error"] or ""))

