"""Per-format readers of uploaded text data: CSV and JSON lines as Arrow record batches.

Each reader takes the raw input and the column types widened so far, yields batches, and
raises ``Widen`` when a later block needs a wider type for a column.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from daas.codecs.json_document import check_depth
from daas.errors import BadRequest, InvalidInput

CSV_BLOCK_BYTES = 4 * 1024 * 1024
JSON_BATCH_LINES = 50_000
#: Lines of this many bytes in all make a batch of their own, however few they are.
JSON_BATCH_BYTES = 4 * 1024 * 1024
MAX_JSON_LINE_BYTES = 16 * 1024 * 1024
#: Parsed JSON costs per value, not per byte: an empty list is 3 bytes of text, and a value
#: takes ~100 bytes at its peak, parsed and then converted to Arrow. A line holds at most
#: ``MAX_JSON_LINE_VALUES`` values, and a batch is cut before it would hold more than
#: ``JSON_BATCH_VALUES``: a batch peaks at ~50 MiB, or ~100 MiB for one line at the limit.
MAX_JSON_LINE_VALUES = 1_000_000
JSON_BATCH_VALUES = 500_000
#: The delimiters a CSV file may use; without ``delimiter=`` one is sniffed from its start.
CSV_DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 50


def bad_input(message: str, line: int | None = None) -> InvalidInput:
    """An ``InvalidInput`` about the uploaded file, naming the line when known."""
    prefix = f"line {line}: " if line is not None else ""
    return InvalidInput(prefix + message, field="file", row=line)


class Widen(Exception):
    """A column needs a wider type than the first block gave it; start over with it."""

    def __init__(self, column: str, type_: pa.DataType) -> None:
        super().__init__(f"{column}: {type_}")
        self.column = column
        self.type = type_


def check_column_names(names: list[str], line: int | None = 1) -> None:
    """Column names must be non-blank and unique."""
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name.strip():
            raise bad_input(f"column {position} has no name", line)
        if name in seen:
            raise bad_input(f"column name {name!r} appears more than once", line)
        seen.add(name)


class Utf8CheckedReader(io.RawIOBase):
    """Passes bytes through, refusing invalid UTF-8 with its line and byte offset."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.bytes_read = 0
        self._newlines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._raw.read(len(buffer))
        self._check(chunk)
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def _check(self, chunk: bytes) -> None:
        pending = len(self._decoder.getstate()[0])
        try:
            self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            offset = self.bytes_read - pending + exc.start
            line = self._newlines + chunk[:max(0, exc.start - pending)].count(b"\n") + 1
            raise bad_input(f"not valid UTF-8 text (byte offset {offset})", line) from None
        self.bytes_read += len(chunk)
        self._newlines += chunk.count(b"\n")


# --- CSV ------------------------------------------------------------------------------

_CONVERSION_ERROR = re.compile(
    r"In CSV column #(\d+): (?:Row #\d+: )?CSV conversion error to [^:]+: invalid value '(.*)'$",
    re.DOTALL)
_ROW = re.compile(r"Row #(\d+)")


def check_delimiter(delimiter: str | None) -> str | None:
    """A delimiter given with an upload: one of ``CSV_DELIMITERS`` (``None``: sniff it)."""
    if delimiter is None or (len(delimiter) == 1 and delimiter in CSV_DELIMITERS):
        return delimiter
    raise InvalidInput(f"delimiter must be one of {', '.join(map(repr, CSV_DELIMITERS))}, "
                       f"not {delimiter[:10]!r}", field="delimiter")


def sniff_delimiter(head: bytes) -> str:
    """The delimiter the start of a CSV file uses, among ``CSV_DELIMITERS``; ``,`` if unsure."""
    lines = head.decode("utf-8", errors="ignore").splitlines()
    if len(head) >= SNIFF_BYTES:
        lines = lines[:-1]  # the last line may be cut off
    sample = "\n".join(lines[:_SNIFF_LINES])
    if not lines or not any(delimiter in lines[0] for delimiter in CSV_DELIMITERS):
        return ","
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _refuse_one_glued_column(head: bytes, delimiter: str) -> None:
    """A header read as one column holding ``;`` or a tab means the wrong delimiter."""
    first_line = head.decode("utf-8", errors="ignore").splitlines()[:1]
    names = next(csv.reader(first_line, delimiter=delimiter), [])
    if len(names) != 1:
        return
    glued = next((mark for mark in (";", "\t") if mark in names[0] and mark != delimiter), None)
    if glued is not None:
        raise bad_input(f"the header is one column {names[0][:60]!r}, separated by "
                        f"{glued!r}: upload it with delimiter={glued!r}", 1)


