"""Datasets: tables stored as folders of Parquet part files, with a row each in the database.

A dataset lives in ``datasets/<uuid hex>/part-00000.parquet, part-00001.parquet, ...`` under
the storage URI (``Dataset.storage_key`` is the folder). Conversion writes into
``datasets/.tmp-<hex>/`` and the parts move to the final folder only when it succeeded; a
failed upload or import leaves neither files nor a row.

Every dataset belongs to one group and is named uniquely within it; methods take the group
(``GroupRef``). Group permissions are checked by the routes (``daas.platform.access.policy``).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select

from daas.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, TooManyRequests
from daas.platform.datasets import export as dataset_export
from daas.platform.datasets import parts as dataset_parts
from daas.platform.datasets.ingest import (
    ROWS_PER_PART,
    format_from_name,
    ingest,
    resolve_format,
)
from daas.platform.datasets.object_stores import ObjectStoreCredentials
from daas.platform.datasets.sources import (
    ImportPolicy,
    Source,
    upload_source,
    url_source,
)
from daas.platform.access.groups import GroupService
from daas.platform.access.policy import Action, GroupRef, Principal, allowed
from daas.platform.datasets.url_guard import AllowList
from daas.platform.registry.registry import check_name
from daas.settings import Settings
from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from daas.store.tables import Dataset

DATASETS_FOLDER = "datasets"

#: Names of the jobs of a group (id) using its dataset (name), set by the jobs layer; such
#: datasets are not deleted.
DatasetUsers = Callable[[int, str], list[str]]


class DatasetColumn(SQLModel):
    """A column and its Arrow type, e.g. ``int64``, ``double``, ``string``, ``timestamp[s]``."""

    name: str
    type: str


class DatasetPublic(SQLModel):
    """A dataset as the API shows it."""

    name: str
    group: str
    origin_format: str
    source: str
    size_bytes: int
    rows: int
    columns: list[DatasetColumn]
    created: datetime
    created_by: str | None


class DatasetPage(SQLModel):
    """A page of datasets."""

    items: list[DatasetPublic]
    total: int
    offset: int
    limit: int


class DatasetPreview(SQLModel):
    """The first rows of a dataset, JSON-safe (NaN -> null, times as ISO text)."""

    columns: list[DatasetColumn]
    rows: list[dict[str, Any]]


def new_dataset_key() -> str:
    """A fresh folder for a dataset's part files: ``datasets/<uuid4 hex>``."""
    return f"{DATASETS_FOLDER}/{uuid.uuid4().hex}"


def _check_storage_key(key: str) -> str:
    cleaned = key.strip().strip("/")
    if not cleaned or any(part in ("", ".", "..") for part in cleaned.split("/")):
        raise InvalidInput(f"invalid storage key {key!r}", field="storage_key")
    return cleaned


