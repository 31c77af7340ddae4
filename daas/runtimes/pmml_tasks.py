"""PMML evaluator results -> predictions: the raw outputs and the task-level fields.

``PmmlFields`` decides once, from the model's description, which result column feeds which
prediction field; ``row`` applies that to one result row (online predictions), ``columns``
to whole result columns (batch scoring). The evaluator answers a batch as split JSON
``{"columns": [...], "data": [[...], ...]}``; ``result_columns`` turns it into one column
per result name: a float or integer array when all its values are numbers of that kind,
else a list of JSON-ready values (non-finite numbers as ``None``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from pandas.io.json import ujson_loads

from daas.runtimes.base import ModelSchema
from daas.runtimes.columns import (
    Columns,
    cluster_column,
    float_column,
    missing_column,
    plain_values,
    repeated,
)
from daas.runtimes.jsonready import as_cluster_id, as_float, json_ready
from daas.runtimes.pmml_schema import OutputSpec, PmmlDescription

_AFFINITY_FEATURES = ("affinity", "clusterAffinity", "entityAffinity")

#: A result column by name (all-missing when the evaluator did not return it).
ColumnOf = Callable[[str | None], Any]


def parse_result(response: str) -> dict[str, Any]:
    """The evaluator's JSON answer, parsed."""
    try:  # ujson (as exact as json with precise_float, twice as fast) refuses a few numbers
        return ujson_loads(response, precise_float=True)
    except ValueError:
        return json.loads(response)


def result_columns(result: dict[str, Any]) -> dict[str, Any]:
    """A parsed split-JSON answer as one column per result name."""
    names, data = result["columns"], result["data"]
    values = zip(*data) if data else ([] for _ in names)
    return {name: _typed(list(column)) for name, column in zip(names, values)}


class PmmlFields:
    """Where each prediction field of a PMML model comes from in the evaluator's results."""

    def __init__(self, description: PmmlDescription) -> None:
        schema, specs = description.schema, description.outputs
        self.task = schema.task
        self.distance_key = description.distance_key
        #: The target: its output is the classification label or the regression value.
        self.target = schema.targets[0].name if schema.targets else None
        #: Output name -> result column (targets under their own names first).
        self.outputs: dict[str, str | None] = {
            t.name: _target_column(schema, specs, t.name) for t in schema.targets}
        for spec in specs:
            if spec.target is None or spec.declared:
                self.outputs.setdefault(spec.name, spec.name)
        #: Class -> result column of its probability.
        self.probabilities: dict[str, str] = {}
        for spec in specs:
            if spec.feature == "probability" and spec.value is not None \
                    and spec.target in (None, self.target):
                self.probabilities.setdefault(str(spec.value), spec.name)
        self.predicted = [s.name for s in specs if s.feature == "predictedValue"]
        #: (cluster the affinity is for, or None for the assigned one; result column).
        self.affinities = [(None if s.value is None else str(s.value), s.name)
                           for s in specs if s.feature in _AFFINITY_FEATURES]
        self.components = [s.name for s in specs if s.feature == "transformedValue"]

    def row(self, result: dict[str, Any]) -> dict[str, Any]:
        """One prediction row from one result row (result name -> value)."""
        scored = {name: _clean(value) for name, value in result.items()}
        outputs = {name: scored.get(column) for name, column in self.outputs.items()}
        row: dict[str, Any] = {"outputs": outputs}
        if self.task == "classification":
            row["label"] = outputs[self.target] if self.target else None
            row["probabilities"] = {name: as_float(scored.get(column))
                                    for name, column in self.probabilities.items()}
        elif self.task == "regression":
            row["value"] = as_float(outputs[self.target]) if self.target else None
        elif self.task == "clustering":
            cluster = next((scored[c] for c in self.predicted if scored.get(c) is not None),
                           None)
            row["cluster"] = as_cluster_id(cluster)
            row[self.distance_key] = next(
                (as_float(scored.get(column)) for value, column in self.affinities
                 if value is None or (cluster is not None and value == str(cluster))), None)
        elif self.task == "dimensionality_reduction":
            row["components"] = [as_float(scored.get(column)) for column in self.components]
        return row

    def columns(self, scored: dict[str, Any], size: int) -> Columns:
        """Prediction columns from ``size`` rows of result columns (``result_columns``)."""
        def column(name: str | None) -> Any:
            return scored[name] if name in scored else repeated(None, size)

        outputs = {name: column(source) for name, source in self.outputs.items()}
        columns: Columns = {"outputs": outputs}
        if self.task == "classification":
            columns["label"] = outputs[self.target] if self.target else repeated(None, size)
            columns["probabilities"] = {name: float_column(column(source))
                                        for name, source in self.probabilities.items()}
        elif self.task == "regression":
            columns["value"] = float_column(outputs[self.target]) if self.target \
                else missing_column(size)
        elif self.task == "clustering":
            cluster = self._first_predicted(column, size)
            columns["cluster"] = cluster_column(cluster)
            columns[self.distance_key] = self._affinity(column, cluster)
        elif self.task == "dimensionality_reduction":
            components = [float_column(column(source)) for source in self.components]
            columns["components"] = np.column_stack(components) if components \
                else np.empty((size, 0))
        return columns

    def _first_predicted(self, column: ColumnOf, size: int) -> list[Any]:
        """Per row, the first predicted value present."""
        found: list[Any] = [None] * size
        for source in self.predicted:
            found = [mine if mine is not None else theirs
                     for mine, theirs in zip(found, plain_values(column(source)))]
        return found

    def _affinity(self, column: ColumnOf, cluster: list[Any]) -> np.ndarray:
        """Per row, the first affinity that is for any cluster or for the row's."""
        chosen: list[Any] = [None] * len(cluster)
        decided = [False] * len(cluster)
        for value, source in self.affinities:
            for row, affinity in enumerate(plain_values(column(source))):
                if not decided[row] and (value is None or (
                        cluster[row] is not None and value == str(cluster[row]))):
                    chosen[row], decided[row] = affinity, True
        return float_column(chosen)


def _target_column(schema: ModelSchema, specs: list[OutputSpec], target: str) -> str | None:
    """The result column holding a target's predicted value."""
    single = len(schema.targets) == 1
    candidates = [s for s in specs if s.feature == "predictedValue"
                  and (s.target == target or (s.target is None and s.declared and single))]
    evaluator = [s for s in candidates if not s.declared]
    chosen = (evaluator or candidates or [None])[0]
    return chosen.name if chosen else None


def _typed(values: list[Any]) -> Any:
    kinds = set(map(type, values))
    try:
        if float in kinds and kinds <= {float, type(None)}:
            return np.array(values, dtype=np.float64)  # None becomes NaN
        if kinds == {int}:
            return np.array(values, dtype=np.int64)
    except OverflowError:
        pass
    if kinds <= {str, type(None)}:
        return values
    return [_clean(value) for value in values]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return json_ready(value)
