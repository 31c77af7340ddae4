"""The ``config`` of predict and evaluate jobs, validated."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from daas.batch.chunks import DEFAULT_CHUNK_ROWS
from daas.errors import InvalidInput

BATCH_KINDS = ("predict", "evaluate")


class BatchConfig(BaseModel):
    """What a predict or evaluate job scores, and with how many workers."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    model: str = Field(min_length=1, description="registered model name")
    version: int | None = Field(None, ge=1, description="model version; None = latest at run start")
    input_dataset: str = Field(min_length=1)
    output_dataset: str | None = Field(None, min_length=1, max_length=64)
    passthrough: list[str] = Field(default_factory=list,
                                   description="input columns copied unchanged to the output")
    batch_size: int = Field(4096, ge=1, description="rows per model call")
    concurrency: int = Field(2, ge=1, description="scoring actors")
    num_cpus: float = Field(1.0, gt=0, description="CPUs reserved per scoring actor")
    chunk_rows: int = Field(DEFAULT_CHUNK_ROWS, ge=1,
                            description="rows per chunk (the unit of progress and pausing)")
    label_column: str | None = Field(None, min_length=1, description="evaluate: true labels")


def parse_config(kind: str, config: dict[str, Any]) -> BatchConfig:
    """Validate a job's config; ``InvalidInput`` names the first bad field."""
    if kind not in BATCH_KINDS:
        raise InvalidInput(f"job kind {kind!r} is not run by the batch driver "
                           f"(it runs {', '.join(BATCH_KINDS)})", field="kind")
    try:
        parsed = BatchConfig.model_validate(config or {})
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "config"
        raise InvalidInput(f"invalid job config, field '{field}': {first['msg']}",
                           field=field) from None
    if kind == "predict" and not parsed.output_dataset:
        raise InvalidInput("a predict job needs 'output_dataset'", field="output_dataset")
    duplicates = sorted({name for name in parsed.passthrough if parsed.passthrough.count(name) > 1})
    if duplicates:
        raise InvalidInput(f"passthrough lists {', '.join(duplicates)} more than once",
                           field="passthrough")
    return parsed
