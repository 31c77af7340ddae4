"""The ``config`` of every job kind, validated once for the API and the batch driver alike."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from daas.batch.chunks import DEFAULT_CHUNK_ROWS
from daas.errors import InvalidInput
from daas.store.db import VersionNumber

JobKind = Literal["predict", "evaluate", "script"]
#: The kinds the batch driver runs (a script runs on its own).
BATCH_KINDS = ("predict", "evaluate")

#: Largest inline script, in bytes of UTF-8.
MAX_SCRIPT_BYTES = 1024 * 1024
#: Placeholders an output dataset name may contain, filled in when a run starts.
OUTPUT_PLACEHOLDERS = ("{run}", "{date}")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")



class ModelJobConfig(BaseModel):
    """Batch predict: score ``input_dataset`` with a model version (or a service's) into a new dataset."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, description="Model name (or give `service`)")
    version: VersionNumber | None = Field(None, description="Default: the latest version at run start")
    service: str | None = Field(None, description="Use the model version this service serves at run start")
    input_dataset: str
    output_dataset: str = Field(description="New dataset name; may contain {run} and {date}")
    passthrough: list[str] = Field(default_factory=list,
                                   description="Input columns copied next to the predictions")
    batch_size: int = Field(4096, ge=1, le=1_000_000, description="Rows per model call")
    concurrency: int = Field(2, ge=1, le=256, description="Model copies scoring in parallel")
    num_cpus: float = Field(1.0, gt=0, le=256, description="CPUs per model copy")
    chunk_rows: int = Field(DEFAULT_CHUNK_ROWS, ge=1, le=100_000_000,
                            description="Rows per chunk: the unit of progress, pause and continue")

    @model_validator(mode="after")
    def _one_model_source(self) -> ModelJobConfig:
        if (self.model is None) == (self.service is None):
            raise ValueError("give either `model` (with an optional `version`) or `service`")
        if self.service is not None and self.version is not None:
            raise ValueError("`version` goes with `model`; a service brings its own version")
        return self

    @property
    def label(self) -> str | None:
        """The column of true labels (evaluate runs only)."""
        return None

    @field_validator("passthrough")
    @classmethod
    def _distinct_passthrough(cls, value: list[str]) -> list[str]:
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"passthrough lists {', '.join(repeated)} more than once")
        return value


class EvaluateJobConfig(ModelJobConfig):
    """Batch predict on a labelled dataset, plus quality metrics against ``label_column``."""

    output_dataset: str | None = Field(None, description="Also keep the predictions as a dataset")
    label_column: str

    @property
    def label(self) -> str | None:
        """The column of true labels."""
        return self.label_column


class ScriptJobConfig(BaseModel):
    """A user's Python script run as a Ray job."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The script's Python source (at most 1 MiB); shown only to "
                        "callers who may run code")
    args: list[str] = Field(default_factory=list, description="Command-line arguments")
    env: dict[str, str] = Field(default_factory=dict, description=(
        "Environment variables; write-only: responses show every value as `***`, and a "
        "value sent as `***` (or `env` left out) keeps the stored one"))
    pip: list[str] = Field(default_factory=list, description="Packages to install for the run")

    @field_validator("source")
    @classmethod
    def _small_source(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the script is empty")
        if len(value.encode("utf-8")) > MAX_SCRIPT_BYTES:
            raise ValueError(f"the script is larger than {MAX_SCRIPT_BYTES} bytes")
        return value

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [name for name in value if not _ENV_NAME.fullmatch(name)]
        if bad:
            raise ValueError(f"invalid environment variable name(s): {', '.join(map(repr, bad))}")
        return value

    @field_validator("pip")
    @classmethod
    def _pip_requirements(cls, value: list[str]) -> list[str]:
        bad = [item for item in value if not item.strip() or any(c in item for c in "\r\n")]
        if bad:
            raise ValueError("pip entries must be one non-empty requirement each")
        return value


CONFIG_MODELS: dict[str, type[BaseModel]] = {
    "predict": ModelJobConfig, "evaluate": EvaluateJobConfig, "script": ScriptJobConfig,
}


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
