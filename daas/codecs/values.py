"""Value-level conversions shared by row coercion and tensor decoding.

Every converter takes a pandas Series (one field's values, or a flattened tensor) and
either returns it converted or raises ``BadValue`` carrying the position and the
offending value, so callers can phrase the error with their own field and row.
Missing values are ``None`` or NaN on the way in; converters keep them missing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

#: Value kinds the converters know; every model dtype maps to one of them.
FLOAT, INTEGER, BOOLEAN, TEXT, OTHER = "float", "integer", "boolean", "text", "other"

_PMML_KINDS = {
    "double": FLOAT, "float": FLOAT, "real": FLOAT,
    "integer": INTEGER, "int": INTEGER, "long": INTEGER,
    "boolean": BOOLEAN,
}

#: ONNX element types (as ``Variable.dtype`` spells them) -> numpy dtype.
ONNX_DTYPES: dict[str, np.dtype] = {
    "float": np.dtype(np.float32), "double": np.dtype(np.float64),
    "float16": np.dtype(np.float16),
    "int8": np.dtype(np.int8), "int16": np.dtype(np.int16),
    "int32": np.dtype(np.int32), "int64": np.dtype(np.int64),
    "uint8": np.dtype(np.uint8), "uint16": np.dtype(np.uint16),
    "uint32": np.dtype(np.uint32), "uint64": np.dtype(np.uint64),
    "bool": np.dtype(np.bool_), "string": np.dtype(object),
}

# infer_dtype results that rule out booleans hiding among numbers (True == 1 to pandas).
_NO_BOOLEANS = frozenset({"string", "floating", "integer", "mixed-integer-float", "decimal",
                          "empty"})
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class BadValue(Exception):
    """A value that cannot be converted; ``position`` indexes the converted Series."""

    def __init__(self, position: int, value: Any, reason: str) -> None:
        super().__init__(f"{show(value)} {reason}")
        self.position = position
        self.value = value
        self.reason = reason

    @property
    def text(self) -> str:
        """The value and what is wrong with it, e.g. ``'abc' is not a number``."""
        return f"{show(self.value)} {self.reason}"


def show(value: Any, limit: int = 60) -> str:
    """A short rendering of a user's value for error messages (strings quoted)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, np.ndarray):
        text = json.dumps(value.tolist(), default=str)
    elif value is None or isinstance(value, (bool, dict, list, tuple)):
        text = json.dumps(value, default=str)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def pmml_kind(dtype: str) -> str:
    """The value kind of a PMML data type; dates, times and unknown types are text."""
    return _PMML_KINDS.get(dtype.lower(), TEXT)


def onnx_dtype(dtype: str) -> np.dtype | None:
    """The numpy dtype of an ONNX element type (``float`` or ``tensor(float)``), or None."""
    name = dtype.lower().strip()
    if name.startswith("tensor(") and name.endswith(")"):
        name = name[len("tensor("):-1]
    return ONNX_DTYPES.get(name)


def kind_of(dtype: np.dtype) -> str:
    """The value kind a numpy dtype holds."""
    if dtype.kind == "f":
        return FLOAT
    if dtype.kind in "iu":
        return INTEGER
    if dtype.kind == "b":
        return BOOLEAN
    return TEXT


