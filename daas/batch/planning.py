"""Check a run against the database and storage, and build its plan — before scoring anything.

A job's model, service, input and output datasets are all looked up in the job's group.
"""

from __future__ import annotations

import pyarrow.parquet as pq
from sqlmodel import select

from daas.batch.chunks import describe_parts, folder_path, list_part_files, plan_chunks
from daas.batch.config import BATCH_KINDS, ModelJobConfig, parse_config
from daas.batch.plan import ModelRef, RunPlan
from daas.errors import Conflict, InvalidInput, NotFound
from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from daas.store.tables import Dataset, Job, JobRun, Model, Service, resolve_version

EVALUATED_TASKS = ("classification", "regression", "clustering")


def prepare_plan(db: Database, store: ArtifactStore, run: JobRun, job: Job) -> RunPlan:
    """The plan of a run's first start; raises a ``DaasError`` naming what is wrong."""
    if job.kind not in BATCH_KINDS:
        raise InvalidInput(f"job kind {job.kind!r} is not run by the batch driver "
                           f"(it runs {', '.join(BATCH_KINDS)})", field="kind")
    config = parse_config(job.kind, job.config)
    group_id = job.group_id
    model = resolve_model(db, group_id, config)
    output_dataset = run.output_dataset or config.output_dataset
    if job.kind == "evaluate":
        _check_evaluable(model, config.label)
    source = dataset(db, group_id, config.input_dataset)
    if output_dataset:
        check_output_free(db, group_id, output_dataset, run.id)
    folder = folder_path(store.root, source.storage_key)
    columns = _dataset_columns(store, folder, source.name)
    _check_columns(model, config, columns, source.name)
    chunks = plan_chunks(describe_parts(store.fs, folder), config.chunk_rows)
    if not chunks:
        raise InvalidInput(f"the input dataset {source.name!r} has no rows", field="input_dataset")
    return RunPlan(
        run_id=run.id, group_id=group_id, job=job.name, kind=job.kind, model=model,
        input_dataset=source.name, input_key=source.storage_key, input_columns=columns,
        passthrough=config.passthrough, label_column=config.label,
        output_dataset=output_dataset, batch_size=config.batch_size,
        concurrency=config.concurrency, num_cpus=config.num_cpus,
        chunks=[chunk.to_dict() for chunk in chunks],
    )


def resolve_model(db: Database, group_id: int, config: ModelJobConfig) -> ModelRef:
    """The model version a config names (latest if unversioned), or the one its service serves now.

    Model and service are those of group ``group_id`` (the job's); ``NotFound`` names the
    config field that points nowhere.
    """
    name, version = config.model, config.version
    with db.read() as session:
        if config.service is not None:
            service = session.exec(select(Service).where(Service.name == config.service)).first()
            if service is None or service.desired == "deleted" or service.group_id != group_id:
                raise NotFound(f"no service named {config.service!r} in the job's group",
                               details={"field": "config.service"})
            name, version = service.model_name, service.model_version
        try:
            _model, row = resolve_version(session, group_id, name, version)
        except NotFound as exc:
            if config.service is not None:
                raise
            known = session.exec(select(Model.id).where(
                Model.group_id == group_id, Model.name == name)).first() is not None
            field = "config.version" if version is not None and known else "config.model"
            raise NotFound(str(exc), details={"field": field}) from None
    return ModelRef(name=name, version=row.version, format=row.format,
                    storage_key=row.storage_key, sha256=row.sha256, task=row.task,
                    schema_=row.schema_)


def check_output_free(db: Database, group_id: int, name: str, run_id: int | None = None) -> None:
    """Refuse an output dataset name that a dataset of the group has (other than this run's own)."""
    with db.read() as session:
        existing = session.exec(select(Dataset).where(
            Dataset.group_id == group_id, Dataset.name == name)).first()
    if existing is not None and (run_id is None or existing.source != f"run:{run_id}"):
        raise Conflict(f"a dataset named {name!r} exists already; delete it or choose another "
                       "output name ({run} or {date} in the name make one per run)",
                       details={"field": "config.output_dataset"})


def dataset(db: Database, group_id: int, name: str, field: str = "config.input_dataset") -> Dataset:
    """A dataset row of group ``group_id``, or ``NotFound`` naming the config field."""
    with db.read() as session:
        row = session.exec(select(Dataset).where(
            Dataset.group_id == group_id, Dataset.name == name)).first()
    if row is None:
        raise NotFound(f"no dataset named {name!r} in the job's group", details={"field": field})
    return row


def _dataset_columns(store: ArtifactStore, folder: str, name: str) -> list[str]:
    files = list_part_files(store.fs, folder)
    if not files:
        raise NotFound(f"the files of dataset {name!r} are missing from storage")
    with store.fs.open_input_file(f"{folder}/{files[0]}") as handle:
        return list(pq.ParquetFile(handle).schema_arrow.names)


def _check_evaluable(model: ModelRef, label_column: str | None) -> None:
    if model.task not in EVALUATED_TASKS:
        raise InvalidInput(f"evaluate runs on {', '.join(EVALUATED_TASKS)} models; "
                           f"{model.name} is a {model.task} model", field="model")
    if model.task != "clustering" and not label_column:
        raise InvalidInput(f"evaluating a {model.task} model needs 'label_column'",
                           field="label_column")


def _check_columns(model: ModelRef, config: ModelJobConfig, columns: list[str], dataset: str) -> None:
    needed = [v.name for v in model.schema.inputs if v.required]
    needed += config.passthrough
    if config.label:
        needed.append(config.label)
    missing = list(dict.fromkeys(name for name in needed if name not in columns))
    if missing:
        raise InvalidInput(f"the input dataset {dataset!r} lacks column(s) the job needs: "
                           f"{', '.join(missing)}", details={"missing": missing})