def _csv_batches(raw: BinaryIO, widened: dict[str, pa.DataType],
                 delimiter: str | None = None) -> Iterator[pa.RecordBatch]:
    checked = Utf8CheckedReader(raw)
    buffered = io.BufferedReader(checked, buffer_size=SNIFF_BYTES)
    head = buffered.peek(SNIFF_BYTES)
    if delimiter is None:
        delimiter = sniff_delimiter(head)
    _refuse_one_glued_column(head, delimiter)
    ragged: list[Any] = []

    def on_ragged_row(row) -> str:
        ragged.append(row)
        return "error"

    schema: pa.Schema | None = None
    try:
        reader = pacsv.open_csv(
            buffered,
            read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_ragged_row),
            convert_options=pacsv.ConvertOptions(column_types=widened, strings_can_be_null=True),
        )
        schema = reader.schema
        check_column_names(schema.names)
        for batch in reader:
            if batch.num_rows:
                yield batch
    except pa.ArrowInvalid as exc:
        raise _csv_error(str(exc), ragged, schema, empty=checked.bytes_read == 0) from None


def _csv_error(message: str, ragged: list[Any], schema: pa.Schema | None,
               empty: bool) -> Exception:
    if ragged:
        row = ragged[0]
        return bad_input(f"expected {row.expected_columns} columns, got {row.actual_columns}", row.number)
    if empty or message.startswith("Empty CSV file"):
        return bad_input("the file is empty")
    conversion = _CONVERSION_ERROR.search(message)
    if conversion and schema is not None:
        field = schema.field(int(conversion.group(1)))
        return Widen(field.name, _widen_csv_type(field.type, conversion.group(2)))
    row = _ROW.search(message)
    return bad_input(f"not readable as CSV: {message}", int(row.group(1)) if row else None)


def _widen_csv_type(current: pa.DataType, value: str) -> pa.DataType:
    """The narrowest type holding both the column's values so far and ``value``."""
    quoted = '"' + value.replace('"', '""') + '"'
    try:
        value_type = pacsv.read_csv(io.BytesIO(f"v\n{quoted}\n".encode())).schema.field(0).type
        return unify_types(current, value_type)
    except (pa.ArrowException, UnicodeError):
        return pa.string()


def unify_types(first: pa.DataType, second: pa.DataType) -> pa.DataType:
    """The common type of two (null -> anything, int -> double, struct field union...)."""
    schemas = [pa.schema([("c", first)]), pa.schema([("c", second)])]
    return pa.unify_schemas(schemas, promote_options="permissive").field("c").type


# --- JSON lines -----------------------------------------------------------------------

