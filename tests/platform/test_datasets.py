"""Datasets: upload and import CSV / Parquet / JSON lines, preview, download, delete."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import io
import json
import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from daas.errors import InvalidInput, PayloadTooLarge
from daas.platform.datasets import readers
from daas.platform.datasets.service import new_dataset_key
from daas.store.artifacts import ArtifactStore
from tests.conftest import both_backends

pytestmark = both_backends

API = "/api/v1/datasets"

SALES_CSV = (b"id,price,city,paid,when\n"
             b"1,2.5,Oslo,true,2024-01-01 10:00:00\n"
             b"2,,Lima,false,\n"
             b"3,4.25,\"Rome, IT\",true,2024-02-29 23:59:59\n")


def upload(client, name: str, data: bytes, filename: str, **form: str):
    return client.post(API, files={"file": (filename, data)}, data={"name": name, **form})


def created(response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def store_of(platform_app) -> ArtifactStore:
    return platform_app.container.store


def dataset_files(platform_app) -> list[str]:
    return store_of(platform_app).list_keys("datasets")


def same_table(first: pa.Table, second: pa.Table) -> bool:
    """Equal schemas and values, NaN equal to NaN (``Table.equals`` says NaN != NaN)."""
    return first.schema.equals(second.schema) and repr(first.to_pylist()) == repr(second.to_pylist())


def read_csv(data: bytes) -> pa.Table:
    return pacsv.read_csv(io.BytesIO(data),
                          convert_options=pacsv.ConvertOptions(strings_can_be_null=True))


# --- round trips ------------------------------------------------------------------------

def test_csv_round_trips_with_numeric_types(platform_app, client):
    dataset = created(upload(client, "sales", SALES_CSV, "sales.csv"))
    assert dataset["origin_format"] == "csv" and dataset["source"] == "upload:sales.csv"
    assert dataset["rows"] == 3 and dataset["created_by"] == "admin"
    assert dataset["columns"] == [
        {"name": "id", "type": "int64"}, {"name": "price", "type": "double"},
        {"name": "city", "type": "string"}, {"name": "paid", "type": "bool"},
        {"name": "when", "type": "timestamp[ms]"}]
    assert dataset["size_bytes"] == sum(
        store_of(platform_app).file_sizes("datasets").values())
    assert client.get(f"{API}/sales").json() == dataset

    preview = client.get(f"{API}/sales/preview").json()
    assert preview["columns"] == dataset["columns"]
    assert preview["rows"] == [
        {"id": 1, "price": 2.5, "city": "Oslo", "paid": True, "when": "2024-01-01T10:00:00"},
        {"id": 2, "price": None, "city": "Lima", "paid": False, "when": None},
        {"id": 3, "price": 4.25, "city": "Rome, IT", "paid": True, "when": "2024-02-29T23:59:59"}]

    download = client.get(f"{API}/sales/download")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert 'filename="sales.csv"' in download.headers["content-disposition"]
    assert download.text.splitlines()[0] == '"id","price","city","paid","when"'
    assert read_csv(download.content).equals(read_csv(SALES_CSV).cast(read_csv(download.content).schema))


def test_parquet_round_trips_values_and_types(platform_app, client):
    source = pa.table({
        "i32": pa.array([1, None, 3], pa.int32()),
        "f": [0.5, math.nan, -1.0],
        "s": ["a", None, "ü"],
        "ts": pa.array([dt.datetime(2024, 5, 1, 12), None, dt.datetime(1999, 12, 31)],
                       pa.timestamp("us")),
        "day": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 2), None], pa.date32()),
        "tags": [[1, 2], [], None],
    })
    data = parquet_bytes(source)
    dataset = created(upload(client, "mixed", data, "mixed.parquet"))
    assert [c["type"] for c in dataset["columns"]] == [
        "int32", "double", "string", "timestamp[us]", "date32[day]", "list<element: int64>"]
    download = client.get(f"{API}/mixed/download", params={"format": "parquet"})
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.apache.parquet"
    assert same_table(pq.read_table(io.BytesIO(download.content)), pq.read_table(io.BytesIO(data)))

    rows = client.get(f"{API}/mixed/preview", params={"rows": 2}).json()["rows"]
    assert rows == [
        {"i32": 1, "f": 0.5, "s": "a", "ts": "2024-05-01T12:00:00", "day": "2024-01-01",
         "tags": [1, 2]},
        {"i32": None, "f": None, "s": None, "ts": None, "day": "2024-01-02", "tags": []}]
    refused = client.get(f"{API}/mixed/download", params={"format": "csv"})
    assert refused.status_code == 422 and "tags" in refused.json()["error"]["message"]


def test_json_lines_round_trip_widening_and_late_fields(client):
    lines = [{"id": i, "score": i, "note": None} for i in range(5)]
    lines += [{"id": 5, "score": 2.5, "note": "late", "extra": {"k": [1]}}]
    data = "\n".join(json.dumps(line) for line in lines).encode() + b"\n\n"
    dataset = created(upload(client, "events", data, "events.jsonl"))
    assert dataset["origin_format"] == "jsonl"
    assert {c["name"]: c["type"] for c in dataset["columns"]} == {
        "id": "int64", "score": "double", "note": "string",
        "extra": "struct<k: list<element: int64>>"}
    rows = client.get(f"{API}/events/preview").json()["rows"]
    assert rows[0] == {"id": 0, "score": 0.0, "note": None, "extra": None}
    assert rows[5] == {"id": 5, "score": 2.5, "note": "late", "extra": {"k": [1]}}


def test_json_lines_with_small_batches_widen_across_batches(monkeypatch, client):
    monkeypatch.setattr(readers, "JSON_BATCH_LINES", 3)
    data = b"".join(json.dumps({"n": value}).encode() + b"\n" for value in [None, None, None, 1, 2, 3.5])
    dataset = created(upload(client, "sparse", data, "sparse.ndjson"))
    assert dataset["columns"] == [{"name": "n", "type": "double"}]
    assert [row["n"] for row in client.get(f"{API}/sparse/preview").json()["rows"]] == [
        None, None, None, 1.0, 2.0, 3.5]


def test_json_lines_are_batched_by_their_bytes_as_well_as_their_count():
    lines = [json.dumps({"n": n, "pad": "x" * 1000}).encode() + b"\n" for n in range(10)]
    widened: dict = {}
    by_count = list(readers._jsonl_batches(io.BytesIO(b"".join(lines)), widened))
    assert [batch.num_rows for batch in by_count] == [10]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "JSON_BATCH_BYTES", 3 * len(lines[0]))
        by_bytes = list(readers._jsonl_batches(io.BytesIO(b"".join(lines)), widened))
    assert [batch.num_rows for batch in by_bytes] == [3, 3, 3, 1]
    assert pa.Table.from_batches(by_bytes).column("n").to_pylist() == list(range(10))


def test_json_lines_are_cut_into_batches_before_they_hold_too_many_values(monkeypatch):
    monkeypatch.setattr(readers, "JSON_BATCH_VALUES", 10)
    sizes = [4, 4, 4, 9, 3, 3]
    lines = [json.dumps({"n": list(range(size - 2))}).encode() + b"\n" for size in sizes]
    assert [readers.json_values(line) for line in lines] == sizes
    batches = list(readers._jsonl_batches(io.BytesIO(b"".join(lines)), {}))
    assert [batch.num_rows for batch in batches] == [2, 1, 1, 2]


def test_big_csv_rolls_into_part_files_and_downloads_whole(platform_app, client, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 256 * 1024)
    platform_app.container.datasets.rows_per_part = 70_000
    path = tmp_path / "big.csv"
    with path.open("w") as out:
        out.write("n,half,label,code\n")
        for n in range(300_000):
            # 'code' looks numeric for many blocks, then turns to text: the column widens.
            code = "x9" if n == 299_000 else str(n % 97)
            out.write(f"{n},{n / 2},row{n % 7},{code}\n")
    with path.open("rb") as raw:
        dataset = created(client.post(API, files={"file": ("big.csv", raw)}, data={"name": "big"}))
    assert dataset["rows"] == 300_000
    assert [c["type"] for c in dataset["columns"]] == ["int64", "double", "string", "string"]
    parts = platform_app.container.datasets.part_keys(platform_app.container.groups.ref("default"), "big")
    assert [key.rsplit("/", 1)[1] for key in parts] == [f"part-{i:05d}.parquet" for i in range(5)]
    assert [pq.ParquetFile(store_of(platform_app).open_input_file(key)).metadata.num_rows
            for key in parts] == [70_000] * 4 + [20_000]

    combined = pq.read_table(io.BytesIO(client.get(f"{API}/big/download?format=parquet").content))
    assert combined.num_rows == 300_000
    assert combined.column("n").to_pylist() == list(range(300_000))
    assert combined.column("code")[299_000].as_py() == "x9"
    text = client.get(f"{API}/big/download").content
    assert text.count(b"\n") == 300_001 and text.count(b'"n","half"') == 1
    assert read_csv(text).column("half").to_pylist()[-1] == 299_999 / 2


def test_raw_body_upload_with_query_parameters(client):
    response = client.post(API, params={"name": "raw"}, content=SALES_CSV,
                           headers={"Content-Type": "text/csv"})
    assert created(response)["rows"] == 3
    missing = client.post(API, params={"name": "raw2"}, content=SALES_CSV,
                          headers={"Content-Type": "application/octet-stream"})
    assert missing.status_code == 422 and missing.json()["error"]["details"]["field"] == "format"
    assert created(client.post(API, params={"name": "raw3", "format": "csv"}, content=SALES_CSV))


def test_format_field_overrides_the_extension(client):
    dataset = created(upload(client, "lines", b'{"a": 1}\n', "data.txt", format="jsonl"))
    assert dataset["origin_format"] == "jsonl"
    unknown = upload(client, "x", b"a\n1\n", "data.txt")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["field"] == "format"


# --- refusals leave nothing behind --------------------------------------------------------

def _ragged() -> bytes:
    rows = ["a,b,c,d,e"] + ["1,2,3,4,5"] * 5 + ["1,2,3,4,5,6"]
    return "\n".join(rows).encode() + b"\n"


def _bad_json_line() -> bytes:
    return b"".join(b'{"a": %d}\n' % i for i in range(11)) + b'{"a": oops}\n'


def _damaged_parquet() -> bytes:
    data = bytearray(parquet_bytes(pa.table({"a": list(range(1000))})))
    data[8:400] = b"\x00" * 392
    return bytes(data)


MALFORMED = [
    ("ragged.csv", _ragged(), "line 7: expected 5 columns, got 6", 7),
    ("short.csv", b"a,b\n1,2\n3\n", "line 3: expected 2 columns, got 1", 3),
    ("latin1.csv", "name,n\nok,1\ncaf\u00e9,2\n".encode("latin-1"),
     "line 3: not valid UTF-8 text (byte offset 15)", 3),
    ("badhead.csv", b"a,\xff\n1,2\n", "line 1: not valid UTF-8", 1),
    ("empty.csv", b"", "the file is empty", None),
    ("header.csv", b"a,b,c\n", "the data has no rows", None),
    ("dupes.csv", b"a,b,a\n1,2,3\n", "column name 'a' appears more than once", 1),
    ("blank.csv", b"a,,c\n1,2,3\n", "column 2 has no name", 1),
    ("fake.parquet", b"a,b\n1,2\n", "not a Parquet file", None),
    ("tiny.parquet", b"PAR1", "not a Parquet file", None),
    ("empty.parquet", b"", "the file is empty", None),
    ("damaged.parquet", _damaged_parquet(), "damaged", None),
    ("bad.jsonl", _bad_json_line(), "line 12: invalid JSON", 12),
    ("array.json", b'[{"a": 1},\n{"a": 2}]\n', "one object per line", 1),
    ("scalar.jsonl", b'{"a": 1}\n42\n', "line 2: expected a JSON object, got int", 2),
    ("mixed.jsonl", b'{"a": 1}\n{"a": 2}\n{"a": "three"}\n', "line 3: field 'a'", 3),
    ("latin1.jsonl", '{"a": "ok"}\n{"a": "caf\u00e9"}\n'.encode("latin-1"), "line 2: not valid UTF-8", 2),
    ("empty.jsonl", b"", "the file is empty", None),
    ("deep.jsonl", b'{"a": 1}\n{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
     "line 2: the JSON document is nested deeper than 64 levels (100001)", 2),
    ("values.jsonl", b'{"a": [' + b"[]," * 1_000_000 + b"[]]}\n",
     "line 1: holds about 2,000,004 JSON values; a line may hold at most 1,000,000", 1),
    ("blank.jsonl", b"\n\n", "the data has no rows", None),
]


@pytest.mark.parametrize(("filename", "data", "message", "line"), MALFORMED,
                         ids=[case[0] for case in MALFORMED])
def test_malformed_input_is_refused_naming_the_line_and_leaves_nothing(
        platform_app, client, filename, data, message, line):
    response = upload(client, "bad", data, filename)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert message in error["message"]
    assert error["details"]["field"] == "file"
    assert error["details"].get("row") == line
    assert client.get(API).json()["total"] == 0
    assert dataset_files(platform_app) == []


def test_conversion_failing_late_leaves_no_part_files(platform_app, client):
    platform_app.container.datasets.rows_per_part = 2
    data = b"a,b\n" + b"1,2\n" * 10 + b"1,2,3\n"
    response = upload(client, "late", data, "late.csv")
    assert response.status_code == 422 and "line 12" in response.json()["error"]["message"]
    assert dataset_files(platform_app) == []


@pytest.mark.parametrize("name", ["../escape", "a b", "-dash", "x" * 65, "a..b", "naïve"])
def test_invalid_names_are_refused(platform_app, client, name):
    response = upload(client, name, SALES_CSV, "sales.csv")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "name"
    assert dataset_files(platform_app) == []


def test_duplicate_name_is_a_conflict_and_keeps_the_first(platform_app, client):
    first = created(upload(client, "sales", SALES_CSV, "sales.csv"))
    files = dataset_files(platform_app)
    again = upload(client, "sales", b'{"a": 1}\n', "other.jsonl")
    assert again.status_code == 409
    assert client.get(f"{API}/sales").json() == first
    assert dataset_files(platform_app) == files
    missing_name = client.post(API, files={"file": ("x.csv", SALES_CSV)})
    assert missing_name.status_code == 422
    assert missing_name.json()["error"]["details"]["field"] == "name"


def test_upload_over_the_size_limit_is_413_and_leaves_nothing(platform_app, client):
    platform_app.settings.max_dataset_bytes = 64
    response = upload(client, "big", SALES_CSV * 3, "big.csv")
    assert response.status_code == 413
    assert dataset_files(platform_app) == [] and client.get(API).json()["total"] == 0


# --- list, read, delete -------------------------------------------------------------------

def test_list_filters_and_pages(client):
    for name in ("alpha", "beta", "alphabet"):
        created(upload(client, name, SALES_CSV, f"{name}.csv"))
    page = client.get(API).json()
    assert page["total"] == 3 and [d["name"] for d in page["items"]] == ["alphabet", "beta", "alpha"]
    assert {d["name"] for d in client.get(API, params={"q": "ALPHA"}).json()["items"]} == {
        "alpha", "alphabet"}
    second = client.get(API, params={"offset": 1, "limit": 1}).json()
    assert (second["total"], second["offset"], second["limit"]) == (3, 1, 1)
    assert [d["name"] for d in second["items"]] == ["beta"]


def test_preview_limits_rows_and_makes_values_json_safe(client):
    table = pa.table({"x": [math.nan, math.inf, 1.5], "d": pa.array([1, 2, 3], pa.decimal128(5, 2))})
    created(upload(client, "odd", parquet_bytes(table), "odd.parquet"))
    assert client.get(f"{API}/odd/preview", params={"rows": 2}).json()["rows"] == [
        {"x": None, "d": "1.00"}, {"x": None, "d": "2.00"}]
    assert client.get(f"{API}/odd/preview", params={"rows": 0}).status_code == 422


@pytest.mark.parametrize("query", ["offset", "limit", "rows"])
def test_integer_queries_at_2_to_the_63_are_422_naming_the_field(client, query):
    created(upload(client, "sales", SALES_CSV, "sales.csv"))
    path = f"{API}/sales/preview" if query == "rows" else API
    response = client.get(path, params={query: 2**63})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == query
    assert client.get(path, params={query: 1}).status_code == 200


def test_unknown_dataset_is_404(client):
    for method, path in (("GET", "/nope"), ("GET", "/nope/preview"), ("GET", "/nope/download"),
                         ("DELETE", "/nope")):
        assert client.request(method, API + path).status_code == 404


def test_delete_removes_the_row_and_the_files(platform_app, client):
    created(upload(client, "keep", SALES_CSV, "keep.csv"))
    kept = dataset_files(platform_app)
    created(upload(client, "gone", SALES_CSV, "gone.csv"))
    assert client.delete(f"{API}/gone").status_code == 204
    assert client.get(f"{API}/gone").status_code == 404
    assert dataset_files(platform_app) == kept


def test_delete_is_refused_while_a_job_uses_the_dataset(platform_app, client):
    created(upload(client, "scored", SALES_CSV, "scored.csv"))
    platform_app.container.datasets.users = lambda _group_id, name: ["nightly"] if name == "scored" else []
    response = client.delete(f"{API}/scored")
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"jobs": ["nightly"]}
    platform_app.container.datasets.users = lambda _group_id, name: []
    assert client.delete(f"{API}/scored").status_code == 204


def test_viewer_reads_but_cannot_write(platform_app, client):
    created(upload(client, "sales", SALES_CSV, "sales.csv"))
    viewer = client.post("/api/v1/tokens", json={"name": "reader", "role": "viewer"}).json()["token"]
    as_viewer = platform_app.client(viewer)
    assert upload(as_viewer, "mine", SALES_CSV, "mine.csv").status_code == 403
    assert as_viewer.post(f"{API}/import", json={"name": "x", "url": "http://x/y.csv"}).status_code == 403
    assert as_viewer.delete(f"{API}/sales").status_code == 403
    assert as_viewer.get(API).json()["total"] == 1
    assert as_viewer.get(f"{API}/sales/preview").status_code == 200
    assert as_viewer.get(f"{API}/sales/download").status_code == 200
    assert platform_app.client("").get(API).status_code == 401


# --- imports -------------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def http_folder(tmp_path) -> Iterator[tuple[str, Path]]:
    """A folder served over HTTP on 127.0.0.1: (base URL, folder)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


