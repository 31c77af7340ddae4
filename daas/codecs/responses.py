"""Prediction rows -> flat columns: CSV for downloads, and the layout batch outputs share."""

from __future__ import annotations

import csv
import io
import json
import math
from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np


class ColumnGroup(IntEnum):
    """Kinds of flat prediction columns, in the order they appear."""

    LABEL = 0
    PROBABILITY = 1
    VALUE = 2
    CLUSTER = 3
    DISTANCE = 4
    AFFINITY = 5
    COMPONENT = 6
    OTHER = 7
    OUTPUT = 8


class FlatColumn(NamedTuple):
    """A flat column: its name, group, and where a row keeps its value.

    ``path`` is ``(key,)`` for a top-level field, ``(key, sub)`` for an entry of an object
    field or of ``outputs``, ``("components", i)`` for a component.
    """

    name: str
    group: ColumnGroup
    path: tuple[Any, ...]


_SCALAR_GROUPS = {"label": ColumnGroup.LABEL, "value": ColumnGroup.VALUE,
                  "cluster": ColumnGroup.CLUSTER, "distance": ColumnGroup.DISTANCE,
                  "affinity": ColumnGroup.AFFINITY}


def flatten_predictions(rows: list[dict[str, Any]]
                        ) -> tuple[list[FlatColumn], list[dict[str, Any]]]:
    """Flat columns in output order, and each row's raw values by column name.

    Columns: ``label``, ``probability(<class>)`` per class, ``value``, ``cluster``,
    ``distance``, ``affinity``, ``component_0``..., other task-level fields (objects
    flattened as ``key(sub)``), then the raw ``outputs`` by name (as ``output.<name>``
    when the name clashes with a task column). A raw output that repeats the
    probabilities or the components is left out. Within a group, columns keep first-seen
    order; a row lacking a column simply has no value for it.
    """
    order: dict[str, tuple[ColumnGroup, int, tuple[Any, ...]]] = {}
    flat_rows = []
    for row in rows:
        flat = _flatten(row)
        for name, (group, _value, path) in flat.items():
            order.setdefault(name, (group, len(order), path))
        flat_rows.append({name: value for name, (_group, value, _path) in flat.items()})
    columns = sorted(order, key=lambda name: order[name][:2])
    return [FlatColumn(name, order[name][0], order[name][2]) for name in columns], flat_rows


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """Flatten prediction rows to CSV text with a header line ("" for no rows).

    Columns follow :func:`flatten_predictions`. Lists and objects are JSON-encoded,
    missing cells are empty, booleans are written true/false.
    """
    if not rows:
        return ""
    columns, flat_rows = flatten_predictions(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[column.name for column in columns], restval="",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: _cell(value) for name, value in flat.items()} for flat in flat_rows)
    return buffer.getvalue()


def nested_to_json(value: Any) -> Any:
    """A list, tuple, array or object as JSON text; numpy scalars as Python ones; others as-is."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dict, list, tuple, np.ndarray)):
        return json.dumps(_plain(value))
    return value


def _flatten(row: dict[str, Any]) -> dict[str, tuple[ColumnGroup, Any, tuple[Any, ...]]]:
    flat: dict[str, tuple[ColumnGroup, Any, tuple[Any, ...]]] = {}
    probabilities = row.get("probabilities") or {}
    components = row.get("components")
    for key, value in row.items():
        if key == "outputs":
            continue
        if key == "probabilities" and isinstance(value, dict):
            for label, probability in value.items():
                flat[f"probability({label})"] = (ColumnGroup.PROBABILITY, probability, (key, label))
        elif key == "components" and isinstance(value, (list, tuple, np.ndarray)):
            for position, component in enumerate(value):
                flat[f"component_{position}"] = (ColumnGroup.COMPONENT, component, (key, position))
        elif key in _SCALAR_GROUPS:
            flat[key] = (_SCALAR_GROUPS[key], value, (key,))
        elif isinstance(value, dict):
            for sub, item in value.items():
                flat[f"{key}({sub})"] = (ColumnGroup.OTHER, item, (key, sub))
        else:
            flat[key] = (ColumnGroup.OTHER, value, (key,))
    for name, value in (row.get("outputs") or {}).items():
        if _repeats(value, probabilities) or _repeats(value, components):
            continue
        column = name if name not in flat and name not in _SCALAR_GROUPS else f"output.{name}"
        flat[column] = (ColumnGroup.OUTPUT, value, ("outputs", name))
    return flat


def _repeats(value: Any, task_value: Any) -> bool:
    """Whether a raw output holds the same numbers as a task field (dict or sequence)."""
    if task_value is None or not isinstance(value, (dict, list, tuple, np.ndarray)):
        return False
    if len(task_value) == 0:
        return False
    if isinstance(task_value, dict):
        if isinstance(value, dict):
            if {str(key) for key in value} != {str(key) for key in task_value}:
                return False
            mine = {str(key): item for key, item in value.items()}
            return _close([mine[str(key)] for key in task_value], list(task_value.values()))
        return _close(value, list(task_value.values()))
    return not isinstance(value, dict) and _close(value, task_value)


def _close(left: Any, right: Any) -> bool:
    a, b = _numbers(left), _numbers(right)
    return a is not None and b is not None and len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9) or (math.isnan(x) and math.isnan(y))
        for x, y in zip(a, b))


def _numbers(value: Any) -> list[float] | None:
    items = value.ravel().tolist() if isinstance(value, np.ndarray) else value
    try:
        return [float(item) for item in items]
    except (TypeError, ValueError):
        return None


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return nested_to_json(value)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