def is_missing(value: Any) -> bool:
    """True for None and float NaN (how JSON null and empty CSV cells arrive)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def first_missing(values: pd.Series) -> int | None:
    """Position of the first missing value, or None."""
    hits = np.flatnonzero(values.isna().to_numpy())
    return int(hits[0]) if hits.size else None


def to_float(values: pd.Series) -> pd.Series:
    """Numbers and numeric strings -> float64; missing values and the string 'nan' -> NaN.

    Booleans, objects and lists are not numbers.
    """
    if values.dtype == object and ptypes.infer_dtype(values, skipna=True) == "string":
        parsed = _parsed_decimals(values)
        if parsed is not None:
            return parsed
    return _numbers(values).astype(np.float64)


def _parsed_decimals(texts: pd.Series) -> pd.Series | None:
    """float64 by pyarrow's C++ parser (~15x ``pd.to_numeric`` on strings), or None when a
    text is not in its narrower syntax and the general path has to judge it. The syntax it
    takes (decimals, exponents, nan, inf) ``float`` reads alike."""
    try:
        parsed = pc.cast(pa.array(texts.to_numpy(), type=pa.string(), from_pandas=True),
                         pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=texts.index)


def _numbers(values: pd.Series) -> pd.Series:
    """Like ``to_float`` but integers stay int64, so large ones keep their precision."""
    if ptypes.is_bool_dtype(values.dtype):
        _raise_first(values, values.notna().to_numpy(), "is not a number")
    if ptypes.is_numeric_dtype(values.dtype):
        return values
    converted = pd.to_numeric(values, errors="coerce")
    suspects = converted.isna().to_numpy() & values.notna().to_numpy()
    if values.dtype == object and ptypes.infer_dtype(values, skipna=True) not in _NO_BOOLEANS:
        suspects |= _is_instance(values, (bool, np.bool_))
    for position in np.flatnonzero(suspects):
        value = values.iat[position]
        if isinstance(value, str) and _is_nan_text(value):
            continue
        raise BadValue(int(position), value, "is not a number")
    return converted


def to_integer(values: pd.Series) -> pd.Series:
    """Whole numbers (3, 3.0, "3") -> int64; float64 with NaN if any value is missing."""
    numbers = _numbers(values)
    if ptypes.is_integer_dtype(numbers.dtype):
        return numbers.astype(np.int64) if numbers.dtype.kind == "i" else numbers
    floats = numbers.to_numpy(dtype=np.float64)
    present = ~np.isnan(floats)
    with np.errstate(invalid="ignore"):
        fractional = present & ~(np.isfinite(floats) & (floats == np.trunc(floats)))
    _raise_first(values, fractional, "is not an integer")
    if present.all():
        return pd.Series(floats.astype(np.int64), index=values.index)
    return pd.Series(floats, index=values.index)


def to_boolean(values: pd.Series) -> pd.Series:
    """true/false, "true"/"false" (any case), 0/1 and "0"/"1" -> bool; object if missing."""
    if ptypes.is_bool_dtype(values.dtype):
        return values.astype(bool)
    result = []
    for position, value in enumerate(values.tolist()):
        if is_missing(value):
            result.append(None)
        elif isinstance(value, (bool, np.bool_)):
            result.append(bool(value))
        elif isinstance(value, (int, float, np.number)) and value in (0, 1):
            result.append(bool(value))
        elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            result.append(value.strip().lower() in _TRUE)
        else:
            raise BadValue(position, value, "is not a boolean (use true or false)")
    if any(value is None for value in result):
        return pd.Series(result, index=values.index, dtype=object)
    return pd.Series(result, index=values.index, dtype=bool)


def to_text(values: pd.Series) -> pd.Series:
    """Strings stay, numbers become their shortest spelling (3.0 -> "3"); missing -> None."""
    if ptypes.is_string_dtype(values.dtype) and values.dtype != object:
        as_objects = values.astype(object)
        return as_objects.where(values.notna(), None)
    if values.dtype == object and ptypes.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.where(values.notna(), None)
    result = []
    for position, value in enumerate(values.tolist()):
        if is_missing(value):
            result.append(None)
        elif isinstance(value, str):
            result.append(value)
        elif isinstance(value, (bool, np.bool_)):
            result.append("true" if value else "false")
        elif isinstance(value, (int, float, np.number)):
            result.append(number_text(value))
        else:
            raise BadValue(position, value, "is not a string")
    return pd.Series(result, index=values.index, dtype=object)


def number_text(value: float | int) -> str:
    """Canonical spelling of a number, so 1, 1.0 and "1" compare equal as categories."""
    number = float(value)
    if number.is_integer():
        return str(int(value)) if isinstance(value, (int, np.integer)) else str(int(number))
    return repr(number)


def convert(values: pd.Series, kind: str) -> pd.Series:
    """Dispatch to the converter for a value kind; OTHER passes values through."""
    if kind == FLOAT:
        return to_float(values)
    if kind == INTEGER:
        return to_integer(values)
    if kind == BOOLEAN:
        return to_boolean(values)
    if kind == TEXT:
        return to_text(values)
    return values


def to_array(nested: Any, dtype: np.dtype) -> np.ndarray:
    """A nested list (or scalar) -> an array of ``dtype``; missing values are refused.

    Raises ``ValueError`` when the nesting is ragged and ``BadValue`` whose position
    indexes the flattened array.
    """
    raw = np.asarray(nested)
    flat = pd.Series(raw.reshape(-1))
    kind = kind_of(dtype)
    converted = convert(flat, kind)
    missing = first_missing(converted) if kind != BOOLEAN else _first_none(converted)
    if missing is not None:
        raise BadValue(missing, flat.iat[missing], "is missing (a value is required)")
    if kind == INTEGER:
        check_range(flat, converted, dtype)
    return converted.to_numpy().astype(dtype, copy=False).reshape(raw.shape)


def check_range(original: pd.Series, converted: pd.Series, dtype: np.dtype) -> None:
    """Refuse integers that do not fit an integer dtype (e.g. int32, uint8)."""
    limits = np.iinfo(dtype)
    numbers = converted.to_numpy()
    outside = (numbers < limits.min) | (numbers > limits.max)
    _raise_first(original, outside, f"is out of range for {dtype.name}")


def _first_none(values: pd.Series) -> int | None:
    if values.dtype != object:
        return None
    hits = np.flatnonzero(values.isna().to_numpy())
    return int(hits[0]) if hits.size else None


def _raise_first(values: pd.Series, mask: np.ndarray, reason: str) -> None:
    hits = np.flatnonzero(mask)
    if hits.size:
        position = int(hits[0])
        raise BadValue(position, values.iat[position], reason)


def _is_instance(values: Iterable[Any], types: tuple[type, ...]) -> np.ndarray:
    return np.fromiter((isinstance(value, types) for value in values), dtype=bool)


def _is_nan_text(text: str) -> bool:
    try:
        return math.isnan(float(text))
    except ValueError:
        return False
