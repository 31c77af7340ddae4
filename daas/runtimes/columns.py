"""Predictions in column form, and the conversions between columns and prediction rows.

``ModelRuntime.predict_columns`` returns the fields of ``predict``'s rows, each holding one
entry per row instead of one row per entry:

- a *column* is a numpy array whose first axis runs over the rows (a row's value is
  ``array[i]``; a 2-D array gives each row a list, as ``components`` does) or a plain
  list with one item per row;
- ``outputs``, ``probabilities`` and any other field whose row values are objects are a
  dict of columns by key.

A row holds ``None`` where a float column holds NaN or an infinity; every other value is
the row's value once made JSON-ready (numpy scalars as Python ones).
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

import numpy as np

from daas.runtimes.jsonready import as_cluster_id, as_float, json_ready

#: Field name -> column, or -> dict of columns by key.
Columns = dict[str, Any]


def rows_from_columns(columns: Columns, size: int) -> list[dict[str, Any]]:
    """The ``size`` prediction rows (``predict``'s form) that ``columns`` hold."""
    plain = {key: ({sub: plain_values(column) for sub, column in value.items()}
                   if isinstance(value, dict) else plain_values(value))
             for key, value in columns.items()}
    return [{key: ({sub: values[i] for sub, values in value.items()}
                   if isinstance(value, dict) else value[i])
             for key, value in plain.items()}
            for i in range(size)]


def columns_from_rows(rows: list[dict[str, Any]]) -> Columns:
    """Prediction rows in column form (plain lists); a key a row lacks is ``None`` there."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    columns: Columns = {}
    for key in keys:
        values = [row.get(key) for row in rows]
        if any(isinstance(value, dict) for value in values):
            subs = list(dict.fromkeys(sub for value in values if isinstance(value, dict)
                                      for sub in value))
            columns[key] = {sub: [value.get(sub) if isinstance(value, dict) else None
                                  for value in values] for sub in subs}
        else:
            columns[key] = values
    return columns


def plain_values(column: Any) -> list[Any]:
    """A column's row values, JSON-ready (NaN and infinities as ``None``)."""
    if isinstance(column, np.ndarray):
        if column.dtype.kind in "biuf":
            values = column.tolist()
            if column.dtype.kind == "f" and not _all_finite(values, column):
                return json_ready(values)
            return values
        if column.dtype.kind in "OU" and column.ndim == 1:
            return [value if type(value) is str else json_ready(value)
                    for value in column.tolist()]
    return [json_ready(value) for value in column]


def repeated(value: Any, size: int) -> list[Any]:
    """A column giving every row the same value."""
    return [value] * size


def scalar_column(column: Any, size: int) -> Any:
    """One scalar per row: ``[N, 1, ...]`` arrays flattened; one-item row lists unwrapped."""
    if isinstance(column, np.ndarray) and column.ndim >= 1 and column.size == size:
        return column if column.ndim == 1 else column.reshape(size)
    return [scalar(value) for value in plain_values(column)]


def float_column(column: Any) -> np.ndarray:
    """A column as float64 (NaN where a row's value is missing or not a number)."""
    if isinstance(column, np.ndarray) and column.ndim == 1 and column.dtype.kind in "iuf":
        return column if column.dtype == np.float64 else column.astype(np.float64)
    return np.array([_float_or_nan(value) for value in plain_values(column)], dtype=np.float64)


def cluster_column(column: Any) -> Any:
    """Cluster identifiers: integers stay an integer array, others go through
    ``as_cluster_id`` row by row."""
    if isinstance(column, np.ndarray) and column.ndim == 1 and column.dtype.kind == "i":
        return column.astype(np.int64)
    return [as_cluster_id(value) for value in plain_values(column)]


def missing_column(size: int) -> np.ndarray:
    """A float column with no values (every row ``None``)."""
    return np.full(size, np.nan)


def scalar(value: Any) -> Any:
    """A value with one-item lists around it unwrapped."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _all_finite(values: list[Any], column: np.ndarray) -> bool:
    """Whether a float column holds no NaN or infinity (a sum that overflows says no, too).

    Summed in Python over the values already listed: about as fast as numpy for thousands
    of rows, and much faster for a few."""
    for _ in range(column.ndim - 1):
        values = chain.from_iterable(values)
    return math.isfinite(sum(values))


def _float_or_nan(value: Any) -> float:
    number = as_float(value)
    return np.nan if number is None else number
