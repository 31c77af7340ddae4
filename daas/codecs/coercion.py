"""Coerce decoded rows to a model's input schema before they reach a runtime."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from daas.codecs.json_document import parse_json
from daas.codecs.values import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    TEXT,
    BadValue,
    check_range,
    convert,
    first_missing,
    kind_of,
    number_text,
    onnx_dtype,
    pmml_kind,
    show,
    to_array,
)
from daas.errors import DaasError, InvalidInput
from daas.runtimes.base import ModelSchema, Variable

_MAX_LISTED_CATEGORIES = 20


def coerce_frame(frame: pd.DataFrame, schema: ModelSchema) -> pd.DataFrame:
    """Return the schema's input columns, in schema order, with values of the model's types.

    Extra columns are dropped and the index becomes 0..n-1, the row numbers that errors
    name. Errors are ``InvalidInput`` carrying ``field`` and ``row``.

    Missing values: a required field whose column is absent is refused ("missing in every
    row"); an absent optional field becomes an all-missing column. Within a present column,
    PMML inputs may hold null — PMML models define their own missing-value treatment — so
    numeric fields carry NaN and other fields None. ONNX inputs take no nulls.

    PMML: double/float -> float64; integer -> int64 (3.0 and "3" accepted, 3.5 refused;
    float64 with NaN when a value is missing); boolean -> bool (true/false, "true"/"false",
    0/1; object with None when missing); string and other types -> str. Categorical and
    ordinal fields with listed values refuse other values; numbers match categories by
    value (1, 1.0 and "1" all match "1") and are replaced by the category's spelling.
    Values outside a continuous field's intervals pass here; the PMML runtime applies the
    model's own invalid-value treatment (refusing them unless the model says asIs).

    ONNX: a ``[None]`` or ``[None, 1]`` input is a scalar per row (a one-element list is
    unwrapped) and becomes a typed column (float32, int64, object str...). Wider inputs
    (``[None, 4]``, ``[1, 1, 28, 28]``) hold one numpy array of shape ``shape[1:]`` per row
    (an object column; the runtime stacks them); a CSV cell may spell it as a JSON list.
    The string "nan" is the only way to send NaN to a float input.
    """
    if len(frame) == 0:
        raise InvalidInput("the request has no rows")
    frame = frame.reset_index(drop=True)
    columns: dict[str, pd.Series] = {}
    for variable in schema.inputs:
        column = _column(frame, variable)
        if column is None:
            columns[variable.name] = _absent_column(variable, schema, len(frame))
        elif schema.format == "pmml":
            columns[variable.name] = _coerce_pmml(column, variable)
        else:
            columns[variable.name] = _coerce_onnx(column, variable)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))


def _column(frame: pd.DataFrame, variable: Variable) -> pd.Series | None:
    name = variable.name
    if name not in frame.columns:
        if variable.required:
            raise InvalidInput(f"field '{name}' is missing in every row", field=name)
        return None
    column = frame[name]
    if isinstance(column, pd.DataFrame):
        raise InvalidInput(f"field '{name}' appears more than once", field=name)
    return column.reset_index(drop=True)


def _absent_column(variable: Variable, schema: ModelSchema, rows: int) -> pd.Series:
    if schema.format == "pmml" and pmml_kind(variable.dtype) in (FLOAT, INTEGER):
        return pd.Series(np.full(rows, np.nan))
    return pd.Series([None] * rows, dtype=object)


def _invalid(variable: Variable, row: int, problem: str, at: str = "") -> InvalidInput:
    return InvalidInput(f"row {row}, field '{variable.name}'{at}: {problem}",
                        field=variable.name, row=row)


# --- PMML ------------------------------------------------------------------------------

def _coerce_pmml(column: pd.Series, variable: Variable) -> pd.Series:
    kind = pmml_kind(variable.dtype)
    try:
        converted = convert(column, kind)
    except BadValue as bad:
        raise _invalid(variable, bad.position, bad.text) from None
    if variable.optype in ("categorical", "ordinal") and variable.values and kind != BOOLEAN:
        converted = _check_categories(column, converted, variable, kind)
    return converted


def _check_categories(original: pd.Series, converted: pd.Series, variable: Variable,
                      kind: str) -> pd.Series:
    allowed = variable.values or []
    if kind in (FLOAT, INTEGER):
        allowed_numbers = {number for number in map(_as_number, allowed) if number is not None}
        unknown = converted.notna().to_numpy() & ~converted.isin(allowed_numbers).to_numpy()
        for position in np.flatnonzero(unknown)[:1]:
            raise _not_a_category(variable, int(position), original.iat[position])
        return converted
    unknown = converted.notna().to_numpy() & ~converted.isin(set(allowed)).to_numpy()
    if not unknown.any():
        return converted
    # A category spelled "1" must accept 1.0 and "1.0": match remaining values by number.
    by_number = {number_text(n): spelling for spelling in allowed
                 if (n := _as_number(spelling)) is not None}
    result = converted.copy()
    for position in np.flatnonzero(unknown):
        number = _as_number(converted.iat[position])
        spelling = by_number.get(number_text(number)) if number is not None else None
        if spelling is None:
            raise _not_a_category(variable, int(position), original.iat[position])
        result.iat[position] = spelling
    return result


def _not_a_category(variable: Variable, row: int, value: Any) -> InvalidInput:
    allowed = variable.values or []
    listed = ", ".join(allowed[:_MAX_LISTED_CATEGORIES])
    if len(allowed) > _MAX_LISTED_CATEGORIES:
        listed += f", ... ({len(allowed)} in all)"
    return _invalid(variable, row, f"{show(value)} is not one of the model's categories: {listed}")


def _as_number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


#: infer_dtype results that rule out lists and arrays among a column's values.
_SCALAR_KINDS = frozenset({"string", "bytes", "floating", "integer", "mixed-integer-float",
                           "decimal", "complex", "boolean", "empty"})


# --- ONNX ------------------------------------------------------------------------------

def _coerce_onnx(column: pd.Series, variable: Variable) -> pd.Series:
    dtype = onnx_dtype(variable.dtype)
    if dtype is None:
        return column  # sequences and maps: left for the runtime to judge
    missing = first_missing(column)
    if missing is not None:
        raise _invalid(variable, missing, "a value is required (ONNX models take no nulls)")
    cell_shape = list((variable.shape or [None])[1:])
    if cell_shape in ([], [1]):
        return _scalar_cells(column, variable, dtype)
    return _tensor_cells(column, variable, dtype, cell_shape)


def _scalar_cells(column: pd.Series, variable: Variable, dtype: np.dtype) -> pd.Series:
    values = _unwrap_single_values(column, variable)
    kind = kind_of(dtype)
    try:
        converted = convert(values, kind)
        if kind != FLOAT:
            missing = first_missing(converted)
            if missing is not None:
                raise BadValue(missing, values.iat[missing], f"is not a valid {variable.dtype}")
        if kind == INTEGER:
            check_range(values, converted, dtype)
    except BadValue as bad:
        raise _invalid(variable, bad.position, bad.text) from None
    return converted.astype(object if kind == TEXT else dtype)


def _unwrap_single_values(column: pd.Series, variable: Variable) -> pd.Series:
    if column.dtype != object or ptypes.infer_dtype(column, skipna=True) in _SCALAR_KINDS:
        return column
    listed = [position for position, value in enumerate(column.tolist())
              if isinstance(value, (list, tuple, np.ndarray))]
    if not listed:
        return column
    values = column.copy()
    for position in listed:
        flat = np.ravel(np.asarray(values.iat[position], dtype=object))
        if flat.size != 1:
            raise _invalid(variable, position, f"expected 1 value, got {flat.size}")
        values.iat[position] = flat[0]
        if values.iat[position] is None:
            raise _invalid(variable, position, "a value is required (ONNX models take no nulls)")
    return values


def _tensor_cells(column: pd.Series, variable: Variable, dtype: np.dtype,
                  cell_shape: list[int | None]) -> pd.Series:
    cells = column.tolist()
    try:
        stacked = to_array(cells, dtype)
        if stacked.shape[0] == len(cells) and _fits(stacked.shape[1:], cell_shape):
            return _object_series(list(stacked))
    except (ValueError, BadValue):
        pass  # find and name the first bad row below
    arrays: list[np.ndarray] = []
    for row, cell in enumerate(cells):
        array = _cell_array(cell, row, variable, dtype, cell_shape)
        if arrays and array.shape != arrays[0].shape:
            raise _invalid(variable, row, f"shape {list(array.shape)} differs from row 0's "
                                          f"{list(arrays[0].shape)}")
        arrays.append(array)
    return _object_series(arrays)


def _cell_array(cell: Any, row: int, variable: Variable, dtype: np.dtype,
                cell_shape: list[int | None]) -> np.ndarray:
    if isinstance(cell, str):
        cell = _parse_list(cell, row, variable, cell_shape)
    try:
        array = to_array(cell, dtype)
    except ValueError:
        raise _invalid(variable, row, f"nested lists are ragged, expected shape "
                                      f"{_show_shape(cell_shape)}") from None
    except BadValue as bad:
        where = np.unravel_index(bad.position, np.shape(cell)) if np.ndim(cell) else ()
        at = f" at {list(map(int, where))}" if where else ""
        raise _invalid(variable, row, bad.text, at) from None
    if not _fits(array.shape, cell_shape):
        raise _invalid(variable, row, _shape_problem(array.shape, cell_shape))
    return array


def _parse_list(text: str, row: int, variable: Variable, cell_shape: list[int | None]) -> Any:
    try:
        parsed = parse_json(text)
    except DaasError:  # malformed, nested too deep, or holding NaN/infinities
        parsed = None
    if not isinstance(parsed, list):
        raise _invalid(variable, row, f"{show(text)} is not a list; expected "
                                      f"{_expected(cell_shape)}")
    return parsed


def _fits(shape: tuple[int, ...], expected: list[int | None]) -> bool:
    return len(shape) == len(expected) and all(
        want is None or want == got for got, want in zip(shape, expected))


def _shape_problem(shape: tuple[int, ...], expected: list[int | None]) -> str:
    got = "a single value" if not shape else (
        str(shape[0]) if len(shape) == 1 and len(expected) == 1 else _show_shape(list(shape)))
    return f"expected {_expected(expected)}, got {got}"


def _expected(expected: list[int | None]) -> str:
    if len(expected) == 1 and expected[0] is not None:
        return f"{expected[0]} values"
    return f"shape {_show_shape(expected)}"


def _show_shape(shape: list[int | None]) -> str:
    return "[" + ", ".join("?" if dim is None else str(dim) for dim in shape) + "]"


def _object_series(cells: list[np.ndarray]) -> pd.Series:
    holder = np.empty(len(cells), dtype=object)
    for position, cell in enumerate(cells):
        holder[position] = cell
    return pd.Series(holder, dtype=object)
