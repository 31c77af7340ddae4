"""A dataset's rows as JSON-safe records, a CSV stream or one Parquet stream.

Streams are built batch by batch through a small in-memory sink that is emptied after
every batch, so a download never holds more than one batch (no temporary files).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from daas.errors import InvalidInput

FILE_CHUNK_BYTES = 1024 * 1024


def json_safe(value: Any) -> Any:
    """A value JSON can carry: NaN/inf -> None, times -> ISO text, bytes -> base64."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return str(value)


def first_rows(batches: Iterable[pa.RecordBatch], limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` rows as JSON-safe records."""
    rows: list[dict[str, Any]] = []
    for batch in batches:
        for record in batch.slice(0, limit - len(rows)).to_pylist():
            rows.append({key: json_safe(value) for key, value in record.items()})
        if len(rows) >= limit:
            break
    return rows


class _Sink:
    """A write-only file collecting bytes until they are taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0
        self.closed = False

    def write(self, data) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def csv_stream(schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """CSV with one header line; refuses (before streaming) columns CSV cannot hold."""
    for field in schema:
        if pa.types.is_nested(field.type):
            raise InvalidInput(f"column {field.name!r} holds {field.type}, which CSV cannot "
                               "represent; download the dataset as Parquet", field="format")
    sink = _Sink()
    try:
        writer = pacsv.CSVWriter(pa.PythonFile(sink, mode="w"), schema)
    except pa.ArrowException as exc:
        raise InvalidInput(f"this dataset cannot be written as CSV ({exc}); download it as "
                           "Parquet", field="format") from None
    return _drain(writer, sink, batches)


def parquet_stream(schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """One Parquet file, a row group per batch, written as it streams."""
    sink = _Sink()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)
    return _drain(writer, sink, batches)


def _drain(writer, sink: _Sink, batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    finished = False
    try:
        for batch in batches:
            writer.write_batch(batch)
            if chunk := sink.take():
                yield chunk
        writer.close()
        finished = True
        yield sink.take()
    finally:
        if not finished:  # the client went away or reading failed: just let go
            try:
                writer.close()
            except pa.ArrowException:
                pass


def file_stream(handle: pa.NativeFile) -> Iterator[bytes]:
    """The bytes of an open file in chunks; closes it at the end."""
    try:
        while chunk := handle.read(FILE_CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()