def test_import_over_http(platform_app, client, http_folder):
    base, folder = http_folder
    platform_app.settings.dataset_import_allow = "127.0.0.1"
    (folder / "sales.csv").write_bytes(SALES_CSV)
    (folder / "sales.parquet").write_bytes(parquet_bytes(read_csv(SALES_CSV)))
    dataset = created(client.post(f"{API}/import", json={"name": "web", "url": f"{base}/sales.csv"}))
    assert (dataset["origin_format"], dataset["source"], dataset["rows"]) == (
        "csv", f"{base}/sales.csv", 3)
    secret = base.replace("http://", "http://user:pw@") + "/sales.parquet?token=abc"
    dataset = created(client.post(f"{API}/import", json={"name": "pq", "url": secret}))
    assert dataset["source"] == f"{base}/sales.parquet"
    assert client.get(f"{API}/pq/preview").json()["rows"][0]["city"] == "Oslo"

    missing = client.post(f"{API}/import", json={"name": "nope", "url": f"{base}/missing.csv"})
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["field"] == "url"
    assert "HTTP 404" in missing.json()["error"]["message"]
    platform_app.settings.max_dataset_bytes = 10
    too_big = client.post(f"{API}/import", json={"name": "big", "url": f"{base}/sales.csv"})
    assert too_big.status_code == 413
    assert len(client.get(API).json()["items"]) == 2
    assert len(dataset_files(platform_app)) == 2