class DatasetService:
    """Create, read and delete datasets over a database and an artifact store."""

    def __init__(self, db: Database, store: ArtifactStore, settings: Settings, *,
                 rows_per_part: int = ROWS_PER_PART, users: DatasetUsers | None = None) -> None:
        self.db = db
        self.store = store
        self.settings = settings
        self.rows_per_part = rows_per_part
        self.users: DatasetUsers = users or (lambda _group_id, _name: [])
        self.groups = GroupService(db)
        self._imports = threading.BoundedSemaphore(settings.max_concurrent_imports)

    @property
    def max_bytes(self) -> int:
        """Largest accepted upload or import."""
        return self.settings.max_dataset_bytes

    # --- writes ---------------------------------------------------------------------

    def upload(self, group: GroupRef, name: str, file: BinaryIO, filename: str | None = None,
               fmt: str | None = None, created_by: str | None = None, *,
               content_type: str | None = None) -> DatasetPublic:
        """Store an uploaded CSV, Parquet or JSON-lines file (seekable) as a dataset of ``group``."""
        return self.create(group, name, upload_source(file, filename, content_type), fmt, created_by)

    def import_url(self, group: GroupRef, name: str, url: str, fmt: str | None = None,
                   caller: Principal | None = None, *,
                   credentials: ObjectStoreCredentials | None = None) -> DatasetPublic:
        """Fetch ``url`` (http(s), s3, gs, or file under the import root) as a dataset of ``group``.

        http(s) reaches only public addresses and those ``DAAS_DATASET_IMPORT_ALLOW`` lists;
        s3/gs use ``credentials``, or the platform's own if ``may_use_platform_credentials``.
        """
        check_name(name, "dataset name")
        self._refuse_taken(group, name)
        if not self._imports.acquire(blocking=False):
            limit = self.settings.max_concurrent_imports
            raise TooManyRequests(f"{limit} URL imports are running, the most at once; retry "
                                  "when one has finished", retry_after=5, details={"limit": limit})
        try:
            with url_source(url, self._import_policy(group, caller), credentials) as source:
                return self.create(group, name, source, fmt, caller.name if caller else None)
        finally:
            self._imports.release()

    def may_use_platform_credentials(self, group: GroupRef, caller: Principal | None) -> bool:
        """Whether ``caller`` may import s3/gs objects into ``group`` with the platform's own
        credentials: ``DAAS_DATASET_IMPORT_PLATFORM_CREDENTIALS`` ``admin`` = platform admins,
        ``editor`` = members with change on the group, ``none`` = nobody."""
        setting = self.settings.dataset_import_platform_credentials
        if caller is None or setting == "none":
            return False
        if setting == "admin":
            return caller.platform_admin
        return allowed(caller, group.id, Action.CHANGE)

    def _import_policy(self, group: GroupRef, caller: Principal | None) -> ImportPolicy:
        return ImportPolicy(
            import_root=self.settings.dataset_import_root, max_bytes=self.max_bytes,
            allow=AllowList.parse(self.settings.dataset_import_allow),
            deadline_s=self.settings.dataset_import_deadline_s,
            platform_credentials=self.may_use_platform_credentials(group, caller))

    def create(self, group: GroupRef, name: str, source: Source, fmt: str | None,
               created_by: str | None = None) -> DatasetPublic:
        """Convert ``source`` to part files and record the dataset in ``group``."""
        check_name(name, "dataset name")
        fmt = _format_of(fmt, source)
        if source.size is not None and source.size > self.max_bytes:
            raise PayloadTooLarge(f"the data is {source.size} bytes; the limit is {self.max_bytes}",
                                  details={"limit": self.max_bytes})
        self._refuse_taken(group, name)
        key = new_dataset_key()
        staging = f"{DATASETS_FOLDER}/.tmp-{key.rsplit('/', 1)[1]}"
        try:
            result = ingest(source.open, fmt, self.store, staging, rows_per_part=self.rows_per_part,
                            max_bytes=self.max_bytes)
            for part in result.parts:
                self.store.move(part, f"{key}/{part.rsplit('/', 1)[1]}")
            return self._register(group, name, key, fmt, source.label, created_by)
        except BaseException:
            self.store.delete_dir(key)
            raise
        finally:
            self.store.delete_dir(staging)

    def register_existing(self, group: GroupRef, name: str, storage_key: str, *,
                          origin_format: str = "job", source: str,
                          created_by: str | None = None) -> DatasetPublic:
        """Record a folder of part files written elsewhere (a job's output) as a dataset of ``group``.

        Rows, columns and size come from the Parquet footers. The folder is not removed
        when registration fails; it is removed when the dataset is deleted.
        """
        check_name(name, "dataset name")
        return self._register(group, name, _check_storage_key(storage_key), origin_format,
                              source, created_by)

    def delete(self, group: GroupRef, name: str) -> None:
        """Delete a dataset's row and files; refused while a job of its group uses it."""
        self._row(group, name)
        users = sorted(self.users(group.id, name))
        if users:
            raise Conflict(f"dataset {name!r} is used by job(s) {', '.join(users)}; "
                           "delete or change those jobs first", details={"jobs": users})
        with self.db.write() as session:
            row = session.exec(select(Dataset).where(Dataset.group_id == group.id,
                                                     Dataset.name == name)).first()
            if row is None:
                raise _missing(group, name)
            session.delete(row)
        self.store.delete_dir(row.storage_key)

    def _register(self, group: GroupRef, name: str, key: str, origin_format: str, source: str,
                  created_by: str | None) -> DatasetPublic:
        # Described from the files as stored (Parquet has no seconds unit, for one).
        summary = dataset_parts.summarize(self.store, key)
        return self._insert(group, Dataset(
            group_id=group.id, name=name, origin_format=origin_format, source=source, storage_key=key,
            size_bytes=summary.size_bytes, rows=summary.rows, columns=_columns(summary.schema),
            created_by=created_by,
        ))

    def _refuse_taken(self, group: GroupRef, name: str) -> None:
        with self.db.read() as session:
            if session.exec(select(Dataset.id).where(Dataset.group_id == group.id,
                                                     Dataset.name == name)).first() is not None:
                raise _taken(group, name)

    def _insert(self, group: GroupRef, row: Dataset) -> DatasetPublic:
        try:
            with self.db.write() as session:
                if session.exec(select(Dataset.id).where(Dataset.group_id == group.id,
                                                         Dataset.name == row.name)).first():
                    raise _taken(group, row.name)
                session.add(row)
        except IntegrityError:
            raise _taken(group, row.name) from None
        return _public(row, group.name)

    # --- reads ----------------------------------------------------------------------

    def list(self, group_ids: set[int] | None, *, q: str | None = None, offset: int = 0,
             limit: int = 50) -> DatasetPage:
        """A page of the datasets of ``group_ids`` (None: every group), newest first, filtered
        on name or source."""
        query = select(Dataset)
        if group_ids is not None:
            query = query.where(col(Dataset.group_id).in_(group_ids))
        if q:
            pattern = f"%{q.lower()}%"
            query = query.where(func.lower(Dataset.name).like(pattern)
                                | func.lower(Dataset.source).like(pattern))
        with self.db.read() as session:
            total = session.exec(select(func.count()).select_from(query.subquery())).one()
            rows = session.exec(query.order_by(col(Dataset.created).desc(), col(Dataset.id).desc())
                                .offset(offset).limit(limit)).all()
        names = self.groups.names({row.group_id for row in rows})
        return DatasetPage(items=[_public(row, names.get(row.group_id, str(row.group_id)))
                                  for row in rows], total=total, offset=offset, limit=limit)

    def get(self, group: GroupRef, name: str) -> DatasetPublic:
        """One dataset's metadata."""
        return _public(self._row(group, name), group.name)

    def row(self, group: GroupRef, name: str) -> Dataset:
        """The table row (with ``storage_key`` and ``created_by``) for callers inside the platform."""
        return self._row(group, name)

    def columns_of(self, group: GroupRef, name: str) -> list[dict[str, str]]:
        """``[{"name", "type"}, ...]`` of a dataset."""
        return list(self._row(group, name).columns)

    def rows_of(self, group: GroupRef, name: str) -> int:
        """How many rows a dataset has."""
        return self._row(group, name).rows

    def part_keys(self, group: GroupRef, name: str) -> list[str]:
        """Storage keys of a dataset's part files, in reading order."""
        return dataset_parts.part_keys(self.store, self._row(group, name).storage_key)

    def preview(self, group: GroupRef, name: str, rows: int = 20) -> DatasetPreview:
        """The first ``rows`` rows."""
        row = self._row(group, name)
        summary = dataset_parts.summarize(self.store, row.storage_key)
        batches = dataset_parts.iter_batches(self.store, summary.parts, summary.schema,
                                             batch_rows=max(rows, 1))
        return DatasetPreview(columns=_columns(summary.schema),
                              rows=dataset_export.first_rows(batches, rows))

    def download(self, group: GroupRef, name: str, fmt: str) -> Iterator[bytes]:
        """The whole dataset as one CSV or Parquet byte stream.

        A single part file is streamed as stored; several are combined into one Parquet
        file written row group by row group while it streams.
        """
        if fmt not in ("csv", "parquet"):
            raise InvalidInput(f"unknown download format {fmt!r}: use csv or parquet", field="format")
        row = self._row(group, name)
        summary = dataset_parts.summarize(self.store, row.storage_key)
        if fmt == "parquet" and len(summary.parts) == 1:
            return dataset_export.file_stream(self.store.open_input_file(summary.parts[0]))
        batches = dataset_parts.iter_batches(self.store, summary.parts, summary.schema)
        if fmt == "csv":
            return dataset_export.csv_stream(summary.schema, batches)
        return dataset_export.parquet_stream(summary.schema, batches)

    def _row(self, group: GroupRef, name: str) -> Dataset:
        with self.db.read() as session:
            row = session.exec(select(Dataset).where(Dataset.group_id == group.id,
                                                     Dataset.name == name)).first()
        if row is None:
            raise _missing(group, name)
        return row


def _format_of(declared: str | None, source: Source) -> str:
    """The declared format, else the file extension's, else the Content-Type's."""
    if declared or format_from_name(source.name) or not source.content_format:
        return resolve_format(declared, source.name)
    return source.content_format


def _taken(group: GroupRef, name: str) -> Conflict:
    return Conflict(f"a dataset named {name!r} already exists in group {group.name!r}",
                    details={"name": name, "group": group.name})


def _missing(group: GroupRef, name: str) -> NotFound:
    return NotFound(f"no dataset named {name!r} in group {group.name!r}")


def _columns(schema) -> list[dict[str, str]]:
    return [{"name": field.name, "type": str(field.type)} for field in schema]


def _public(row: Dataset, group_name: str) -> DatasetPublic:
    return DatasetPublic(
        name=row.name, group=group_name, origin_format=row.origin_format, source=row.source,
        size_bytes=row.size_bytes, rows=row.rows,
        columns=[DatasetColumn(**column) for column in row.columns],
        created=row.created, created_by=row.created_by,
    )

