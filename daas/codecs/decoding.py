"""Request bodies -> ``DecodedRequest``: JSON rows or tensors, and CSV rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from daas.codecs.coercion import coerce_frame
from daas.codecs.csv_cells import read_csv_cells
from daas.codecs.plain_records import plain_records_frame
from daas.codecs.tensors import (
    decode_named_tensors,
    decode_v2_inputs,
    v2_inputs_to_frame,
)
from daas.errors import BadRequest, InvalidInput
from daas.runtimes.base import ModelSchema

ACCEPTED_SHAPES = (
    'Accepted JSON bodies: records {"data": [{"field": value, ...}, ...]}; one record '
    '{"data": {"field": value, ...}}; split {"data": {"columns": [...], "data": [[...], ...]}}; '
    'and for ONNX models named tensors {"inputs": {"name": nested list}} or Open Inference '
    'Protocol {"inputs": [{"name": ..., "shape": [...], "datatype": "FP32", "data": [...]}]}.'
)
_SPLIT_KEYS = frozenset({"columns", "data", "index"})


@dataclass(frozen=True)
class DecodedRequest:
    """A decoded request: coerced rows (``frame``) or named arrays (``tensors``), never both."""

    frame: pd.DataFrame | None = None
    tensors: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if (self.frame is None) == (self.tensors is None):
            raise ValueError("a DecodedRequest holds exactly one of frame and tensors")


def decode_json(body: Any, schema: ModelSchema) -> DecodedRequest:
    """Decode a parsed JSON body (see ``ACCEPTED_SHAPES``) and coerce it to the schema.

    Rows come back coerced by ``coerce_frame`` (a few records of plain numbers take a
    shortcut to the same frame, see ``daas.codecs.plain_records``). In records, a row
    lacking the key of a required field is refused even where other rows have it; send
    null for a missing PMML value. Tensors are for ONNX models; PMML models take v2 inputs
    only as columns (shape ``[n]`` or ``[n, 1]``, one per field), which become rows.
    """
    if not isinstance(body, dict) or ("data" in body) == ("inputs" in body):
        both = isinstance(body, dict) and "data" in body
        raise BadRequest(("Send either 'data' or 'inputs', not both. " if both else
                          "Unrecognised request body. ") + ACCEPTED_SHAPES)
    if "inputs" in body:
        return _decode_inputs(body["inputs"], schema)
    data = body["data"]
    if isinstance(data, dict) and _is_split(data):
        frame = _split_frame(data)
    elif isinstance(data, (list, dict)):
        records = data if isinstance(data, list) else [data]
        plain = plain_records_frame(records, schema)
        if plain is not None:
            return DecodedRequest(frame=plain)
        frame = _records_frame(records, schema)
    else:
        raise BadRequest(f"'data' must be a list of records or an object. {ACCEPTED_SHAPES}")
    return DecodedRequest(frame=coerce_frame(frame, schema))


def decode_csv(data: bytes | str, schema: ModelSchema) -> DecodedRequest:
    """Decode CSV text (UTF-8, header row of field names) and coerce it to the schema.

    Empty cells are missing values; blank lines are skipped; spaces that open a cell are
    ignored. A row with more or fewer cells than the header is refused.
    """
    cells = read_csv_cells(_utf8_text(data))
    _refuse_duplicates([name for name in cells.header if name])
    columns = {name: pd.Series(column, dtype=object)
               for name, column in zip(cells.header, cells.columns) if name}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(cells.rows))
    return DecodedRequest(frame=coerce_frame(frame, schema))


def _decode_inputs(inputs: Any, schema: ModelSchema) -> DecodedRequest:
    if schema.format != "onnx":
        if isinstance(inputs, list):
            return DecodedRequest(frame=coerce_frame(v2_inputs_to_frame(inputs), schema))
        raise BadRequest(f"{schema.format.upper()} models take rows, not named tensors: send "
                         '{"data": [{"field": value, ...}, ...]}')
    if isinstance(inputs, dict):
        if not inputs:
            raise BadRequest("'inputs' is empty")
        return DecodedRequest(tensors=decode_named_tensors(inputs, schema))
    if isinstance(inputs, list):
        return DecodedRequest(tensors=decode_v2_inputs(inputs, schema))
    raise BadRequest(f"'inputs' must be an object or a list. {ACCEPTED_SHAPES}")


def _records_frame(records: list[Any], schema: ModelSchema) -> pd.DataFrame:
    if not records:
        raise InvalidInput("the request has no rows")
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            raise BadRequest(f"data[{position}] is not an object of field: value. "
                             f"{ACCEPTED_SHAPES}")
    frame = pd.DataFrame(records, index=pd.RangeIndex(len(records)))
    _refuse_absent_keys(frame, records, schema)
    return frame


def _refuse_absent_keys(frame: pd.DataFrame, records: list[dict[str, Any]],
                        schema: ModelSchema) -> None:
    """A missing key is a mistake, a null is a missing value; both read as NaN in the frame."""
    hint = " (send null for a missing value)" if schema.format == "pmml" else ""
    for variable in schema.inputs:
        name = variable.name
        if not variable.required or name not in frame.columns:
            continue
        for position in np.flatnonzero(frame[name].isna().to_numpy()):
            if name not in records[position]:
                raise InvalidInput(f"row {position}, field '{name}' is missing{hint}",
                                   field=name, row=int(position))


def _is_split(data: dict[str, Any]) -> bool:
    return ("columns" in data and "data" in data and set(data) <= _SPLIT_KEYS
            and isinstance(data["columns"], list))


def _split_frame(split: dict[str, Any]) -> pd.DataFrame:
    columns, rows = split["columns"], split["data"]
    if not all(isinstance(name, str) for name in columns):
        raise BadRequest("split 'columns' must be a list of field names")
    if not isinstance(rows, list):
        raise BadRequest("split 'data' must be a list of rows, each a list of values")
    if not rows:
        raise InvalidInput("the request has no rows")
    _refuse_duplicates(columns)
    for position, row in enumerate(rows):
        if not isinstance(row, list):
            raise BadRequest(f"split data[{position}] must be a list of values")
        if len(row) != len(columns):
            raise InvalidInput(f"row {position} has {len(row)} values but there are "
                               f"{len(columns)} columns", row=position)
    by_column = zip(*rows) if columns else ()
    return pd.DataFrame({name: pd.Series(list(values), dtype=object)
                         for name, values in zip(columns, by_column)},
                        index=pd.RangeIndex(len(rows)))


def _refuse_duplicates(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidInput(f"column '{name}' appears more than once", field=name)
        seen.add(name)


def _utf8_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the CSV is not UTF-8 text (byte {exc.start} is invalid)") from None
