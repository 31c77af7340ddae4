"""Check a job's configuration against what exists: models, services and datasets.

Run when a job is created or changed, and again when each run starts, because models,
services and datasets change in between. Everything a job names is in the job's group.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from daas.batch.config import OUTPUT_PLACEHOLDERS, EvaluateJobConfig, ModelJobConfig
from daas.batch.plan import ModelRef
from daas.batch.planning import dataset, resolve_model
from daas.errors import InvalidInput
from daas.platform.registry.registry import check_name
from daas.store.db import Database
from daas.store.tables import Job


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



def check_model_inputs(db: Database, group_id: int, config: ModelJobConfig) -> ModelRef:
    """The model exists in the group and the input dataset has every column the run reads."""
    model = resolve_model(db, group_id, config)
    source = dataset(db, group_id, config.input_dataset, "config.input_dataset")
    columns = {column["name"] for column in source.columns}
    schema = model.schema
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


def dataset_users(db: Database, group_id: int, name: str) -> list[str]:
    """Names of the group's jobs that read ``name`` or write it (an output without placeholders)."""
    with db.read() as session:
        jobs = session.exec(select(Job).where(Job.group_id == group_id, Job.kind != "script")
                            .order_by(Job.name)).all()
    return [job.name for job in jobs
            if name in (job.config.get("input_dataset"), job.config.get("output_dataset"))]
