"""Check a job's configuration against what exists: models, services and datasets.

Run when a job is created or changed, and again when each run starts, because models,
services and datasets change in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlmodel import select

from daas.errors import Conflict, InvalidInput, NotFound
from daas.platform.batch_jobs.job_schemas import (
    CONFIG_MODELS,
    OUTPUT_PLACEHOLDERS,
    EvaluateJobConfig,
    ModelJobConfig,
)
from daas.platform.batch_jobs.tables import Dataset, Job
from daas.platform.db import Database
from daas.platform.registry import ModelRegistry, check_model_name
from daas.platform.services.tables import Service


@dataclass(frozen=True)
class ResolvedModel:
    """The model version a predict or evaluate run scores with."""

    name: str
    version: int
    format: str


def check_name(name: str, what: str, field: str) -> str:
    """Apply the model-name rules to another kind of name (job, dataset)."""
    try:
        return check_model_name(name)
    except InvalidInput:
        raise InvalidInput(f"invalid {what} {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                           "starting and ending with a letter or digit", field=field) from None


def parse_config(kind: str, config: dict) -> BaseModel:
    """The typed configuration of a job kind; errors name ``config.<field>``."""
    try:
        return CONFIG_MODELS[kind].model_validate(config)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = ".".join(["config", *(str(part) for part in error["loc"])])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{location}: {message}", field=location,
                           details={"errors": [{"field": ".".join(["config", *map(str, e["loc"])]),
                                                "message": e["msg"]} for e in exc.errors()]}) from None


def has_placeholder(template: str) -> bool:
    """Whether an output dataset name changes from run to run."""
    return any(placeholder in template for placeholder in OUTPUT_PLACEHOLDERS)


def output_name(template: str, run_id: int, when: datetime, tz: ZoneInfo) -> str:
    """The output dataset name of one run: ``{run}`` and ``{date}`` (YYYYMMDD) filled in."""
    return (template.replace("{run}", str(run_id))
            .replace("{date}", when.astimezone(tz).strftime("%Y%m%d")))


def check_output_template(template: str) -> None:
    """The name must be valid once its placeholders are filled in."""
    sample = template.replace("{run}", "1234567890").replace("{date}", "20250101")
    check_name(sample, "output dataset name", "config.output_dataset")


def resolve_model(db: Database, registry: ModelRegistry, config: ModelJobConfig) -> ResolvedModel:
    """The model version named in the config, or the one the named service serves now."""
    name, version = config.model, config.version
    if config.service is not None:
        with db.read() as session:
            service = session.exec(select(Service).where(Service.name == config.service)).first()
        if service is None or service.desired == "deleted":
            raise NotFound(f"no service named {config.service!r}", details={"field": "config.service"})
        name, version = service.model_name, service.model_version
    try:
        found = registry.version(name, version)
    except NotFound as exc:
        if config.service is not None:
            raise
        field = "config.version" if version is not None and registry_has(registry, name) else "config.model"
        raise NotFound(str(exc), details={"field": field}) from None
    return ResolvedModel(found.name, found.version, found.format)


def registry_has(registry: ModelRegistry, name: str) -> bool:
    """Whether a model of that name exists (in any version)."""
    try:
        registry.version(name, None)
    except NotFound:
        return False
    return True


def dataset(db: Database, name: str, field: str) -> Dataset:
    """A dataset row, or NotFound naming the config field."""
    with db.read() as session:
        row = session.exec(select(Dataset).where(Dataset.name == name)).first()
    if row is None:
        raise NotFound(f"no dataset named {name!r}", details={"field": field})
    return row


def check_output_free(db: Database, name: str) -> None:
    """Refuse an output dataset name that a dataset already has."""
    with db.read() as session:
        taken = session.exec(select(Dataset.id).where(Dataset.name == name)).first()
    if taken is not None:
        raise Conflict(f"a dataset named {name!r} exists already; delete it or choose another "
                       "output name ({run} or {date} in the name make one per run)",
                       details={"field": "config.output_dataset"})


def check_model_inputs(db: Database, registry: ModelRegistry, config: ModelJobConfig) -> ResolvedModel:
    """The model exists and the input dataset has every column the run reads."""
    model = resolve_model(db, registry, config)
    source = dataset(db, config.input_dataset, "config.input_dataset")
    columns = {column["name"] for column in source.columns}
    schema = registry.schema(model.name, model.version)
    needed = [variable.name for variable in schema.inputs if variable.required]
    _require_columns(source.name, columns, needed, "config.input_dataset",
                     f"model {model.name} version {model.version} reads them")
    _require_columns(source.name, columns, config.passthrough, "config.passthrough",
                     "passthrough lists them")
    if isinstance(config, EvaluateJobConfig):
        _require_columns(source.name, columns, [config.label_column], "config.label_column",
                         "it is the label column")
    return model


def _require_columns(dataset_name: str, columns: set[str], wanted: list[str], field: str,
                     why: str) -> None:
    missing = [name for name in wanted if name not in columns]
    if missing:
        raise InvalidInput(f"dataset {dataset_name!r} lacks column(s) {', '.join(missing)}: {why}",
                           field=field, details={"missing_columns": missing})


def dataset_users(db: Database, name: str) -> list[str]:
    """Names of jobs that read ``name`` or write it (an output without placeholders)."""
    with db.read() as session:
        jobs = session.exec(select(Job).where(Job.kind != "script").order_by(Job.name)).all()
    return [job.name for job in jobs
            if name in (job.config.get("input_dataset"), job.config.get("output_dataset"))]