def test_import_refuses_other_schemes(client):
    response = client.post(f"{API}/import", json={"name": "x", "url": "ftp://host/data.csv"})
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "url"


def test_file_imports_need_the_import_root(platform_app, client, tmp_path):
    root = tmp_path / "imports"
    (root / "inner").mkdir(parents=True)
    (root / "inner" / "sales.csv").write_bytes(SALES_CSV)
    outside = tmp_path / "private.csv"
    outside.write_bytes(SALES_CSV)
    (root / "link.csv").symlink_to(outside)

    def import_file(name: str, url: str):
        return client.post(f"{API}/import", json={"name": name, "url": url})

    disabled = import_file("a", (root / "inner" / "sales.csv").as_uri())
    assert disabled.status_code == 403
    assert "DAAS_DATASET_IMPORT_ROOT" in disabled.json()["error"]["message"]

    platform_app.settings.dataset_import_root = root
    for url in (outside.as_uri(), f"file://{root}/inner/../../private.csv", (root / "link.csv").as_uri()):
        assert import_file("b", url).status_code == 403, url
    assert import_file("c", (root / "absent.csv").as_uri()).status_code == 422
    dataset = created(import_file("d", f"file://{root}/inner/../inner/sales.csv"))
    assert dataset["source"] == f"file://{root}/inner/sales.csv" and dataset["rows"] == 3
    assert client.get(API).json()["total"] == 1


