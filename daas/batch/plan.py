"""A run's plan: everything fixed at its first start, saved so a continued run repeats it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from daas.batch.chunks import Chunk
from daas.batch.outputs import OutputColumn
from daas.runtimes.base import ModelSchema
from daas.store.artifacts import ArtifactRef


class ModelRef(BaseModel):
    """The model version a run scores with (resolved once: "latest" means latest at start)."""

    name: str
    version: int
    format: str
    storage_key: str
    sha256: str
    task: str
    schema_: dict[str, Any]

    @property
    def schema(self) -> ModelSchema:
        return ModelSchema.model_validate(self.schema_)

    def artifact(self, storage_uri: str) -> ArtifactRef:
        """Where the model file is under ``storage_uri``."""
        return ArtifactRef(storage_uri, self.storage_key, self.sha256, self.format)


class RunPlan(BaseModel):
    """What a run scores, where, how, and the columns it writes."""

    run_id: int
    #: The job's group, where the input is read and the output dataset is registered
    #: (None in plans saved before groups existed: the run row's group then).
    group_id: int | None = None
    job: str
    kind: str
    model: ModelRef
    input_dataset: str
    input_key: str
    input_columns: list[str]
    passthrough: list[str]
    label_column: str | None
    output_dataset: str | None
    batch_size: int
    concurrency: int
    num_cpus: float
    chunks: list[dict[str, Any]]
    layout: list[OutputColumn] | None = None

    def chunk_list(self) -> list[Chunk]:
        """The chunks as objects."""
        return [Chunk.from_dict(chunk) for chunk in self.chunks]

    @property
    def rows_total(self) -> int:
        return sum(chunk["rows"] for chunk in self.chunks)

    def read_columns(self) -> list[str]:
        """Input columns a scorer reads: the model inputs present, then passthrough ones."""
        names = [v.name for v in self.model.schema.inputs if v.name in self.input_columns]
        return names + [name for name in self.passthrough if name not in names]
