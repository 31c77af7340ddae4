"""Named tensors in and out: ``{"inputs": {name: nested list}}`` and the Open Inference
Protocol (v2) tensor entries ``{"name", "shape", "datatype", "data"}``."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from daas.codecs.values import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    ONNX_DTYPES,
    TEXT,
    BadValue,
    check_range,
    kind_of,
    onnx_dtype,
    to_array,
)
from daas.errors import BadRequest, InvalidInput
from daas.runtimes.base import ModelSchema, Variable

#: Open Inference Protocol datatypes -> numpy dtypes (BYTES holds Python strings).
V2_DATATYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype(np.bool_),
    "UINT8": np.dtype(np.uint8), "UINT16": np.dtype(np.uint16),
    "UINT32": np.dtype(np.uint32), "UINT64": np.dtype(np.uint64),
    "INT8": np.dtype(np.int8), "INT16": np.dtype(np.int16),
    "INT32": np.dtype(np.int32), "INT64": np.dtype(np.int64),
    "FP16": np.dtype(np.float16), "FP32": np.dtype(np.float32), "FP64": np.dtype(np.float64),
    "BYTES": np.dtype(object),
}
_DATATYPE_OF_KIND = {value.str: key for key, value in V2_DATATYPES.items() if key != "BYTES"}
#: Schema dtype names (ONNX element types and PMML's integer/boolean) -> v2 datatypes.
_DATATYPE_OF_DTYPE = {
    **{name: _DATATYPE_OF_KIND.get(dtype.str, "BYTES") for name, dtype in ONNX_DTYPES.items()},
    "integer": "INT64", "boolean": "BOOL",
}


def v2_datatype(dtype_name: str) -> str:
    """The Open Inference Protocol datatype of a schema dtype (``float`` -> ``FP32``);
    ``BYTES`` for strings and any type without a numeric or boolean datatype."""
    return _DATATYPE_OF_DTYPE.get(dtype_name.lower(), "BYTES")


def decode_named_tensors(inputs: dict[str, Any], schema: ModelSchema) -> dict[str, np.ndarray]:
    """``{name: nested list}`` -> arrays of the model's dtypes, shapes checked against it."""
    variables = _variables_for(list(inputs), schema)
    tensors = {}
    for name, nested in inputs.items():
        variable = variables[name]
        tensors[name] = _fit_to_variable(_array(nested, _model_dtype(variable), name), variable)
    return tensors


def decode_v2_inputs(inputs: list[Any], schema: ModelSchema) -> dict[str, np.ndarray]:
    """Open Inference Protocol input entries -> arrays of the model's dtypes.

    ``data`` may be flat or nested; it is read as ``datatype`` and reshaped to ``shape``,
    then cast to the model's dtype where no value changes (ints to floats, whole floats
    to ints).
    """
    entries = _v2_entries(inputs)
    variables = _variables_for(list(entries), schema)
    tensors = {}
    for name, (shape, datatype, data) in entries.items():
        array = _v2_array(name, shape, datatype, data)
        tensors[name] = _fit_to_variable(_cast(array, variables[name], datatype), variables[name])
    return tensors


def v2_inputs_to_frame(inputs: list[Any]) -> pd.DataFrame:
    """Open Inference Protocol inputs as columns (shape ``[n]`` or ``[n, 1]``) -> a frame.

    This is how row-based models (PMML) take v2 requests: one input per field.
    """
    columns: dict[str, list[Any]] = {}
    rows: int | None = None
    for name, (shape, datatype, data) in _v2_entries(inputs).items():
        if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
            raise InvalidInput(f"input '{name}' has shape {shape}; this model takes one "
                               "column per field, shape [n] or [n, 1]", field=name)
        if rows is not None and shape[0] != rows:
            raise InvalidInput(f"input '{name}' has {shape[0]} rows but other inputs have "
                               f"{rows}", field=name)
        rows = shape[0]
        columns[name] = _v2_array(name, shape, datatype, data, allow_missing=True).reshape(-1)
    return pd.DataFrame(columns)


def tensors_to_v2_outputs(outputs: dict[str, Any]) -> list[dict[str, Any]]:
    """Named output arrays -> Open Inference Protocol output entries with flattened data.

    Numeric and boolean arrays keep their datatype; strings, bytes (decoded as UTF-8) and
    other objects (JSON-encoded, e.g. ONNX probability maps) are sent as BYTES.
    """
    entries = []
    for name, value in outputs.items():
        array = np.asarray(value)
        datatype = _DATATYPE_OF_KIND.get(array.dtype.str if array.dtype.kind != "O" else "",
                                          "BYTES")
        data = array.reshape(-1).tolist()
        if datatype == "BYTES":
            data = [_as_text(item) for item in data]
        elif array.dtype.kind == "f" and np.isnan(array).any():
            data = [None if math.isnan(item) else item for item in data]  # JSON has no NaN
        entries.append({"name": name, "shape": list(array.shape), "datatype": datatype,
                        "data": data})
    return entries