# --- registering a job's output ------------------------------------------------------------

def test_register_existing_describes_a_folder_of_parts(platform_app, client):
    service = platform_app.container.datasets
    default = platform_app.container.groups.ref("default")
    store = store_of(platform_app)
    key = new_dataset_key()
    for index, values in enumerate(([1, 2], [3, None, 5])):
        with store.open_output_stream(f"{key}/{index:03d}_out.parquet") as out:
            pq.write_table(pa.table({"id": values, "label": ["x"] * len(values)}), out)
    with store.open_output_stream(f"{key}/_SUCCESS") as out:
        out.write(b"")
    dataset = service.register_existing(default, "scores", key, source="run:7", created_by="robot")
    assert (dataset.origin_format, dataset.source, dataset.rows) == ("job", "run:7", 5)
    assert service.columns_of(default, "scores") == [{"name": "id", "type": "int64"},
                                            {"name": "label", "type": "string"}]
    assert service.rows_of(default, "scores") == 5
    assert dataset.size_bytes == sum(size for k, size in store.file_sizes(key).items()
                                     if k.endswith(".parquet"))
    assert read_csv(client.get(f"{API}/scores/download").content).column("id").to_pylist() == [
        1, 2, 3, None, 5]
    with pytest.raises(InvalidInput):
        service.register_existing(default, "empty", new_dataset_key(), source="run:8")
    with pytest.raises(InvalidInput):
        service.register_existing(default, "sneaky", "datasets/../models", source="run:9")
    assert client.delete(f"{API}/scores").status_code == 204
    assert store.list_keys(key) == []