def _jsonl_batches(raw: BinaryIO, widened: dict[str, pa.DataType]) -> Iterator[pa.RecordBatch]:
    checked = Utf8CheckedReader(raw)
    lines = io.BufferedReader(checked, buffer_size=1024 * 1024)
    builder = _JsonBatchBuilder(widened)
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    number = pending_bytes = pending_values = 0
    while line := lines.readline(MAX_JSON_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_JSON_LINE_BYTES:
            raise bad_input(f"longer than {MAX_JSON_LINE_BYTES} bytes", number)
        if not line.strip():
            continue
        values = json_values(line)
        if values > MAX_JSON_LINE_VALUES:
            raise bad_input(f"holds about {values:,} JSON values; a line may hold at most "
                            f"{MAX_JSON_LINE_VALUES:,}", number)
        if records and pending_values + values > JSON_BATCH_VALUES:
            yield builder.build(records, numbers)
            records, numbers, pending_bytes, pending_values = [], [], 0, 0
        records.append(_parse_json_line(line, number))
        numbers.append(number)
        pending_bytes += len(line)
        pending_values += values
        if len(records) >= JSON_BATCH_LINES or pending_bytes >= JSON_BATCH_BYTES:
            yield builder.build(records, numbers)
            records, numbers, pending_bytes, pending_values = [], [], 0, 0
    if number == 0:
        raise bad_input("the file is empty")
    if records:
        yield builder.build(records, numbers)


def json_values(line: bytes) -> int:
    """About how many values a JSON text holds, counted without parsing it (separators and
    openings; one inside a string counts too, which only errs towards more)."""
    return line.count(b",") + line.count(b"[") + line.count(b"{") + 1


def _parse_json_line(line: bytes, number: int) -> dict[str, Any]:
    try:
        check_depth(line)
    except BadRequest as exc:
        raise bad_input(exc.message, number) from None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        hint = ("; JSON lines means one object per line, not one JSON array"
                if line.lstrip().startswith(b"[") else "")
        raise bad_input(f"invalid JSON: {exc.msg} (column {exc.colno}){hint}", number) from None
    if not isinstance(record, dict):
        raise bad_input(f"expected a JSON object, got {type(record).__name__}", number)
    return record


class _JsonBatchBuilder:
    """Turns parsed lines into record batches that all share the first batch's schema."""

    def __init__(self, widened: dict[str, pa.DataType]) -> None:
        self.widened = widened
        self.types: dict[str, pa.DataType] | None = None

    def build(self, records: list[dict[str, Any]], numbers: list[int]) -> pa.RecordBatch:
        if self.types is None:
            names = list(dict.fromkeys(key for record in records for key in record))
            names += [name for name in self.widened if name not in names]
            check_column_names(names, numbers[0])
            expected: dict[str, pa.DataType | None] = {name: self.widened.get(name) for name in names}
        else:
            expected = self.types
            self._refuse_new_keys(records, numbers)
        arrays = [self._column(name, [record.get(name) for record in records], numbers, type_)
                  for name, type_ in expected.items()]
        batch = pa.RecordBatch.from_arrays(arrays, names=list(expected))
        if self.types is None:
            self.types = {field.name: field.type for field in batch.schema}
        return batch

    def _refuse_new_keys(self, records: list[dict[str, Any]], numbers: list[int]) -> None:
        known = self.types.keys()
        for record, number in zip(records, numbers):
            if not known >= record.keys():
                name = next(key for key in record if key not in known)
                if not name.strip():
                    raise bad_input("a field has no name", number)
                values = [other.get(name) for other in records]
                raise Widen(name, self._column(name, values, numbers, None).type)

    @staticmethod
    def _column(name: str, values: list[Any], numbers: list[int],
                expected: pa.DataType | None) -> pa.Array:
        try:
            array = pa.array(values)
            if expected is None or array.type == expected:
                return array
            unified = unify_types(array.type, expected)
        except (pa.ArrowException, OverflowError):
            raise _misfit(name, values, numbers, expected) from None
        if unified != expected:
            raise Widen(name, unified)
        try:
            return array.cast(expected)
        except pa.ArrowException:
            raise _misfit(name, values, numbers, expected) from None


def _misfit(name: str, values: list[Any], numbers: list[int],
            expected: pa.DataType | None) -> InvalidInput:
    """The error for the first value that cannot share a column with the values before it."""
    current = expected
    for value, number in zip(values, numbers):
        if value is None:
            continue
        try:
            value_type = pa.array([value]).type
            current = value_type if current is None else unify_types(current, value_type)
            if expected is not None:
                pa.array([value]).cast(expected)
        except (pa.ArrowException, OverflowError):
            shown = json.dumps(value)[:60]
            if current is None:
                return bad_input(f"field {name!r}: value {shown} cannot be stored", number)
            return bad_input(f"field {name!r}: value {shown} does not fit the column's type "
                        f"{current} (from the lines before)", number)
    return bad_input(f"field {name!r}: the values do not share one type", numbers[0])


#: The reader of each format.
#: The text formats (Parquet: ``daas.platform.datasets.parquet_reader``).
READERS = {"csv": _csv_batches, "jsonl": _jsonl_batches}
