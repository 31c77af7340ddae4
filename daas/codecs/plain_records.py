"""A fast path for the commonest online request: a few records of plain numbers.

``plain_records_frame`` builds the coerced frame straight from the records, without the
general path's intermediate DataFrame and per-column pandas conversions. It answers only
when the result is certain to equal ``coerce_frame``'s: every model input is a scalar
number field (PMML double/float/integer without listed categories; ONNX float or int64
of shape ``[N]``/``[N, 1]``), and every record gives each input a finite ``float`` or an
``int`` that its type holds exactly. Anything else — a missing key, null, NaN, a string, a
boolean, a list, more than ``MAX_ROWS`` records — returns ``None`` and takes the general
path, which also phrases every error.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from daas.codecs.values import FLOAT, INTEGER, kind_of, onnx_dtype, pmml_kind
from daas.runtimes.base import ModelSchema, Variable

#: Larger requests gain little from the fast path; they take the general one.
MAX_ROWS = 64
_FLOAT64 = np.dtype(np.float64)
_INT64 = np.dtype(np.int64)
_EXACT_IN_FLOAT = 2**53  # larger ints may round differently on the two paths
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def plain_records_frame(records: list[Any], schema: ModelSchema) -> pd.DataFrame | None:
    """The coerced frame of ``records``, or ``None`` when the general path must decide."""
    if not records or len(records) > MAX_ROWS or not schema.inputs:
        return None
    names = tuple(variable.name for variable in schema.inputs)
    if len(set(names)) != len(names):
        return None
    dtypes: list[np.dtype] = []
    columns: list[list[int | float]] = []
    for variable in schema.inputs:
        dtype = _plain_dtype(variable, schema.format)
        values = None if dtype is None else _plain_values(records, variable.name, dtype.kind == "i")
        if values is None:
            return None
        dtypes.append(dtype)
        columns.append(values)
    index = pd.RangeIndex(len(records))
    if len(set(dtypes)) == 1:
        # One block of shape (fields, rows): pandas keeps it as is, no copy.
        block = _array(columns, dtypes[0])
        return pd.DataFrame(block.T, columns=_column_index(names), index=index, copy=False)
    return pd.DataFrame({name: _array(values, dtype) for name, values, dtype
                         in zip(names, columns, dtypes)}, index=index, copy=False)


def _plain_dtype(variable: Variable, fmt: str) -> np.dtype | None:
    """The column dtype ``coerce_frame`` gives a plain number field, else ``None``."""
    if fmt == "pmml":
        if variable.optype in ("categorical", "ordinal") and variable.values:
            return None
        kind = pmml_kind(variable.dtype)
        return _FLOAT64 if kind == FLOAT else _INT64 if kind == INTEGER else None
    dtype = onnx_dtype(variable.dtype)
    if dtype is None or list((variable.shape or [None])[1:]) not in ([], [1]):
        return None
    return dtype if kind_of(dtype) == FLOAT or dtype == _INT64 else None


def _plain_values(records: list[Any], name: str, whole: bool) -> list[int | float] | None:
    """The field's values if each is a number the column holds exactly, else ``None``."""
    values = []
    for record in records:
        if type(record) is not dict:
            return None
        value = record.get(name)
        kind = type(value)
        if kind is int:
            if not (_INT64_MIN <= value <= _INT64_MAX if whole
                    else -_EXACT_IN_FLOAT <= value <= _EXACT_IN_FLOAT):
                return None
        elif kind is not float or whole or not math.isfinite(value):
            return None
        values.append(value)
    return values


def _array(values: list, dtype: np.dtype) -> np.ndarray:
    # Through float64 as the general path goes, so float32 rounds the same way.
    if dtype.kind == "i":
        return np.array(values, dtype=_INT64)
    return np.array(values, dtype=_FLOAT64).astype(dtype, copy=False)


@lru_cache(maxsize=256)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """Building a column index of strings costs more than the rest of a small frame."""
    return pd.Index(list(names))
