"""Predictions -> an Arrow table whose columns are the same for every chunk of a run.

Columns and their order follow ``daas.codecs.responses.flatten_predictions`` (the CSV
download's rules). The set of columns and their types is fixed once per run, by scoring
the first rows of the input (the probe); later rows fill those columns, and a column that
only later rows would produce is left out, so every part file of a run has one schema.

Types: probabilities, values, distances, affinities and components are ``double``; other
columns take the type of the probe's values (``int64``, ``double``, ``bool`` or
``string``; ``string`` when the probe saw only missing values), except that whole numbers
in a raw output the model declares as floating point make it ``double``. Lists and
objects are stored as JSON text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import BaseModel

from daas.codecs.responses import ColumnGroup, flatten_predictions, nested_to_json
from daas.errors import InternalError
from daas.runtimes.base import ModelSchema
from daas.runtimes.columns import Columns, plain_values, repeated, rows_from_columns

ARROW_TYPES: dict[str, pa.DataType] = {
    "double": pa.float64(), "int64": pa.int64(), "bool": pa.bool_(), "string": pa.string(),
}
_FLOAT_GROUPS = {ColumnGroup.PROBABILITY, ColumnGroup.VALUE, ColumnGroup.DISTANCE,
                 ColumnGroup.AFFINITY, ColumnGroup.COMPONENT}
_FLOAT_DTYPES = {"double", "float", "float16", "float32", "float64", "bfloat16", "real"}


class OutputColumn(BaseModel):
    """One flat output column, where a prediction row keeps its value, and its Arrow type
    name (a key of ``ARROW_TYPES``)."""

    name: str
    group: int
    path: list[str | int]
    type: str


def probe_layout(rows: list[dict[str, Any]], schema: ModelSchema) -> list[OutputColumn]:
    """The output columns for a run, from the predictions of its first rows."""
    declared_float = {v.name for v in schema.outputs if v.dtype.lower() in _FLOAT_DTYPES}
    columns, flat_rows = flatten_predictions(rows)
    layout = []
    for name, group, path in columns:
        raw_name = path[1] if group == ColumnGroup.OUTPUT else None
        kind = _infer_type([_plain(flat.get(name)) for flat in flat_rows])
        if group in _FLOAT_GROUPS or (kind == "int64" and raw_name in declared_float):
            kind = "double"
        layout.append(OutputColumn(name=name, group=int(group), path=list(path), type=kind))
    return layout


def outputs_table(columns: Columns, size: int, layout: list[OutputColumn]) -> pa.Table:
    """``size`` rows of prediction columns (``ModelRuntime.predict_columns``) as a table with
    exactly the layout's columns."""
    arrays = [_arrow_array(_column(columns, column.path, size), column) for column in layout]
    return pa.Table.from_arrays(arrays, schema=outputs_schema(layout))


def outputs_schema(layout: list[OutputColumn]) -> pa.Schema:
    """The Arrow schema of the layout's columns."""
    return pa.schema([pa.field(column.name, ARROW_TYPES[column.type]) for column in layout])


def _column(columns: Columns, path: list[str | int], size: int) -> Any:
    """The column at a flat column's path: ``(key,)``, ``(key, sub)`` or ``(key, position)``."""
    value = columns.get(path[0])
    if value is None:
        return repeated(None, size)
    if len(path) == 1:
        if isinstance(value, dict):
            return [row[path[0]] for row in rows_from_columns({path[0]: value}, size)]
        return value
    sub = path[1]
    if isinstance(value, dict):
        return value[sub] if isinstance(sub, str) and sub in value else repeated(None, size)
    if isinstance(sub, int) and isinstance(value, np.ndarray) and value.ndim >= 2:
        return value[:, sub] if sub < value.shape[1] else repeated(None, size)
    pick = _item if isinstance(sub, int) else _entry
    return [pick(row_value, sub) for row_value in plain_values(value)]


def _entry(container: Any, key: str) -> Any:
    return container.get(key) if isinstance(container, dict) else None


def _item(container: Any, position: int) -> Any:
    if isinstance(container, (list, tuple)) and position < len(container):
        return container[position]
    return None


def _plain(value: Any) -> Any:
    return nested_to_json(value) if value is not None else None


def _infer_type(values: list[Any]) -> str:
    present = [value for value in values if value is not None]
    if not present:
        return "string"
    if all(isinstance(value, bool) for value in present):
        return "bool"
    if all(isinstance(value, int) and not isinstance(value, bool) for value in present):
        return "int64"
    if all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in present):
        return "double"
    return "string"


def _arrow_array(values: Any, column: OutputColumn) -> pa.Array:
    """A column's values as an array of the column's type: numpy arrays without a pass per
    row where Arrow reads them directly, everything else value by value."""
    if isinstance(values, np.ndarray):
        fast = _numpy_array(values, column.type)
        if fast is not None:
            return fast
        values = plain_values(values)
    return _array(values, column)


def _array(values: list[Any], column: OutputColumn) -> pa.Array:
    target = ARROW_TYPES[column.type]
    fast = _typed_array(values, column.type)
    if fast is not None:
        return fast
    plain = [_plain(value) for value in values]
    if column.type == "string":
        plain = [_text(value) for value in plain]
    else:
        if column.type == "int64":
            plain = [_integer(value) for value in plain]
        bad = next((v for v in plain if v is not None and not _fits(v, column.type)), None)
        if bad is not None:
            raise InternalError(f"output column '{column.name}' holds {bad!r}, but the first "
                                f"rows of the run made it a {column.type} column")
    return pa.array(plain, type=target)


def _numpy_array(values: np.ndarray, kind: str) -> pa.Array | None:
    """A 1-D numeric or text array as an array of ``kind`` (non-finite numbers as nulls);
    None when it needs the value-by-value rules."""
    if values.ndim != 1 or values.dtype.kind not in "biufOU":
        return None
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        return _cast(pa.array(values, mask=None if finite.all() else ~finite), kind)
    array = _inferred(values)
    if values.dtype.kind == "O" and array is not None \
            and not (pa.types.is_string(array.type) or pa.types.is_null(array.type)):
        return None  # Python objects other than text: as their JSON-ready values
    return _cast(array, kind)


def _typed_array(values: list[Any], kind: str) -> pa.Array | None:
    """The values as an array of ``kind`` when Arrow's own inference fits; else None."""
    return _cast(_inferred(values), kind)


def _inferred(values: Any) -> pa.Array | None:
    """The values as Arrow infers them; None when it cannot."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return None


def _cast(array: pa.Array | None, kind: str) -> pa.Array | None:
    """``array`` as ``kind`` when it holds that type, nulls only, or numbers that fit."""
    if array is None:
        return None
    found = array.type
    target = ARROW_TYPES[kind]
    if found == target or pa.types.is_null(found):
        return array.cast(target)
    numeric = pa.types.is_integer(found) or pa.types.is_floating(found)
    if kind == "double" and numeric:
        return array.cast(target)
    if kind == "int64" and numeric:
        try:
            return array.cast(target)  # a safe cast: fractions are refused
        except pa.ArrowInvalid:
            return None
    return None


def _text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _integer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fits(value: Any, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int64":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)
