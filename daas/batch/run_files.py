"""Where a run keeps its files: ``runs/<run id>/`` under the storage URI.

- ``part-<chunk id:05d>.parquet``: one scored chunk, written atomically (temporary name,
  then move), so a part file exists completely or not at all;
- ``_plan.json``: the run's frozen plan, so a continued run scores exactly the same chunks;
- ``_stop``: written by the driver when the run should pause or stop; scorers skip chunks
  they have not started.

Files starting with ``_`` or ``.`` are not data: Parquet readers (pyarrow datasets, Ray
Data) skip them.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from daas.batch.chunks import folder_path
from daas.store.artifacts import ArtifactStore

_PLAN = "_plan.json"
_STOP = "_stop"
_TEMPORARY = ".tmp-"


def run_key(run_id: int) -> str:
    """Storage key of a run's output folder (also the output dataset's ``storage_key``)."""
    return f"runs/{run_id}"


def part_name(chunk_id: int) -> str:
    """File name of a chunk's scored rows."""
    return f"part-{chunk_id:05d}.parquet"


class RunFiles:
    """The files of one run in an artifact store."""

    def __init__(self, store: ArtifactStore, run_id: int) -> None:
        self.fs: pafs.FileSystem = store.fs
        self.key = run_key(run_id)
        self.folder = folder_path(store.root, self.key)

    def _path(self, name: str) -> str:
        return f"{self.folder}/{name}"

    def _exists(self, name: str) -> bool:
        return self.fs.get_file_info(self._path(name)).type == pafs.FileType.File

    def _names(self) -> list[str]:
        if self.fs.get_file_info(self.folder).type != pafs.FileType.Directory:
            return []
        selector = pafs.FileSelector(self.folder, recursive=False)
        return sorted(info.base_name for info in self.fs.get_file_info(selector)
                      if info.type == pafs.FileType.File)

    # -- parts ----------------------------------------------------------------------------

    def has_part(self, chunk_id: int) -> bool:
        """Whether the chunk has been scored."""
        return self._exists(part_name(chunk_id))

    def done_chunks(self) -> set[int]:
        """Ids of every scored chunk."""
        return {int(name[len("part-"):-len(".parquet")]) for name in self._names()
                if name.startswith("part-") and name.endswith(".parquet")}

    def write_part(self, chunk_id: int, table: pa.Table) -> None:
        """Write a chunk's output atomically."""
        self._write_atomically(part_name(chunk_id),
                               lambda stream: pq.write_table(table, stream))

    def part_sizes(self) -> int:
        """Total bytes of the part files."""
        selector = pafs.FileSelector(self.folder, recursive=False)
        return sum(info.size or 0 for info in self.fs.get_file_info(selector)
                   if info.base_name.startswith("part-") and info.base_name.endswith(".parquet"))

    def read_part(self, chunk_id: int, columns: list[str] | None = None) -> pa.Table:
        """A scored chunk (only ``columns`` when given)."""
        with self.fs.open_input_file(self._path(part_name(chunk_id))) as handle:
            return pq.read_table(handle, columns=columns)

    def remove_temporary_files(self) -> None:
        """Drop half-written files left by a scorer that was killed mid-write."""
        for name in self._names():
            if name.startswith(_TEMPORARY):
                self.fs.delete_file(self._path(name))

    # -- plan and stop marker -------------------------------------------------------------

    def read_plan(self) -> dict[str, Any] | None:
        """The saved plan, or None before the run's first start."""
        if not self._exists(_PLAN):
            return None
        with self.fs.open_input_stream(self._path(_PLAN)) as stream:
            return json.loads(stream.read())

    def write_plan(self, plan: dict[str, Any]) -> None:
        """Save the plan (atomically)."""
        data = json.dumps(plan, indent=1).encode()
        self._write_atomically(_PLAN, lambda stream: stream.write(data))

    def request_stop(self) -> None:
        """Ask scorers to skip chunks they have not started."""
        if not self.stop_requested():
            self._write_atomically(_STOP, lambda stream: stream.write(b"stop\n"))

    def stop_requested(self) -> bool:
        """Whether the driver asked scorers to stop."""
        return self._exists(_STOP)

    def clear_stop(self) -> None:
        """Let scorers work again (a continued run)."""
        if self.stop_requested():
            self.fs.delete_file(self._path(_STOP))

    def _write_atomically(self, name: str, write) -> None:
        self.fs.create_dir(self.folder, recursive=True)
        temporary = self._path(f"{_TEMPORARY}{uuid.uuid4().hex}")
        try:
            with self.fs.open_output_stream(temporary) as stream:
                write(stream)
            self.fs.move(temporary, self._path(name))
        except BaseException:
            try:
                self.fs.delete_file(temporary)
            except OSError:
                pass
            raise
