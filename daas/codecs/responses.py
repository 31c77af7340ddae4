"""Prediction rows -> CSV, for downloads and ``Accept: text/csv`` responses."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import numpy as np

# Column groups in the order they appear; within a group, columns keep first-seen order.
_LABEL, _PROBABILITY, _VALUE, _CLUSTER, _DISTANCE, _AFFINITY, _COMPONENT, _OTHER, _OUTPUT = \
    range(9)
_SCALAR_GROUPS = {"label": _LABEL, "value": _VALUE, "cluster": _CLUSTER,
                  "distance": _DISTANCE, "affinity": _AFFINITY}


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """Flatten prediction rows to CSV text with a header line ("" for no rows).

    Columns: ``label``, ``probability(<class>)`` per class, ``value``, ``cluster``,
    ``distance``, ``affinity``, ``component_0``..., other task-level fields (objects
    flattened as ``key(sub)``), then the raw ``outputs`` by name (as ``output.<name>``
    when the name clashes with a task column). A raw output that repeats the
    probabilities or the components is left out; other lists and objects are
    JSON-encoded. Missing cells are empty; booleans are written true/false.
    """
    if not rows:
        return ""
    order: dict[str, tuple[int, int]] = {}
    flat_rows = []
    for row in rows:
        flat = _flatten(row)
        for name, (group, _value) in flat.items():
            order.setdefault(name, (group, len(order)))
        flat_rows.append({name: _cell(value) for name, (_group, value) in flat.items()})
    header = sorted(order, key=order.__getitem__)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat_rows)
    return buffer.getvalue()


def _flatten(row: dict[str, Any]) -> dict[str, tuple[int, Any]]:
    flat: dict[str, tuple[int, Any]] = {}
    probabilities = row.get("probabilities") or {}
    components = row.get("components")
    for key, value in row.items():
        if key == "outputs":
            continue
        if key == "probabilities" and isinstance(value, dict):
            for label, probability in value.items():
                flat[f"probability({label})"] = (_PROBABILITY, probability)
        elif key == "components" and isinstance(value, (list, tuple, np.ndarray)):
            for position, component in enumerate(value):
                flat[f"component_{position}"] = (_COMPONENT, component)
        elif key in _SCALAR_GROUPS:
            flat[key] = (_SCALAR_GROUPS[key], value)
        elif isinstance(value, dict):
            for sub, item in value.items():
                flat[f"{key}({sub})"] = (_OTHER, item)
        else:
            flat[key] = (_OTHER, value)
    for name, value in (row.get("outputs") or {}).items():
        if _repeats(value, probabilities) or _repeats(value, components):
            continue
        column = name if name not in flat and name not in _SCALAR_GROUPS else f"output.{name}"
        flat[column] = (_OUTPUT, value)
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
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dict, list, tuple, np.ndarray)):
        return json.dumps(_plain(value))
    return value


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
