"""The model registry: upload, list, inspect, delete — storage and metadata kept in step.

A rejected upload leaves neither a row nor a file behind; a file is removed only when
no version references its digest any more. Both checks run inside write transactions,
which serialize, so an upload and a delete of the same bytes cannot race.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from daas.errors import Conflict, InvalidInput, InvalidModel, PayloadTooLarge
from daas.platform.ports import ModelWorker
from daas.platform.registry.schemas import (
    ModelDetail,
    ModelPage,
    ModelPublic,
    ModelVersionPublic,
)
from daas.runtimes import detect_format
from daas.runtimes.base import ModelSchema
from daas.store.artifacts import ArtifactRef, ArtifactStore
from daas.store.db import Database
from daas.store.tables import (
    Group,
    Model,
    ModelVersion,
    model_row,
    resolve_version,
    utcnow,
    version_row,
    version_rows,
)

NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$")


def check_name(name: str, what: str = "model name", field: str = "name") -> str:
    """Accept only short names of letters, digits, '.', '_' and '-' (no paths).

    The rule of model names, also applied to datasets, jobs and output datasets; the error
    says ``what`` was invalid and names ``field``.
    """
    if not NAME.fullmatch(name or "") or ".." in name:
        raise InvalidInput(
            f"invalid {what} {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit",
            field=field,
        )
    return name


@dataclass
class Upload:
    """An uploaded model file and what the user said about it."""

    group_id: int
    name: str
    data: bytes
    filename: str | None = None
    description: str | None = None
    declared_format: str | None = None
    created_by: str | None = None


class ModelRegistry:
    """Models and their versions over a database, a store and a model worker."""

    def __init__(self, db: Database, store: ArtifactStore, worker: ModelWorker,
                 max_upload_bytes: int) -> None:
        self.db = db
        self.store = store
        self.worker = worker
        self.max_upload_bytes = max_upload_bytes
        #: Versions of a group's (id) model (name) that services use (set by the services
        #: layer); never deleted.
        self.in_use: Callable[[int, str], set[int]] = lambda _group_id, _name: set()

    # --- writes ---------------------------------------------------------------------

    def upload(self, upload: Upload) -> ModelVersionPublic:
        """Validate, inspect in isolation, store and record a new version."""
        check_name(upload.name)
        if len(upload.data) > self.max_upload_bytes:
            raise PayloadTooLarge(
                f"the file is {len(upload.data)} bytes; the limit is {self.max_upload_bytes}"
            )
        if not upload.data:
            raise InvalidModel("the file is empty")
        fmt = detect_format(upload.filename, upload.data, upload.declared_format)
        schema = self.worker.inspect(fmt, upload.data)
        digest, key = self.store.put_model(upload.data)
        try:
            return self._record(upload, schema, digest, key)
        except BaseException:
            self._drop_file_if_unreferenced(digest, key)
            raise

    def _record(self, upload: Upload, schema: ModelSchema, digest: str, key: str) -> ModelVersionPublic:
        with self.db.write() as session:
            model = session.exec(select(Model).where(Model.group_id == upload.group_id,
                                                     Model.name == upload.name)).first()
            if model is None:
                model = Model(group_id=upload.group_id, name=upload.name,
                              description=upload.description,
                              created_by=upload.created_by)
                session.add(model)
                session.flush()
            else:
                model.updated = utcnow()
                if upload.description:
                    model.description = upload.description
                session.add(model)
            latest = session.exec(
                select(func.max(ModelVersion.version)).where(ModelVersion.model_id == model.id)
            ).one()
            row = ModelVersion(
                model_id=model.id,
                version=(latest or 0) + 1,
                description=upload.description,
                format=schema.format,
                engine=schema.engine,
                algorithm=schema.algorithm,
                task=schema.task,
                schema_=schema.model_dump(mode="json"),
                filename=upload.filename,
                size=len(upload.data),
                sha256=digest,
                storage_key=key,
                created_by=upload.created_by,
            )
            session.add(row)
            if not self.store.exists(key):  # a concurrent delete removed it before our lock
                self.store.put(key, upload.data)
            session.flush()
            return _version_public(model, row, _group_name(session, model.group_id))

    def _refuse_if_in_use(self, group_id: int, name: str, versions: set[int]) -> None:
        used = sorted(self.in_use(group_id, name) & versions)
        if used:
            raise Conflict(f"model {name!r} version(s) {', '.join(map(str, used))} are used by "
                           "services; delete or switch those services first", details={"versions": used})

    def delete_version(self, group_id: int, name: str, version: int) -> None:
        """Delete one version; the model goes too when it was the last one."""
        self._refuse_if_in_use(group_id, name, {version})
        with self.db.write() as session:
            model = model_row(session, group_id, name)
            row = version_row(session, model, version)
            session.delete(row)
            session.flush()
            if not session.exec(select(ModelVersion.id).where(ModelVersion.model_id == model.id)).first():
                session.delete(model)
            self._delete_unreferenced(session, [(row.sha256, row.storage_key)])

    def delete_model(self, group_id: int, name: str) -> None:
        """Delete a model with every version."""
        with self.db.write() as session:
            model = model_row(session, group_id, name)
            rows = list(session.exec(select(ModelVersion).where(ModelVersion.model_id == model.id)))
            self._refuse_if_in_use(group_id, name, {row.version for row in rows})
            for row in rows:
                session.delete(row)
            session.flush()  # versions first: the foreign key forbids the reverse order
            session.delete(model)
            session.flush()
            self._delete_unreferenced(session, [(r.sha256, r.storage_key) for r in rows])

    def _delete_unreferenced(self, session, files: list[tuple[str, str]]) -> None:
        for digest, key in set(files):
            if not session.exec(select(ModelVersion.id).where(ModelVersion.sha256 == digest)).first():
                self.store.delete(key)

    def _drop_file_if_unreferenced(self, digest: str, key: str) -> None:
        with self.db.write() as session:
            self._delete_unreferenced(session, [(digest, key)])

    # --- reads ----------------------------------------------------------------------

    def list(self, group_ids: set[int] | None, *, q: str | None = None, fmt: str | None = None,
             task: str | None = None, offset: int = 0, limit: int = 50) -> ModelPage:
        """A page of the models of ``group_ids`` (None: every group), newest-updated first,
        filtered on name/description, format, task."""
        latest = (
            select(ModelVersion.model_id, func.max(ModelVersion.version).label("latest"),
                   func.count(ModelVersion.id).label("count"))
            .group_by(ModelVersion.model_id)
            .subquery()
        )
        query = (
            select(Model, ModelVersion, latest.c.count)
            .join(latest, latest.c.model_id == Model.id)
            .join(ModelVersion, (ModelVersion.model_id == Model.id)
                  & (ModelVersion.version == latest.c.latest))
        )
        if group_ids is not None:
            query = query.where(col(Model.group_id).in_(group_ids))
        if q:
            pattern = f"%{q.lower()}%"
            query = query.where(func.lower(Model.name).like(pattern)
                                | func.lower(func.coalesce(Model.description, "")).like(pattern))
        if fmt:
            query = query.where(ModelVersion.format == fmt.lower())
        if task:
            query = query.where(ModelVersion.task == task.lower())
        with self.db.read() as session:
            total = session.exec(select(func.count()).select_from(query.subquery())).one()
            rows = session.exec(
                query.order_by(col(Model.updated).desc(), col(Model.id).desc()).offset(offset).limit(limit)
            ).all()
            names = dict(session.exec(select(Group.id, Group.name).where(
                col(Group.id).in_({model.group_id for model, _version, _count in rows}))).all())
        items = [_model_public(model, version, count, names[model.group_id])
                 for model, version, count in rows]
        return ModelPage(items=items, total=total, offset=offset, limit=limit)

    def detail(self, group_id: int, name: str) -> ModelDetail:
        """A model of the group with all its versions, newest first."""
        with self.db.read() as session:
            model = model_row(session, group_id, name)
            rows = version_rows(session, model)
            group = _group_name(session, group_id)
        summary = _model_public(model, rows[0], len(rows), group)
        return ModelDetail(**summary.model_dump(),
                           versions=[_version_public(model, r, group) for r in rows])

    def versions(self, group_id: int, name: str) -> list[ModelVersionPublic]:
        """Every version of a model of the group, newest first."""
        with self.db.read() as session:
            model = model_row(session, group_id, name)
            group = _group_name(session, group_id)
            return [_version_public(model, r, group) for r in version_rows(session, model)]

    def version(self, group_id: int, name: str, version: int | None = None) -> ModelVersionPublic:
        """One version (the latest when ``version`` is None)."""
        with self.db.read() as session:
            model, row = resolve_version(session, group_id, name, version)
            return _version_public(model, row, _group_name(session, group_id))

    def schema(self, group_id: int, name: str, version: int | None = None) -> ModelSchema:
        """The stored schema of a version."""
        _model, row = self.resolve(group_id, name, version)
        return ModelSchema.model_validate(row.schema_)

    def artifact(self, group_id: int, name: str,
                 version: int | None = None) -> tuple[ModelVersion, ArtifactRef]:
        """A version row and the reference a worker needs to load its file."""
        _model, row = self.resolve(group_id, name, version)
        return row, ArtifactRef(self.store.uri, row.storage_key, row.sha256, row.format)

    def file(self, group_id: int, name: str, version: int) -> tuple[ModelVersion, bytes]:
        """A version row and its file bytes."""
        _model, row = self.resolve(group_id, name, version)
        return row, self.store.get(row.storage_key)

    def resolve(self, group_id: int, name: str, version: int | None) -> tuple[Model, ModelVersion]:
        """The model row of the group and the requested (or latest) version row."""
        with self.db.read() as session:
            return resolve_version(session, group_id, name, version)


def _group_name(session, group_id: int) -> str:
    return session.exec(select(Group.name).where(Group.id == group_id)).one()


def _version_public(model: Model, row: ModelVersion, group: str) -> ModelVersionPublic:
    return ModelVersionPublic(
        name=model.name, group=group, version=row.version, description=row.description, format=row.format,
        engine=row.engine, algorithm=row.algorithm, task=row.task, filename=row.filename,
        size=row.size, sha256=row.sha256, created=row.created, created_by=row.created_by,
    )


def _model_public(model: Model, latest: ModelVersion, count: int, group: str) -> ModelPublic:
    return ModelPublic(
        name=model.name, group=group, description=model.description, created=model.created,
        updated=model.updated, created_by=model.created_by, latest_version=latest.version,
        versions_count=count, format=latest.format, task=latest.task, algorithm=latest.algorithm,
    )
