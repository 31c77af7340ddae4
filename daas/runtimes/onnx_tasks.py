"""The task-level fields of ONNX predictions, for one row or for whole output columns.

Classification ``label`` and ``probabilities`` (class -> p), regression ``value``,
clustering ``cluster`` and ``distance`` (the smallest score), dimensionality reduction
``components``. ``task_row`` applies the rules to one row's JSON-ready outputs;
``task_columns`` to output columns: numeric tensors with numpy, other outputs (a ZipMap's
list of dicts, sequences) row by row with the same rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from daas.runtimes.columns import (
    Columns,
    cluster_column,
    float_column,
    missing_column,
    plain_values,
    scalar,
    scalar_column,
)
from daas.runtimes.jsonready import as_cluster_id, as_float
from daas.runtimes.onnx_schema import TaskLayout


def task_row(layout: TaskLayout, classes: list[str] | None,
             outputs: dict[str, Any]) -> dict[str, Any]:
    """The task-level fields of one row, from its JSON-ready outputs (``{}`` for tensor
    models)."""
    if layout.task == "classification" and layout.label:
        return {"label": scalar(outputs[layout.label]),
                "probabilities": row_probabilities(outputs.get(layout.probabilities), classes)}
    if layout.task == "regression" and layout.value:
        return {"value": as_float(scalar(outputs[layout.value]))}
    if layout.task == "clustering" and layout.label:
        return {"cluster": as_cluster_id(scalar(outputs[layout.label])),
                "distance": row_smallest(outputs.get(layout.scores))}
    if layout.task == "dimensionality_reduction" and layout.value:
        return {"components": row_components(outputs[layout.value])}
    return {}


def task_columns(layout: TaskLayout, classes: list[str] | None, outputs: Columns,
                 size: int) -> Columns:
    """The task-level columns for the model's output columns (``{}`` for tensor models)."""
    if layout.task == "classification" and layout.label:
        return {"label": scalar_column(outputs[layout.label], size),
                "probabilities": probability_columns(outputs.get(layout.probabilities), classes)}
    if layout.task == "regression" and layout.value:
        return {"value": float_column(scalar_column(outputs[layout.value], size))}
    if layout.task == "clustering" and layout.label:
        return {"cluster": cluster_column(scalar_column(outputs[layout.label], size)),
                "distance": smallest_score(outputs.get(layout.scores), size)}
    if layout.task == "dimensionality_reduction" and layout.value:
        return {"components": component_matrix(outputs[layout.value], size)}
    return {}


def probability_columns(column: Any, classes: list[str] | None) -> dict[str, np.ndarray]:
    """Class -> probability column, from an ``[N, C]`` tensor or a ZipMap's dicts."""
    if column is None:
        return {}
    if isinstance(column, np.ndarray) and column.ndim >= 2:
        names = _class_names(classes, column.shape[1])
        if column.ndim == 2 and column.dtype.kind in "iuf":
            column = column.astype(np.float64)  # once, then one view per class
        return {name: float_column(column[:, i]) for i, name in enumerate(names)}
    zipmap = _zipmap_columns(column)
    if zipmap is not None:
        return zipmap
    per_row = [row_probabilities(value, classes) for value in plain_values(column)]
    names = dict.fromkeys(name for row in per_row for name in row)
    return {name: float_column([row.get(name) for row in per_row]) for name in names}


def smallest_score(column: Any, size: int) -> np.ndarray:
    """Each row's smallest finite score (NaN when it has none)."""
    if column is None:
        return missing_column(size)
    if isinstance(column, np.ndarray) and column.ndim == 2 and column.dtype.kind in "iuf" \
            and column.shape[1] > 0:
        scores = column.astype(np.float64)
        scores[~np.isfinite(scores)] = np.inf
        smallest = scores.min(axis=1)
        smallest[np.isinf(smallest)] = np.nan
        return smallest
    return float_column([row_smallest(value) for value in plain_values(column)])


def component_matrix(column: Any, size: int) -> Any:
    """The components as a ``[N, k]`` float array (a column of lists for non-tensors)."""
    if isinstance(column, np.ndarray) and column.dtype.kind in "biuf":
        return column.reshape(size, -1).astype(np.float64)
    return [row_components(value) for value in plain_values(column)]


def _class_names(classes: list[str] | None, count: int) -> list[str]:
    if classes and len(classes) == count:
        return classes
    return [str(i) for i in range(count)]


def _zipmap_columns(column: Any) -> dict[str, np.ndarray] | None:
    """A ZipMap's list of same-keyed dicts as columns; None when the rows differ."""
    if not isinstance(column, list) or not column or not isinstance(column[0], dict):
        return None
    keys = list(column[0])
    if not all(isinstance(row, dict) and len(row) == len(keys) for row in column):
        return None
    try:
        return {str(key): np.fromiter((row[key] for row in column), dtype=np.float64,
                                      count=len(column)) for key in keys}
    except (KeyError, TypeError, ValueError):
        return None


def row_probabilities(value: Any, classes: list[str] | None) -> dict[str, float | None]:
    """One row's probabilities by class, from a ZipMap dict or a list in class order."""
    if isinstance(value, dict):
        return {str(k): as_float(p) for k, p in value.items()}
    if isinstance(value, list):
        return {name: as_float(p) for name, p in zip(_class_names(classes, len(value)), value)}
    return {}


def row_smallest(scores: Any) -> float | None:
    """One row's smallest finite score."""
    numbers = [s for s in (as_float(x) for x in scores or []) if s is not None]
    return min(numbers) if numbers else None


def row_components(value: Any) -> list[float | None]:
    """One row's components, flattened."""
    return [as_float(x) for x in np.ravel(value)]