# --- building blocks -----------------------------------------------------------------------

def test_utf8_check_spans_read_boundaries():
    text = ("ab\n" + "é" * 10 + "\n").encode()
    reader = readers.Utf8CheckedReader(io.BytesIO(text + b"ok\n\xc3("))
    chunks = []
    while chunk := reader.read(5):  # splits the two-byte 'é's between reads
        chunks.append(chunk)
        if len(b"".join(chunks)) >= len(text):
            break
    assert b"".join(chunks).startswith(text)
    with pytest.raises(InvalidInput) as caught:
        while reader.read(5):
            pass
    assert caught.value.row == 4
    assert f"byte offset {len(text) + 3}" in caught.value.message


def test_store_folder_helpers(tmp_path):
    store = ArtifactStore(str(tmp_path / "store"))
    with store.open_output_stream("f/.tmp/a.bin") as out:
        out.write(b"abc")
    store.move("f/.tmp/a.bin", "f/final/a.bin")
    assert store.file_sizes("f") == {"f/final/a.bin": 3}
    with store.open_input_file("f/final/a.bin") as handle:
        assert handle.read() == b"abc"
    store.delete_dir("f")
    store.delete_dir("f")  # already gone: no error
    assert store.list_keys() == []


def test_parquet_is_read_in_slices_of_bounded_decoded_size(monkeypatch):
    from daas.platform.datasets import parquet_reader
    from tests.platform.test_import_bombs import parquet_bomb

    monkeypatch.setattr(parquet_reader, "PARQUET_BATCH_BYTES", 1024 * 1024)
    data = parquet_bomb(2_000, value_bytes=5_000)  # 10 MB decoded
    batches = list(parquet_reader.parquet_batches(io.BytesIO(data), {}, max_bytes=64 * 1024 * 1024))
    assert all(batch.schema.field("note").type == pa.string() for batch in batches)
    assert max(batch.nbytes for batch in batches) <= 1024 * 1024 + 8 * 209
    assert sum(batch.num_rows for batch in batches) == 2_000 and len(batches) == 10
    assert set(pa.Table.from_batches(batches).column("note").to_pylist()) == {"x" * 5_000}
    with pytest.raises(PayloadTooLarge) as refused:
        list(parquet_reader.parquet_batches(io.BytesIO(data), {}, max_bytes=5_000_000))
    assert refused.value.details == {"limit": 5_000_000}
