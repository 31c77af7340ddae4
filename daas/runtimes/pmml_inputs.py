"""Check rows against a PMML model's input fields before scoring.

The evaluator answers an invalid value (a word in a numeric field, an unknown category or an
out-of-range number under ``invalidValueTreatment="returnInvalid"``) with an all-empty row;
catching it here lets the caller name the field and row instead. Missing values are fine:
PMML models say themselves how to treat them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.json import ujson_dumps

from daas.errors import InvalidInput
from daas.runtimes.base import Interval, Variable
from daas.runtimes.pmml_schema import NUMERIC_TYPES


def prepare_frame(frame: pd.DataFrame, inputs: list[Variable],
                  invalid_treatment: dict[str, str]) -> pd.DataFrame:
    """The frame restricted to the model's inputs, numeric fields as numbers; raises
    ``InvalidInput`` naming the field (and row) of the first bad value."""
    return pd.DataFrame(prepare_columns(frame, inputs, invalid_treatment), index=frame.index)


def evaluator_request(frame: pd.DataFrame, inputs: list[Variable],
                      invalid_treatment: dict[str, str]) -> str:
    """The evaluator's JSON request: ``prepare_frame(...).to_json(orient="split",
    index=False)``, written directly when every column holds plain numbers."""
    columns = prepare_columns(frame, inputs, invalid_treatment)
    if not columns or not all(column.dtype.kind in "biuf" and isinstance(column.dtype, np.dtype)
                              for column in columns.values()):
        return pd.DataFrame(columns, index=frame.index).to_json(orient="split", index=False)
    values = [column.to_numpy().tolist() for column in columns.values()]
    split = {"columns": list(columns), "data": [list(row) for row in zip(*values)]}
    # The same encoder and settings as DataFrame.to_json (floats to 10 decimal places).
    return ujson_dumps(split, double_precision=10, ensure_ascii=True)


def prepare_columns(frame: pd.DataFrame, inputs: list[Variable],
                    invalid_treatment: dict[str, str]) -> dict[str, pd.Series]:
    """``prepare_frame``'s columns by name, before they become a frame."""
    columns: dict[str, pd.Series] = {}
    for variable in inputs:
        name = variable.name
        if name not in frame.columns:
            if variable.required:
                raise InvalidInput(f"missing input '{name}'", field=name)
            columns[name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
            continue
        column = frame[name]
        if variable.dtype in NUMERIC_TYPES:
            column = _as_numbers(column, name)
        if invalid_treatment.get(name, "returnInvalid") == "returnInvalid":
            _check_valid(column, variable)
        columns[name] = column
    return columns


def _as_numbers(column: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(column):
        raise InvalidInput(f"'{name}' must be a number, got a boolean", field=name)
    if pd.api.types.is_numeric_dtype(column):
        return column
    numbers = pd.to_numeric(column.map(_blank_to_none), errors="coerce")
    bad = column.map(_blank_to_none).notna() & numbers.isna()
    bad |= column.map(lambda v: isinstance(v, bool))
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InvalidInput(f"'{name}' must be a number, got {column.iloc[row]!r}",
                           field=name, row=row)
    return numbers


def _check_valid(column: pd.Series, variable: Variable) -> None:
    name = variable.name
    categorical = variable.optype in ("categorical", "ordinal")
    if categorical and variable.values:
        allowed = _allowed_keys(variable)
        for row, value in enumerate(column.tolist()):
            if not _is_missing(value) and _key(value, variable.dtype) not in allowed:
                shown = ", ".join(variable.values[:20])
                raise InvalidInput(f"'{name}' has an unknown value {value!r}; allowed: {shown}"
                                   f"{', ...' if len(variable.values) > 20 else ''}",
                                   field=name, row=row)
    elif variable.optype == "continuous" and variable.intervals \
            and variable.dtype in NUMERIC_TYPES:
        for row, value in enumerate(column.tolist()):
            if not _is_missing(value) and not any(_inside(float(value), i)
                                                  for i in variable.intervals):
                ranges = ", ".join(_interval_text(i) for i in variable.intervals)
                raise InvalidInput(f"'{name}' is out of range: {value!r} is not in {ranges}",
                                   field=name, row=row)


def _allowed_keys(variable: Variable) -> set[Any]:
    return {_key(v, variable.dtype) for v in variable.values or []}


def _key(value: Any, dtype: str) -> Any:
    if dtype in NUMERIC_TYPES:
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a category "1" read from CSV as 1.0
    return str(value)


def _inside(value: float, interval: Interval) -> bool:
    closure = interval.closure
    left, right = interval.left, interval.right
    if left is not None and (value < left or (value == left and closure.startswith("open"))):
        return False
    return right is None or not (value > right or (value == right and closure.endswith("Open")))


def _interval_text(interval: Interval) -> str:
    left = "(" if interval.closure.startswith("open") else "["
    right = ")" if interval.closure.endswith("Open") else "]"
    low = "-inf" if interval.left is None else f"{interval.left:g}"
    high = "inf" if interval.right is None else f"{interval.right:g}"
    return f"{left}{low}, {high}{right}"


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA
