"""Reading a dataset folder: its Parquet part files, their schema, rows and size.

The layout is a contract with the batch driver: a folder holds part files read in name
order; files starting with ``.`` or ``_`` (temporaries, markers) are not parts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from daas.errors import InvalidInput
from daas.store.artifacts import ArtifactStore

BATCH_ROWS = 65_536


@dataclass
class FolderSummary:
    """What a folder of part files holds, read from the Parquet footers only."""

    parts: list[str]
    rows: int
    size_bytes: int
    schema: pa.Schema


def part_sizes(store: ArtifactStore, folder: str) -> dict[str, int]:
    """Key -> size of every part file directly in ``folder``, in name order."""
    prefix = folder.rstrip("/") + "/"
    sizes = store.file_sizes(folder)
    parts = {key: size for key, size in sizes.items()
             if key.endswith(".parquet") and "/" not in key.removeprefix(prefix)
             and not key.removeprefix(prefix).startswith((".", "_"))}
    return dict(sorted(parts.items()))


def part_keys(store: ArtifactStore, folder: str) -> list[str]:
    """Keys of the part files in ``folder``, in the order readers must read them."""
    return list(part_sizes(store, folder))


def summarize(store: ArtifactStore, folder: str) -> FolderSummary:
    """Rows, size and the common schema of a folder's part files."""
    sizes = part_sizes(store, folder)
    if not sizes:
        raise InvalidInput(f"no Parquet part files under {folder!r}", field="storage_key")
    rows, schemas = 0, []
    for key in sizes:
        with store.open_input_file(key) as handle:
            parquet = pq.ParquetFile(handle)
            rows += parquet.metadata.num_rows
            schemas.append(parquet.schema_arrow)
    return FolderSummary(list(sizes), rows, sum(sizes.values()), common_schema(schemas))


def common_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema covering every part (null columns and int/float mixes are unified)."""
    try:
        return pa.unify_schemas(schemas, promote_options="permissive")
    except pa.ArrowException as exc:
        raise InvalidInput(f"the part files do not share a schema: {exc}", field="storage_key") from None


def iter_batches(store: ArtifactStore, keys: list[str], schema: pa.Schema,
                 batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """Every row of the parts in order, one batch at a time, conformed to ``schema``."""
    for key in keys:
        with store.open_input_file(key) as handle:
            for batch in pq.ParquetFile(handle).iter_batches(batch_size=batch_rows):
                yield conform(batch, schema)


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with ``schema``'s columns in its order (missing ones null) and types."""
    if batch.schema.equals(schema):
        return batch
    names = batch.schema.names
    arrays = [batch.column(names.index(field.name)).cast(field.type) if field.name in names
              else pa.nulls(batch.num_rows, field.type) for field in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