def _as_text(item: Any) -> str:
    if isinstance(item, bytes):
        return item.decode("utf-8", errors="replace")
    if isinstance(item, str):
        return item
    return json.dumps(item, default=str)


def _variables_for(names: list[str], schema: ModelSchema) -> dict[str, Variable]:
    known = {variable.name: variable for variable in schema.inputs}
    for name in names:
        if name not in known:
            raise InvalidInput(f"the model has no input '{name}' (inputs: "
                               f"{', '.join(known)})", field=name)
    for variable in schema.inputs:
        if variable.required and variable.name not in names:
            raise InvalidInput(f"input '{variable.name}' is missing", field=variable.name)
    return known


def _v2_entries(inputs: list[Any]) -> dict[str, tuple[list[int], str, Any]]:
    if not inputs:
        raise BadRequest("'inputs' is empty")
    entries: dict[str, tuple[list[int], str, Any]] = {}
    for position, entry in enumerate(inputs):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise BadRequest(f"inputs[{position}] must be an object with a string 'name'")
        name = entry["name"]
        shape, datatype, data = entry.get("shape"), entry.get("datatype"), entry.get("data")
        if not isinstance(shape, list) or not all(
                isinstance(dim, int) and not isinstance(dim, bool) and dim >= 0 for dim in shape):
            raise BadRequest(f"input '{name}': 'shape' must be a list of non-negative integers")
        if datatype not in V2_DATATYPES:
            raise BadRequest(f"input '{name}': datatype {datatype!r} is not supported (use "
                             f"{', '.join(V2_DATATYPES)})")
        if data is None:
            raise BadRequest(f"input '{name}': 'data' is missing")
        if name in entries:
            raise BadRequest(f"input '{name}' appears more than once")
        entries[name] = (shape, datatype, data)
    return entries


def _v2_array(name: str, shape: list[int], datatype: str, data: Any,
              allow_missing: bool = False) -> np.ndarray:
    dtype = V2_DATATYPES[datatype]
    if allow_missing and kind_of(dtype) != BOOLEAN:
        array = _loose_array(data, name)
    else:
        array = _array(data, dtype, name)
    if array.size != math.prod(shape):
        raise InvalidInput(f"input '{name}': shape {shape} needs {math.prod(shape)} values, "
                           f"got {array.size}", field=name)
    return array.reshape(shape)


def _loose_array(data: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(data, dtype=object).reshape(-1)
    except ValueError:
        raise InvalidInput(f"input '{name}': nested lists are ragged", field=name) from None


def _array(nested: Any, dtype: np.dtype, name: str) -> np.ndarray:
    try:
        return to_array(nested, dtype)
    except ValueError:
        raise InvalidInput(f"input '{name}': nested lists are ragged", field=name) from None
    except BadValue as bad:
        shape = np.shape(nested)
        at = f" at {list(map(int, np.unravel_index(bad.position, shape)))}" if shape else ""
        raise InvalidInput(f"input '{name}'{at}: {bad.text}", field=name) from None


def _model_dtype(variable: Variable) -> np.dtype:
    dtype = onnx_dtype(variable.dtype)
    if dtype is None:
        raise InvalidInput(f"input '{variable.name}' has type {variable.dtype}, which cannot "
                           "be sent as a tensor", field=variable.name)
    return dtype


def _cast(array: np.ndarray, variable: Variable, datatype: str) -> np.ndarray:
    target = _model_dtype(variable)
    if array.dtype == target:
        return array
    source_kind, target_kind = kind_of(array.dtype), kind_of(target)
    numeric = (FLOAT, INTEGER)
    if source_kind in numeric and target_kind == FLOAT:
        return array.astype(target)
    if source_kind in numeric and target_kind == INTEGER:
        flat = pd.Series(array.reshape(-1))
        if source_kind == FLOAT and not np.all(np.trunc(array) == array):
            raise InvalidInput(f"input '{variable.name}' is {datatype} with fractions but the "
                               f"model expects {variable.dtype}", field=variable.name)
        try:
            check_range(flat, flat, target)
        except BadValue as bad:
            raise InvalidInput(f"input '{variable.name}': {bad.text}",
                               field=variable.name) from None
        return array.astype(target)
    if source_kind == target_kind == TEXT:
        return array
    raise InvalidInput(f"input '{variable.name}' is {datatype} but the model expects "
                       f"{variable.dtype}", field=variable.name)


def _fit_to_variable(array: np.ndarray, variable: Variable) -> np.ndarray:
    expected = variable.shape
    if expected is None:
        return array
    if array.ndim == len(expected) - 1 and expected[-1] == 1:
        array = array.reshape(*array.shape, 1)  # a column [n] for a [None, 1] input
    fits = array.ndim == len(expected) and all(
        want is None or want == got for got, want in zip(array.shape, expected))
    if not fits:
        shown = "[" + ", ".join("?" if dim is None else str(dim) for dim in expected) + "]"
        raise InvalidInput(f"input '{variable.name}' has shape {list(array.shape)} but the "
                           f"model expects {shown}", field=variable.name)
    return array
