"""CSV text -> the header and its columns of cells (str, or None for an empty cell).

The rules are those of Python's ``csv`` module with ``skipinitialspace``: the first
non-blank row names the fields, blank lines are skipped, spaces that open a cell are ignored,
and a row with more or fewer cells than the header is refused with its line number.
Python's reader costs ~2.5 us a row and holds the GIL throughout (a 64 MiB body took
~16 s with the transposition), so most bodies are parsed by pyarrow's C++ reader instead,
which releases the GIL; anything it could read differently goes to the Python reader.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as arrow_csv

from daas.errors import BadRequest, InvalidInput

#: A carriage return that does not end a line: Python's reader refuses it outside quotes.
_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")
#: A space that opens a cell. Python's reader skips it, and after it a quote opens a quoted
#: cell; pyarrow's keeps both as text. Trimming after pyarrow matches Python's reader only
#: where nothing is quoted.
_SPACE_OPENS_CELL = re.compile(r"(?m)(?:^|,) ")
_TRANSPOSE_ROWS = 16_384


class CsvCells:
    """Header names (stripped) and one object array of cells per header name."""

    def __init__(self, header: list[str], columns: list[np.ndarray], rows: int) -> None:
        self.header = header
        self.columns = columns
        self.rows = rows


def read_csv_cells(text: str) -> CsvCells:
    """Parse ``text`` by the rules above; raises BadRequest or InvalidInput naming the line."""
    return _arrow_cells(text) or _python_cells(text)


def _arrow_cells(text: str) -> CsvCells | None:
    """pyarrow's parse, or None where its reading could differ from Python's reader."""
    first_line, newline, _ = text.partition("\n")
    quoted = '"' in text
    if not first_line.strip() or not newline or '"' in first_line or "\0" in text \
            or _LONE_CARRIAGE_RETURN.search(text) or (quoted and _SPACE_OPENS_CELL.search(text)):
        return None
    header = [name.strip() for name in first_line.rstrip("\r").split(",")]
    names = [f"c{position}" for position in range(len(header))]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(text.encode()),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, ValueError):
        return None  # a ragged row or a quoting pyarrow refuses: the Python reader says which
    columns = [_cells(table.column(position), trim=not quoted) for position in range(len(names))]
    return CsvCells(header, columns, table.num_rows)


def _cells(column: pa.ChunkedArray, *, trim: bool) -> np.ndarray:
    if trim:
        column = pc.utf8_ltrim(column, characters=" ")
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
    return column.to_numpy(zero_copy_only=False)  # str and None, dtype object


def _python_cells(text: str) -> CsvCells:
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    try:
        header = next((row for row in reader if row), None)
        if header is None:
            raise BadRequest("the CSV is empty; a header row naming the fields is required")
        header = [name.strip() for name in header]
        rows = []
        for record in reader:
            if not record:
                continue
            if len(record) != len(header):
                raise InvalidInput(f"line {reader.line_num} has {len(record)} values but the "
                                   f"header has {len(header)} columns", row=len(rows))
            rows.append(record)
    except csv.Error as exc:
        raise BadRequest(f"the CSV cannot be parsed at line {reader.line_num}: {exc}") from None
    return CsvCells(header, _columns_of(rows, len(header)), len(rows))


def _columns_of(rows: list[list[str]], width: int) -> list[np.ndarray]:
    """The rows' cells column by column, empty cells as None. Transposed a block of rows at a
    time: one ``zip(*rows)`` over millions of rows holds the GIL for seconds, stalling every
    other request of the process."""
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for start in range(0, len(rows), _TRANSPOSE_ROWS):
        for column, cells in zip(columns, zip(*rows[start:start + _TRANSPOSE_ROWS])):
            column.extend([cell or None for cell in cells])
    return [np.array(column, dtype=object) for column in columns]
