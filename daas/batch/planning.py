"""Check a run against the database and storage, and build its plan — before scoring anything."""

from __future__ import annotations

import pyarrow.parquet as pq
from sqlmodel import select

from daas.batch.chunks import describe_parts, folder_path, list_part_files, plan_chunks
from daas.batch.config import parse_config
from daas.batch.plan import ModelRef, RunPlan
from daas.errors import Conflict, InvalidInput, NotFound
from daas.platform.batch_jobs.tables import Dataset, Job, JobRun
from daas.platform.db import Database
from daas.platform.registry import ModelRegistry
from daas.platform.services.tables import Service
from daas.platform.storage import ArtifactStore

EVALUATED_TASKS = ("classification", "regression", "clustering")


def prepare_plan(db: Database, store: ArtifactStore, run: JobRun, job: Job) -> RunPlan:
    """The plan of a run's first start; raises a ``DaasError`` naming what is wrong."""
    config = parse_config(job.kind, _with_service_model(db, job.config))
    model = resolve_model(db, store, config.model, config.version)
    output_dataset = run.output_dataset or config.output_dataset
    if job.kind == "evaluate":
        _check_evaluable(model, config.label_column)
    dataset = _dataset(db, config.input_dataset)
    if output_dataset:
        check_output_name(db, output_dataset, run.id)
    folder = folder_path(store.root, dataset.storage_key)
    columns = _dataset_columns(store, folder, dataset.name)
    _check_columns(model, config, columns, dataset.name)
    chunks = plan_chunks(describe_parts(store.fs, folder), config.chunk_rows)
    if not chunks:
        raise InvalidInput(f"the input dataset {dataset.name!r} has no rows", field="input_dataset")
    return RunPlan(
        run_id=run.id, job=job.name, kind=job.kind, model=model,
        input_dataset=dataset.name, input_key=dataset.storage_key, input_columns=columns,
        passthrough=config.passthrough, label_column=config.label_column,
        output_dataset=output_dataset, batch_size=config.batch_size,
        concurrency=config.concurrency, num_cpus=config.num_cpus,
        chunks=[chunk.to_dict() for chunk in chunks],
    )


def _with_service_model(db: Database, config: dict) -> dict:
    """A config naming a service scores with the model version that service serves now."""
    if not config.get("service"):
        return config
    with db.read() as session:
        service = session.exec(select(Service).where(Service.name == config["service"])).first()
    if service is None:
        raise NotFound(f"no service named {config['service']!r}")
    resolved = {key: value for key, value in config.items() if key != "service"}
    return {**resolved, "model": service.model_name, "version": service.model_version}


def resolve_model(db: Database, store: ArtifactStore, name: str, version: int | None) -> ModelRef:
    """The model version to score with (the latest one when ``version`` is None)."""
    registry = ModelRegistry(db, store, worker=None, max_upload_bytes=1)  # reads only
    _model, row = registry.resolve(name, version)
    return ModelRef(name=name, version=row.version, format=row.format,
                    storage_key=row.storage_key, sha256=row.sha256, task=row.task,
                    schema_=row.schema_)


def check_output_name(db: Database, name: str, run_id: int) -> None:
    """Refuse an output dataset name another dataset already has."""
    with db.read() as session:
        existing = session.exec(select(Dataset).where(Dataset.name == name)).first()
    if existing is not None and existing.source != f"run:{run_id}":
        raise Conflict(f"a dataset named {name!r} already exists; choose another output_dataset",
                       details={"field": "output_dataset"})


def _dataset(db: Database, name: str) -> Dataset:
    with db.read() as session:
        dataset = session.exec(select(Dataset).where(Dataset.name == name)).first()
    if dataset is None:
        raise NotFound(f"no dataset named {name!r}", details={"field": "input_dataset"})
    return dataset


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


def _check_columns(model: ModelRef, config, columns: list[str], dataset: str) -> None:
    needed = [v.name for v in model.schema.inputs if v.required]
    needed += config.passthrough
    if config.label_column:
        needed.append(config.label_column)
    missing = list(dict.fromkeys(name for name in needed if name not in columns))
    if missing:
        raise InvalidInput(f"the input dataset {dataset!r} lacks column(s) the job needs: "
                           f"{', '.join(missing)}", details={"missing": missing})
