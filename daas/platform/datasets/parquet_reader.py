"""Parquet uploads read in batches of bounded decoded size, whatever the file's compression.

A Parquet file can be tiny and decode to gigabytes: one long string in a column's dictionary,
repeated by every row, zstd-compressed. Text and binary columns are therefore read as
dictionaries (the compact form the file holds), each batch's decoded size is worked out from
them, and the rows are decoded a slice of at most ``PARQUET_BATCH_BYTES`` at a time. The file's
whole decoded size is bounded by the dataset limit before anything is decoded past it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from daas.errors import PayloadTooLarge
from daas.platform.datasets.readers import bad_input, check_column_names

PARQUET_BATCH_ROWS = 65_536
#: Decoded bytes of one batch handed on (a single larger row goes alone).
PARQUET_BATCH_BYTES = 32 * 1024 * 1024
_MAGIC = b"PAR1"


def parquet_batches(raw: BinaryIO, _widened: dict[str, pa.DataType], *,
                    max_bytes: int) -> Iterator[pa.RecordBatch]:
    """Record batches of a Parquet file; ``PayloadTooLarge`` once it decodes past ``max_bytes``."""
    _check_magic(raw)
    try:
        parquet = pq.ParquetFile(raw)
        schema = parquet.schema_arrow
        if not schema.names:
            raise bad_input("the Parquet file has no columns")
        check_column_names(schema.names, None)
        compact = [field.name for field in schema
                   if pa.types.is_string(field.type) or pa.types.is_binary(field.type)
                   or pa.types.is_large_string(field.type) or pa.types.is_large_binary(field.type)]
        parquet = pq.ParquetFile(raw, metadata=parquet.metadata, read_dictionary=compact)
        decoded = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            sizes = _row_sizes(batch)
            decoded += int(sizes.sum())
            if decoded > max_bytes:
                raise PayloadTooLarge(f"the Parquet file decodes to over {max_bytes} bytes, the "
                                      "dataset limit", details={"limit": max_bytes})
            for start, stop in _slices(sizes, PARQUET_BATCH_BYTES):
                yield _plain(batch.slice(start, stop - start), schema)
    except (pa.ArrowException, OSError) as exc:
        raise bad_input(f"the Parquet file is damaged: {exc}") from None


def _check_magic(raw: BinaryIO) -> None:
    size = raw.seek(0, io.SEEK_END)
    if size == 0:
        raise bad_input("the file is empty")
    raw.seek(0)
    head = raw.read(4)
    raw.seek(max(0, size - 4))
    tail = raw.read(4)
    if size < 12 or head != _MAGIC or tail != _MAGIC:
        raise bad_input("not a Parquet file")
    raw.seek(0)


def _row_sizes(batch: pa.RecordBatch) -> np.ndarray:
    """Each row's decoded bytes: exact for dictionary columns, the average for the others."""
    sizes = np.zeros(batch.num_rows, dtype=np.int64)
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            lengths = pc.binary_length(column.dictionary).fill_null(0).to_numpy(zero_copy_only=False)
            indices = column.indices.fill_null(0).to_numpy(zero_copy_only=False)
            sizes += lengths[indices] if len(lengths) else 0
        elif batch.num_rows:
            sizes += column.nbytes // batch.num_rows
    return sizes


def _slices(sizes: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` row ranges of at most ``budget`` bytes (one row at least)."""
    ends = np.cumsum(sizes)
    start = 0
    while start < len(sizes):
        before = int(ends[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, before + budget, side="right")))
        yield start, stop
        start = stop


def _plain(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """The batch with the columns read as dictionaries back in the file's own types."""
    columns = [column.cast(schema.field(name).type) if pa.types.is_dictionary(column.type)
               and not pa.types.is_dictionary(schema.field(name).type) else column
               for name, column in zip(batch.schema.names, batch.columns)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)
