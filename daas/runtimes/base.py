"""What every model runtime offers: load from bytes, describe itself, predict a batch.

Runtimes know models, not HTTP and not Ray. Input arrives as a pandas DataFrame whose
columns are the schema's input names, already coerced by ``daas.codecs``; output is one
JSON-ready dict per input row (``predict``), or the same fields as columns
(``predict_columns``, see ``daas.runtimes.columns``) for callers that want arrays.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import BaseModel, Field

from daas.runtimes.columns import Columns, columns_from_rows

Task = Literal["classification", "regression", "clustering", "dimensionality_reduction", "tensor"]
ModelFormat = Literal["pmml", "onnx"]


class Interval(BaseModel):
    """A numeric range an input value may take (PMML ``Interval``)."""

    closure: str = "closedClosed"
    left: float | None = None
    right: float | None = None


class Variable(BaseModel):
    """One input, target or output of a model.

    ``dtype`` is the model's own type name (PMML ``double``/``string``...; ONNX
    ``float``/``int64``/``string``... or ``seq(map(string,float))``). ``shape`` is set for
    ONNX tensors (``None`` entries are dynamic). ``values`` lists allowed categories,
    ``intervals`` allowed numeric ranges. For PMML output fields ``feature`` is the
    result feature (``predictedValue``, ``probability``, ``entityId``...) and ``value``
    the class a probability refers to.
    """

    name: str
    dtype: str
    optype: str | None = None
    shape: list[int | None] | None = None
    values: list[str] | None = None
    intervals: list[Interval] | None = None
    required: bool = True
    feature: str | None = None
    value: str | None = None
    description: str | None = None


class ModelSchema(BaseModel):
    """Everything the platform knows about a model without running it."""

    format: ModelFormat
    engine: str = Field(description="evaluator and version, e.g. 'onnxruntime 1.31.1'")
    task: Task
    algorithm: str = Field(description="e.g. 'TreeModel', 'TreeEnsembleClassifier'")
    model_element: str | None = None
    format_version: str | None = Field(None, description="PMML version or ONNX IR/opset")
    producer: str | None = Field(None, description="application that produced the file")
    description: str | None = None
    inputs: list[Variable]
    targets: list[Variable] = []
    outputs: list[Variable] = []
    classes: list[str] | None = None
    tabular: bool = Field(True, description="inputs are one scalar per field and row")


class ModelRuntime(ABC):
    """A loaded model. Subclasses implement one file format."""

    format: ClassVar[ModelFormat]

    @classmethod
    @abstractmethod
    def load(cls, data: bytes) -> ModelRuntime:
        """Validate and load a model from its file bytes; raise ``InvalidModel`` on failure."""

    @property
    @abstractmethod
    def schema(self) -> ModelSchema:
        """The model's inputs, targets, outputs, task and provenance."""

    @abstractmethod
    def predict(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Score a batch of rows.

        Returns one dict per row: ``outputs`` (the model's raw outputs by name) plus the
        task-level view — classification ``label`` and ``probabilities`` (class -> p);
        regression ``value``; clustering ``cluster`` (+ ``distance``/``affinity``);
        dimensionality reduction ``components``.
        """

    def predict_columns(self, frame: pd.DataFrame) -> Columns:
        """Score a batch of rows; ``predict``'s fields as columns (``daas.runtimes.columns``).

        This default builds the rows first; runtimes override it to skip them.
        """
        return columns_from_rows(self.predict(frame))

    def predict_tensors(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Run on named tensors (nested lists or arrays); returns named output arrays.

        Only tensor-capable formats (ONNX) implement this.
        """
        from daas.errors import BadRequest

        raise BadRequest(f"{self.format.upper()} models take rows, not named tensors")
