"""PMML models evaluated with pypmml (PMML4S in a JVM; one gateway per process, shared).

The file is parsed with defusedxml first (no DOCTYPE, no entities), its schema read from
the XML, and only then handed to pypmml as a string. A batch is scored with one call into
the JVM. pypmml is asked for supplementary outputs, so every model yields the predicted value
of its targets — returned under the target's own name (``Species``, not
``predicted_Species``) — next to the output fields it declares.
"""

from __future__ import annotations

import json
import math
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pandas as pd
from py4j.protocol import Py4JError, Py4JJavaError
from pypmml import Model, PMMLError

from daas.errors import InvalidInput, InvalidModel, Unavailable
from daas.runtimes.base import ModelRuntime, ModelSchema
from daas.runtimes.jsonready import as_cluster_id, as_float, json_ready
from daas.runtimes.pmml_document import parse_pmml, pmml_text
from daas.runtimes.pmml_inputs import evaluator_request
from daas.runtimes.pmml_schema import (
    OutputSpec,
    PmmlDescription,
    add_evaluator_outputs,
    describe_pmml,
)

_AFFINITY_FEATURES = ("affinity", "clusterAffinity", "entityAffinity")


def _engine() -> str:
    try:
        return f"pypmml {version('pypmml')}"
    except PackageNotFoundError:
        return "pypmml"


class PmmlRuntime(ModelRuntime):
    """A PMML model scored by pypmml."""

    format = "pmml"

    def __init__(self, model: Model, description: PmmlDescription) -> None:
        self._model = model
        self._description = description
        self._schema = description.schema
        self._outputs = description.outputs
        self._target_columns = {t.name: self._target_column(t.name) for t in self._schema.targets}

    @classmethod
    def load(cls, data: bytes) -> PmmlRuntime:
        """Refuse unsafe or broken XML, read the schema, then load the text into pypmml."""
        root = parse_pmml(data)
        description = describe_pmml(root, _engine())
        text = pmml_text(data)
        try:
            model = Model.fromString(text).setSupplementOutput(True)
            fields = [(f.name, f.feature, f.value, f.dataType, f.opType)
                      for f in model.outputFields]
            classes = model.classes if description.schema.task == "classification" else None
        except PMMLError as error:
            raise InvalidModel(f"pypmml cannot load the PMML: {_pmml_message(error)}") from None
        except Py4JJavaError as error:
            raise InvalidModel(f"pypmml cannot load the PMML: {_java_message(error)}") from None
        except Py4JError as error:
            raise Unavailable(f"the PMML evaluator is not available: {error}") from None
        add_evaluator_outputs(description, fields)
        if description.schema.classes is None and classes:
            description.schema.classes = [str(c) for c in classes]
        return cls(model, description)

    @property
    def schema(self) -> ModelSchema:
        return self._schema

    def predict(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Score all rows in one evaluator call; raw outputs plus the task-level view."""
        if len(frame) == 0:
            return []
        request = evaluator_request(frame, self._schema.inputs,
                                    self._description.invalid_treatment)
        try:
            response = self._model.call("predict", request)
        except Py4JJavaError as error:
            raise InvalidInput(f"the PMML evaluator rejected the input: "
                               f"{_java_message(error)}") from None
        except Py4JError as error:
            raise Unavailable(f"the PMML evaluator is not available: {error}") from None
        result = json.loads(response)
        columns = result["columns"]
        return [self._row(dict(zip(columns, values))) for values in result["data"]]

    # -- rows --------------------------------------------------------------------------------

    def _row(self, scored: dict[str, Any]) -> dict[str, Any]:
        scored = {name: _clean(value) for name, value in scored.items()}
        outputs: dict[str, Any] = {}
        for target, column in self._target_columns.items():
            outputs[target] = scored.get(column) if column else None
        for spec in self._outputs:
            if spec.target is None or spec.declared:
                outputs.setdefault(spec.name, scored.get(spec.name))
        row: dict[str, Any] = {"outputs": outputs}
        row.update(self._task_view(scored, outputs))
        return row

    def _task_view(self, scored: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
        task = self._schema.task
        targets = self._schema.targets
        if task == "classification":
            probabilities: dict[str, float | None] = {}
            for spec in self._outputs:
                if spec.feature == "probability" and spec.value is not None \
                        and spec.target in (None, targets[0].name if targets else None):
                    probabilities.setdefault(str(spec.value), as_float(scored.get(spec.name)))
            label = outputs.get(targets[0].name) if targets else None
            return {"label": label, "probabilities": probabilities}
        if task == "regression":
            return {"value": as_float(outputs.get(targets[0].name)) if targets else None}
        if task == "clustering":
            cluster = self._first(scored, ("predictedValue",))
            return {"cluster": as_cluster_id(cluster),
                    self._description.distance_key: self._cluster_affinity(scored, cluster)}
        if task == "dimensionality_reduction":
            return {"components": [as_float(scored.get(s.name)) for s in self._outputs
                                   if s.feature == "transformedValue"]}
        return {}

    def _cluster_affinity(self, scored: dict[str, Any], cluster: Any) -> float | None:
        specs = [s for s in self._outputs if s.feature in _AFFINITY_FEATURES]
        for spec in specs:
            if spec.value is None or (cluster is not None and str(spec.value) == str(cluster)):
                return as_float(scored.get(spec.name))
        return None

    def _first(self, scored: dict[str, Any], features: tuple[str, ...]) -> Any:
        for spec in self._outputs:
            if spec.feature in features and scored.get(spec.name) is not None:
                return scored[spec.name]
        return None

    def _target_column(self, target: str) -> str | None:
        """The result column holding a target's predicted value."""
        single = len(self._schema.targets) == 1
        candidates: list[OutputSpec] = [
            s for s in self._outputs if s.feature == "predictedValue"
            and (s.target == target or (s.target is None and s.declared and single))]
        evaluator = [s for s in candidates if not s.declared]
        chosen = (evaluator or candidates or [None])[0]
        return chosen.name if chosen else None


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return json_ready(value)


def _pmml_message(error: PMMLError) -> str:
    """pypmml raises ``PMMLError(java_class_name, message)`` for failed static calls."""
    parts = [str(part) for part in error.args if part]
    return ": ".join(parts) if parts else "unknown error"


def _java_message(error: Py4JJavaError) -> str:
    try:
        text = str(error.java_exception.toString())
    except Py4JError:
        text = str(error)
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
