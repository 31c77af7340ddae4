"""JSON request documents parsed within bounds: UTF-8, a nesting limit, numbers a model takes.

Python's ``json`` recurses once per nesting level and raises ``RecursionError`` near 1,000
levels, and it reads ``NaN``, ``Infinity`` and numbers like ``1e999`` as non-finite floats.
``parse_json`` refuses both before a model sees them: nesting deeper than ``MAX_DEPTH`` is
``BadRequest``; a non-finite number (a missing value is ``null``) or an integer beyond 64
bits is ``InvalidInput`` naming its field and row.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from daas.errors import BadRequest, InvalidInput

#: The deepest nesting of arrays and objects a request document may have.
MAX_DEPTH = 64

_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'[]{}"')
_QUOTE = ord('"')
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1
# int64 and uint64 between them hold every integer in this range; 18 digits always fit.
_MIN_INT, _MAX_INT = -(2**63), 2**64 - 1
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_HUGE_NUMBER_HINTS = (b"0" * 19, b"e000", b"E000", b"e+000", b"E+000")


def nesting_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in ``data``, without parsing it (brackets in
    strings do not count)."""
    # Drop escaped backslashes, then escaped quotes: every quote left opens or closes a string.
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = np.frombuffer(unescaped.translate(None, _NOT_STRUCTURE), dtype=np.uint8)
    outside_strings = (np.cumsum(marks == _QUOTE, dtype=np.int64) & 1) == 0
    steps = np.where(outside_strings, _STEP[marks], 0)
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def check_depth(data: bytes, limit: int = MAX_DEPTH) -> None:
    """``BadRequest`` when ``data`` nests arrays and objects deeper than ``limit``."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return  # cannot nest deeper than it has brackets
    depth = nesting_depth(data)
    if depth > limit:
        raise BadRequest(f"the JSON document is nested deeper than {limit} levels ({depth})",
                         details={"max_depth": limit})


def parse_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a UTF-8 JSON document, naming where it breaks; see the module docstring."""
    raw = data.encode() if isinstance(data, str) else data
    check_depth(raw, max_depth)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not UTF-8 text: {exc}") from None
    constants: list[str] = []  # NaN, Infinity, -Infinity

    def constant(literal: str) -> float:
        constants.append(literal)
        return float(literal)

    try:
        document = json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if constants or _may_hold_huge_numbers(raw):
        _refuse_unrepresentable(document)
    return document


def _may_hold_huge_numbers(raw: bytes) -> bool:
    """Whether ``raw`` has 19 digits in a row or a 3-digit exponent (cheaper than a
    regex or a hook per number; a hit only means the parsed document gets checked)."""
    digits_as_zeros = raw.translate(_DIGITS_TO_ZERO)
    return any(hint in digits_as_zeros for hint in _HUGE_NUMBER_HINTS)


def number_problem(value: Any) -> str | None:
    """Why a parsed JSON number cannot reach a model, or ``None`` when it can."""
    if type(value) is float and not math.isfinite(value):
        return "NaN and infinite numbers are not accepted (send null for a missing value)"
    if type(value) is int and not _MIN_INT <= value <= _MAX_INT:
        return f"integers must lie between {_MIN_INT} and {_MAX_INT} (64 bits)"
    return None


def first_problem(document: Any) -> tuple[list[str | int], str] | None:
    """The path (keys and indexes) of the first number, in document order, with a
    ``number_problem``, and the problem."""
    stack: list[tuple[list[str | int], Any]] = [([], document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((path + [key], item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((path + [index], item) for index, item in reversed(list(enumerate(value))))
        elif (problem := number_problem(value)) is not None:
            return path, problem
    return None


def _refuse_unrepresentable(document: Any) -> None:
    found = first_problem(document)
    if found is None:
        return
    path, problem = found
    field, row = field_and_row(document, path)
    where = ([f"row {row}"] if row is not None else []) + (
        [f"field '{field}'"] if field is not None else [])
    raise InvalidInput(f"{', '.join(where) or 'the document'}: {problem}",
                       field=field, row=row, details={"path": show_path(path)})


def field_and_row(document: Any, path: list[str | int]) -> tuple[str | None, int | None]:
    """The model field and row a value at ``path`` of a request document belongs to.

    Knows the request shapes of ``daas.codecs.decoding.ACCEPTED_SHAPES``; elsewhere the
    field is the path itself.
    """
    head, rest = (path[0], path[1:]) if path else (None, [])
    if isinstance(document, list):  # a bare list of records
        return field_and_row({"data": document}, ["data", *path])
    if head == "data" and rest:
        data = document["data"]
        if isinstance(data, dict) and isinstance(data.get("columns"), list) and rest[0] == "data":
            return _split_cell(data["columns"], rest[1:])
        if isinstance(rest[0], int):
            return (rest[1] if len(rest) > 1 and isinstance(rest[1], str) else None), rest[0]
        return rest[0], 0
    if head == "inputs" and rest:
        if isinstance(rest[0], str):
            return rest[0], (rest[1] if len(rest) > 1 else None)
        return _v2_element(document["inputs"][rest[0]], rest[1:])
    return (show_path(path) if path else None), None


def show_path(path: list[str | int]) -> str:
    """``data[1].x`` for ``["data", 1, "x"]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the document"


def _split_cell(columns: list[Any], rest: list[str | int]) -> tuple[str | None, int | None]:
    row = rest[0] if rest else None
    position = rest[1] if len(rest) > 1 else None
    field = columns[position] if isinstance(position, int) and position < len(columns) else None
    return (field if isinstance(field, str) else None), row


def _v2_element(tensor: Any, rest: list[str | int]) -> tuple[str | None, int | None]:
    """Field and row of an element of a v2 input's ``data`` (flat, or nested by row)."""
    name = tensor.get("name") if isinstance(tensor, dict) else None
    field = name if isinstance(name, str) else None
    if len(rest) < 2 or rest[0] != "data":
        return field, None
    if len(rest) > 2:
        return field, rest[1]
    shape = tensor.get("shape")
    per_row = math.prod(shape[1:]) if isinstance(shape, list) and shape and all(
        isinstance(dim, int) and dim > 0 for dim in shape[1:]) else 1
    return field, rest[1] // max(per_row, 1)
