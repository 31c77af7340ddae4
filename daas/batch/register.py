"""Record a run's output folder as a dataset."""

from __future__ import annotations

from sqlmodel import select

from daas.errors import Conflict
from daas.store.db import Database
from daas.store.tables import Dataset


def register_run_output(db: Database, *, group_id: int, name: str, run_id: int, storage_key: str,
                        rows: int, columns: list[dict[str, str]], size_bytes: int,
                        created_by: str | None = None) -> Dataset:
    """Insert the ``Dataset`` row of a run's output (``origin_format="job"``, ``source="run:<id>"``)
    in group ``group_id`` (the job's).

    Registering the same run again returns the existing row; a name used by another
    dataset of the group is a ``Conflict``.
    """
    source = f"run:{run_id}"
    with db.write() as session:
        existing = session.exec(select(Dataset).where(
            Dataset.group_id == group_id, Dataset.name == name)).first()
        if existing is not None:
            if existing.source == source:
                return existing
            raise Conflict(f"a dataset named {name!r} already exists; choose another "
                           "output_dataset", details={"field": "output_dataset"})
        row = Dataset(group_id=group_id, name=name, origin_format="job", source=source, storage_key=storage_key,
                      size_bytes=size_bytes, rows=rows, columns=columns, created_by=created_by)
        session.add(row)
        session.flush()
        return row
