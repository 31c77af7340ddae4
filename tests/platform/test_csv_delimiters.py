"""CSV uploads separated by ``;``, tabs or ``|``: sniffed, or given as ``delimiter=``
(daas.platform.datasets.readers / ingest)."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import pyarrow.parquet as pq
import pytest

from daas.errors import InvalidInput
from daas.platform.datasets.ingest import ingest
from daas.platform.datasets.readers import sniff_delimiter
from daas.store.artifacts import ArtifactStore

ROWS = [{"id": 1, "price": 2.5, "city": "Oslo"}, {"id": 2, "price": 4.25, "city": "Rome, IT"}]


def csv_with(delimiter: str) -> bytes:
    lines = [delimiter.join(["id", "price", "city"]),
             delimiter.join(["1", "2.5", "Oslo"]),
             delimiter.join(["2", "4.25", '"Rome, IT"'])]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def store(tmp_path):
    return ArtifactStore(str(tmp_path / "store"))


def opener(data: bytes):
    @contextmanager
    def open_source():
        yield io.BytesIO(data)

    return open_source


def ingested(store: ArtifactStore, data: bytes, **options) -> list[dict]:
    result = ingest(opener(data), "csv", store, "datasets/x", **options)
    with store.open_input_file(result.parts[0]) as stream:
        return pq.read_table(stream).to_pylist()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(store, delimiter):
    assert sniff_delimiter(csv_with(delimiter)) == delimiter
    assert ingested(store, csv_with(delimiter)) == ROWS


def test_decimal_commas_do_not_fool_the_sniffer():
    assert sniff_delimiter(b"a;b\n1,5;2,25\n3,0;4,5\n") == ";"
    assert sniff_delimiter(b"single\n1\n2\n") == ","


def test_a_given_delimiter_wins(store):
    assert ingested(store, csv_with(";"), delimiter=";") == ROWS
    assert ingested(store, b"a|b\n1|2\n", delimiter="|") == [{"a": 1, "b": 2}]


@pytest.mark.parametrize("glued", [";", "\t"])
def test_a_header_read_as_one_glued_column_is_refused_naming_the_fix(store, glued):
    with pytest.raises(InvalidInput, match=re.escape(f"upload it with delimiter={glued!r}")) as caught:
        ingested(store, csv_with(glued), delimiter=",")
    assert caught.value.details == {"field": "file", "row": 1}


def test_bad_delimiters_are_refused(store):
    with pytest.raises(InvalidInput, match="delimiter must be one of") as caught:
        ingested(store, csv_with(","), delimiter="::")
    assert caught.value.field == "delimiter"
    with pytest.raises(InvalidInput, match="delimiter is for CSV"):
        ingest(opener(b'{"a": 1}\n'), "jsonl", store, "datasets/y", delimiter=";")


def test_semicolon_csv_uploads_as_columns(platform_app):
    client = platform_app.client()
    response = client.post("/api/v1/datasets", data={"name": "semi"},
                           files={"file": ("semi.csv", csv_with(";"))})
    assert response.status_code == 201, response.text
    assert [c["name"] for c in response.json()["columns"]] == ["id", "price", "city"]
