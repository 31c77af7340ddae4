"""Streaming conversion of CSV, Parquet and JSON lines into Parquet part files.

Nothing is read whole: CSV comes block by block from pyarrow's streaming reader, JSON
lines in batches of lines, Parquet one record batch at a time, and the output rolls over
to a new part file every ``rows_per_part`` rows. Bad input raises ``InvalidInput`` naming
the line (``field="file"``, ``row=<line>``).

Column types come from the first block. When a later block needs a wider type (an integer
column holding ``2.5`` or ``n/a`` further down, a JSON key first seen late), conversion
starts over with that column widened, so that every part file has the same schema.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from daas.errors import InvalidInput
from daas.platform.datasets.parquet_reader import parquet_batches
from daas.platform.datasets.readers import READERS, Widen, bad_input, check_delimiter
from daas.store.artifacts import ArtifactStore

FORMATS = ("csv", "parquet", "jsonl")
_ALIASES = {"csv": "csv", "parquet": "parquet", "pq": "parquet",
            "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl"}

ROWS_PER_PART = 1_000_000
#: How often conversion may start over to widen a column before giving up.
MAX_RESTARTS = 32

#: Opens the input afresh, positioned at its start (conversion may read it more than once).
Opener = Callable[[], AbstractContextManager[BinaryIO]]


def format_from_name(name: str | None) -> str | None:
    """The format a file name or URL path implies by its extension, if any."""
    if not name or "." not in name:
        return None
    return _ALIASES.get(name.rsplit(".", 1)[1].lower())


def resolve_format(declared: str | None, name: str | None) -> str:
    """The declared format (``csv``, ``parquet``, ``jsonl`` or an alias), else the extension's."""
    if declared:
        fmt = _ALIASES.get(declared.strip().lower())
        if fmt is None:
            raise InvalidInput(f"unknown format {declared!r}: use one of {', '.join(FORMATS)}",
                               field="format")
        return fmt
    fmt = format_from_name(name)
    if fmt is None:
        raise InvalidInput(f"cannot tell the format of {name or 'the data'!r} from its name: "
                           f"give format as one of {', '.join(FORMATS)}", field="format")
    return fmt


@dataclass
class IngestResult:
    """What a conversion wrote."""

    rows: int
    schema: pa.Schema
    parts: list[str]


def ingest(open_source: Opener, fmt: str, store: ArtifactStore, folder: str, *,
           rows_per_part: int = ROWS_PER_PART, delimiter: str | None = None,
           max_bytes: int | None = None) -> IngestResult:
    """Convert the input into ``folder/part-00000.parquet``, ``part-00001.parquet``, ...

    ``delimiter`` is a CSV file's (``,`` ``;`` tab ``|``); without it the file's start
    tells. ``folder`` is emptied first; on failure it may hold partial parts (the caller
    removes it). ``max_bytes`` bounds what a Parquet file decodes to (a text file's size is
    its decoded size, checked before).
    """
    read = (partial(parquet_batches, max_bytes=max_bytes or sys.maxsize) if fmt == "parquet"
            else READERS[fmt])
    if delimiter is not None and fmt != "csv":
        raise InvalidInput(f"delimiter is for CSV files, not {fmt}", field="delimiter")
    if fmt == "csv":
        read = partial(read, delimiter=check_delimiter(delimiter))
    widened: dict[str, pa.DataType] = {}
    for _attempt in range(MAX_RESTARTS + 1):
        store.delete_dir(folder)
        writer = PartWriter(store, folder, rows_per_part)
        try:
            with open_source() as raw:
                for batch in read(raw, widened):
                    writer.write(batch)
            parts = writer.close()
        except Widen as widen:
            if widened.get(widen.column) == widen.type:
                raise bad_input(f"column {widen.column!r} holds values of more than one type") from None
            widened[widen.column] = widen.type
            continue
        finally:
            writer.abort()
        if writer.rows == 0:
            raise bad_input("the data has no rows")
        return IngestResult(writer.rows, writer.schema, parts)
    raise bad_input(f"the column types keep changing further down the file (columns "
               f"{', '.join(widened)}); make each column's values consistent")


class PartWriter:
    """Writes record batches into numbered Parquet part files, ``rows_per_part`` rows each."""

    def __init__(self, store: ArtifactStore, folder: str, rows_per_part: int) -> None:
        if rows_per_part < 1:
            raise ValueError("rows_per_part must be positive")
        self.store = store
        self.folder = folder.rstrip("/")
        self.rows_per_part = rows_per_part
        self.rows = 0
        self.schema: pa.Schema | None = None
        self.parts: list[str] = []
        self._stream: pa.NativeFile | None = None
        self._writer: pq.ParquetWriter | None = None
        self._rows_in_part = 0

    def write(self, batch: pa.RecordBatch) -> None:
        """Append rows, starting a new part file whenever the current one is full."""
        if self.schema is None:
            self.schema = batch.schema
        offset = 0
        while offset < batch.num_rows:
            if self._writer is None:
                self._open_part()
            take = min(batch.num_rows - offset, self.rows_per_part - self._rows_in_part)
            self._writer.write_batch(batch.slice(offset, take))
            offset += take
            self._rows_in_part += take
            self.rows += take
            if self._rows_in_part >= self.rows_per_part:
                self._close_part()

    def close(self) -> list[str]:
        """Finish the last part; returns the keys of every part written, in order."""
        self._close_part()
        return list(self.parts)

    def abort(self) -> None:
        """Close whatever is open without caring whether it completes."""
        for closeable in (self._writer, self._stream):
            try:
                if closeable is not None:
                    closeable.close()
            except Exception:  # noqa: BLE001 - already failing; the folder is discarded
                pass
        self._writer = self._stream = None

    def _open_part(self) -> None:
        key = f"{self.folder}/part-{len(self.parts):05d}.parquet"
        self._stream = self.store.open_output_stream(key)
        self._writer = pq.ParquetWriter(self._stream, self.schema)
        self.parts.append(key)
        self._rows_in_part = 0

    def _close_part(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._stream.close()
        self._writer = self._stream = None
