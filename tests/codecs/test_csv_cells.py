"""pyarrow's fast CSV parse reads every text the way Python's csv module does, or declines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daas.codecs import csv_cells
from daas.codecs.csv_cells import _arrow_cells, _python_cells, read_csv_cells
from daas.errors import DaasError

EDGE_CASES = [
    "a,b\n1,2\n",
    "a,b\n1, 2\n 3 ,4\n",               # spaces after a comma go, others stay
    "a,b\n1,\n,\n",                      # empty cells are missing
    'a,b\n"x, y",1\n"",2\n',             # quoted commas, quoted empty cell
    'a,b\n1, "q,r"\n',                   # a quote after spaces opens a quoted cell
    'a,b\n"multi\nline",1\n',
    "a,b\r\n1,2\r\n\r\n3,4",             # CRLF, a blank line, no final newline
    "\n\na,b\n1,2\n",                    # blank lines before the header
    " a , b \n1,2\n",
    "a,b\n1,2,3\n",                      # ragged
    "a,b\n1\n",
    "a,,c\n1,2,3\n",
    "a,b\n1,   \n",
    "a\n",
    "",
    'a,b\n1,x"y\n',
    'a,b\n"unclosed,1\n',
]


def outcome(read, text):
    try:
        cells = read(text)
    except DaasError as error:
        return type(error).__name__, error.message
    if cells is None:
        return None
    return cells.header, [column.tolist() for column in cells.columns], cells.rows


def assert_same_reading(text: str) -> None:
    fast = outcome(_arrow_cells, text)
    assert fast is None or fast == outcome(_python_cells, text), text
    assert outcome(read_csv_cells, text) == outcome(_python_cells, text)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_read_alike(text):
    assert_same_reading(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='ab1 ,"\n\r\té', max_size=40))
def test_any_text_reads_alike(text):
    assert_same_reading(text)


def test_plain_bodies_take_the_fast_path():
    cells = _arrow_cells("x,y\n1, 2\n3,\n")
    assert cells is not None and cells.header == ["x", "y"]
    assert [column.tolist() for column in cells.columns] == [["1", "3"], ["2", None]]
    assert all(column.dtype == np.dtype(object) for column in cells.columns)


def test_rows_are_transposed_a_block_at_a_time_with_the_same_result(monkeypatch):
    text = "n,m\n" + "".join(f"{n},{'' if n % 2 else n}\n" for n in range(7))
    whole = outcome(_python_cells, text)
    monkeypatch.setattr(csv_cells, "_TRANSPOSE_ROWS", 2)
    assert outcome(_python_cells, text) == whole
    assert whole[1] == [[str(n) for n in range(7)], [None if n % 2 else str(n) for n in range(7)]]
