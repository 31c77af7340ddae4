"""Parquet uploads read in batches of bounded decoded size, whatever the file's compression.

A Parquet file can be tiny and decode to gigabytes: one long string in a column's dictionary,
repeated by every row, zstd-compressed, or millions of zeros per row in a list column. So:
the least decoded size of every row group comes from the values its metadata counts, and a
file whose sum passes the dataset limit is refused before anything is decoded; a batch holds
as many rows as fit ``PARQUET_BATCH_BYTES`` by its row group's average; text and binary
values, nested ones too, are read as dictionaries (the compact form the file holds); each
row's decoded size is worked out from them, and the rows are decoded a slice of at most
``PARQUET_BATCH_BYTES`` at a time, the file's running total bounded by the dataset limit.
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
#: The fewest bytes a decoded value of each physical type takes (text: its dictionary index).
_LEAST_VALUE_BYTES = {"BOOLEAN": 1, "INT32": 4, "INT64": 8, "INT96": 8, "FLOAT": 4,
                      "DOUBLE": 8, "BYTE_ARRAY": 4}


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
        leaves = [parquet.schema.column(i) for i in range(len(parquet.schema))]
        batch_rows = _batch_rows(parquet.metadata, leaves, max_bytes)
        compact = [leaf.path for leaf in leaves if leaf.physical_type == "BYTE_ARRAY"]
        parquet = pq.ParquetFile(raw, metadata=parquet.metadata, read_dictionary=compact)
        decoded = 0
        for batch in parquet.iter_batches(batch_size=batch_rows):
            sizes = _row_sizes(batch)
            decoded += int(sizes.sum())
            if decoded > max_bytes:
                raise _too_large(max_bytes)
            for start, stop in _slices(sizes, PARQUET_BATCH_BYTES):
                yield _plain(batch.slice(start, stop - start), schema)
    except (pa.ArrowException, OSError) as exc:
        raise bad_input(f"the Parquet file is damaged: {exc}") from None


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the Parquet file decodes to over {max_bytes} bytes, the dataset "
                           "limit", details={"limit": max_bytes})


def _batch_rows(metadata: pq.FileMetaData, leaves: list[pq.ColumnSchema], max_bytes: int) -> int:
    """Rows per batch, so that a batch of the densest row group decodes to about
    ``PARQUET_BATCH_BYTES``; ``PayloadTooLarge`` when the values the metadata counts already
    pass ``max_bytes``."""
    widths = [max(leaf.length or 0, 16) if leaf.physical_type == "FIXED_LEN_BYTE_ARRAY"
              else _LEAST_VALUE_BYTES[leaf.physical_type] for leaf in leaves]
    total = 0
    densest = 1.0  # bytes per row
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        least = sum(group.column(i).num_values * width for i, width in enumerate(widths))
        total += least
        if group.num_rows:
            densest = max(densest, least / group.num_rows)
    if total > max_bytes:
        raise _too_large(max_bytes)
    return int(min(PARQUET_BATCH_ROWS, max(1, PARQUET_BATCH_BYTES // densest)))


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
    """Each row's decoded bytes, summed over the batch's columns."""
    sizes = np.zeros(batch.num_rows, dtype=np.int64)
    for column in batch.columns:
        sizes += _value_sizes(column)
    return sizes


def _value_sizes(array: pa.Array) -> np.ndarray:
    """The decoded bytes of each of an array's values: exact for text read as dictionaries and
    for the lists and structs holding it, the average for anything else."""
    if len(array) == 0:
        return np.zeros(0, dtype=np.int64)
    if pa.types.is_dictionary(array.type):
        lengths = pc.binary_length(array.dictionary).fill_null(0).to_numpy(zero_copy_only=False)
        indices = array.indices.fill_null(0).to_numpy(zero_copy_only=False)
        return lengths[indices].astype(np.int64) if len(lengths) else np.zeros(len(array), np.int64)
    if isinstance(array, (pa.ListArray, pa.LargeListArray)):  # maps too
        offsets = array.offsets.to_numpy(zero_copy_only=False)
        inner = np.concatenate(([0], np.cumsum(_value_sizes(array.values))))
        return inner[offsets[1:]] - inner[offsets[:-1]] + 4
    if isinstance(array, pa.FixedSizeListArray):
        size = array.type.list_size
        inner = _value_sizes(array.values.slice(array.offset * size, len(array) * size))
        return inner.reshape(len(array), size).sum(axis=1)
    if isinstance(array, pa.StructArray):
        return sum((_value_sizes(field) for field in array.flatten()),
                   start=np.zeros(len(array), dtype=np.int64))
    return np.full(len(array), array.nbytes // len(array), dtype=np.int64)


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
    """The batch with the values read as dictionaries back in the file's own types."""
    types = [schema.field(name).type for name in batch.schema.names]
    columns = [column if column.type == type_ else column.cast(type_)
               for column, type_ in zip(batch.columns, types)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)
