"""Split a dataset's Parquet part files into row-range chunks, and read one chunk back.

Planning reads only Parquet footers. A chunk never spans two part files; it groups whole
row groups up to ``chunk_rows`` rows, and a row group larger than that is cut into equal
slices. Chunk ids count from 0 in file-name order, so the same files and ``chunk_rows``
always give the same chunks.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

#: Default rows per chunk: large enough to amortise a task, small enough to pause quickly.
DEFAULT_CHUNK_ROWS = 100_000
_READ_BATCH_ROWS = 65_536


@dataclass(frozen=True)
class PartFile:
    """A Parquet file of a dataset and the row counts of its row groups."""

    name: str
    row_groups: tuple[int, ...]


@dataclass(frozen=True)
class Chunk:
    """Rows ``[skip, skip + rows)`` of the concatenated ``row_groups`` of one part file."""

    id: int
    file: str
    row_groups: tuple[int, ...]
    skip: int
    rows: int
    start: int  # position of the chunk's first row in the whole dataset

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        return cls(**{**data, "row_groups": tuple(data["row_groups"])})


def folder_path(root: str, key: str) -> str:
    """The filesystem path of a storage key under a store's root."""
    return f"{root.rstrip('/')}/{key.strip('/')}"


def list_part_files(fs: pafs.FileSystem, folder: str) -> list[str]:
    """Names of the ``*.parquet`` files directly in ``folder``, in name order."""
    info = fs.get_file_info(folder)
    if info.type != pafs.FileType.Directory:
        return []
    entries = fs.get_file_info(pafs.FileSelector(folder, recursive=False))
    return sorted(entry.base_name for entry in entries
                  if entry.type == pafs.FileType.File and entry.base_name.endswith(".parquet")
                  and not entry.base_name.startswith((".", "_")))


def describe_parts(fs: pafs.FileSystem, folder: str) -> list[PartFile]:
    """Every part file of a dataset folder with its row-group sizes (footers only)."""
    parts = []
    for name in list_part_files(fs, folder):
        with fs.open_input_file(f"{folder}/{name}") as handle:
            metadata = pq.ParquetFile(handle).metadata
            sizes = tuple(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups))
        parts.append(PartFile(name, sizes))
    return parts


def plan_chunks(parts: list[PartFile], chunk_rows: int = DEFAULT_CHUNK_ROWS) -> list[Chunk]:
    """Chunks of at most ``chunk_rows`` rows covering every row of ``parts`` once, in order."""
    if chunk_rows <= 0:
        raise ValueError("chunk_rows must be positive")
    chunks: list[Chunk] = []
    start = 0

    def emit(file: str, groups: tuple[int, ...], skip: int, rows: int) -> None:
        nonlocal start
        chunks.append(Chunk(len(chunks), file, groups, skip, rows, start))
        start += rows

    for part in parts:
        pending: list[int] = []
        pending_rows = 0
        for group, size in enumerate(part.row_groups):
            if size == 0:
                continue
            if pending and pending_rows + size > chunk_rows:
                emit(part.name, tuple(pending), 0, pending_rows)
                pending, pending_rows = [], 0
            if size <= chunk_rows:
                pending.append(group)
                pending_rows += size
                continue
            pieces = math.ceil(size / chunk_rows)
            offset = 0
            for piece in range(pieces):
                rows = size // pieces + (1 if piece < size % pieces else 0)
                emit(part.name, (group,), offset, rows)
                offset += rows
        if pending:
            emit(part.name, tuple(pending), 0, pending_rows)
    return chunks


def read_chunk(fs: pafs.FileSystem, folder: str, chunk: Chunk,
               columns: list[str] | None = None) -> pa.Table:
    """The chunk's rows (only ``columns`` when given) as one table."""
    with fs.open_input_file(f"{folder}/{chunk.file}") as handle:
        parquet = pq.ParquetFile(handle)
        group_rows = sum(parquet.metadata.row_group(g).num_rows for g in chunk.row_groups)
        if chunk.skip == 0 and group_rows == chunk.rows:
            return parquet.read_row_groups(list(chunk.row_groups), columns=columns)
        return _read_slice(parquet, chunk, columns)


def _read_slice(parquet: pq.ParquetFile, chunk: Chunk, columns: list[str] | None) -> pa.Table:
    """Stream the row groups and keep only the chunk's slice (bounded memory)."""
    wanted_start, wanted_stop = chunk.skip, chunk.skip + chunk.rows
    position = 0
    kept: list[pa.RecordBatch] = []
    for batch in parquet.iter_batches(batch_size=_READ_BATCH_ROWS,
                                      row_groups=list(chunk.row_groups), columns=columns):
        stop = position + batch.num_rows
        if stop > wanted_start and position < wanted_stop:
            begin = max(wanted_start - position, 0)
            kept.append(batch.slice(begin, min(wanted_stop, stop) - position - begin))
        position = stop
        if position >= wanted_stop:
            break
    schema = parquet.schema_arrow
    if columns is not None:
        schema = pa.schema([schema.field(name) for name in columns])
    return pa.Table.from_batches(kept, schema=schema)
