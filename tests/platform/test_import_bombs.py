"""URL imports count decoded bytes, refuse stacked encodings, and end at a deadline; a Parquet
upload is bounded by its decoded size and a JSON-lines upload by its values: measured on the
platform process (peak RSS) over real HTTP, against a server in the test."""

from __future__ import annotations

import gzip
import io
import http.server
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.child_server import fake_platform, peak_rss_bytes

LIMIT = 10 * 1024 * 1024
CSV = b"id,price\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(1000))
ZEROS = gzip.compress(b"0" * (256 * 1024 * 1024), compresslevel=9)


class _Bombs(http.server.BaseHTTPRequestHandler):
    """``/double``: gzip inside gzip; ``/gzip``: 256 MiB in one gzip layer; ``/small``: a real
    CSV, gzipped; ``/trickle``: a byte every 0.2 s."""

    def do_GET(self) -> None:
        if self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            for byte in CSV:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
            return
        body, encoding = {"/double": (gzip.compress(ZEROS), "gzip, gzip"),
                          "/gzip": (ZEROS, "gzip"),
                          "/small": (gzip.compress(CSV), "gzip")}[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def bombs():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Bombs)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    env = {"DAAS_MAX_DATASET_BYTES": str(LIMIT), "DAAS_DATASET_IMPORT_ALLOW": "127.0.0.1",
           "DAAS_DATASET_IMPORT_DEADLINE_S": "2", "DAAS_MAX_CONCURRENT_IMPORTS": "1"}
    with fake_platform(tmp_path_factory.mktemp("bombs") / "home", **env) as (process, base, admin):
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin}"},
                          timeout=60) as client:
            yield process, client


def _import(client, url: str, name: str) -> httpx.Response:
    return client.post("/api/v1/datasets/import", json={"name": name, "url": url, "format": "csv"})


def test_a_gzipped_csv_imports_as_its_decoded_rows(platform, bombs):
    _, client = platform
    response = _import(client, f"{bombs}/small", "small")
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 1000


@pytest.mark.parametrize(("path", "status", "says"), [
    ("/double", 422, "stacked content encodings (gzip, gzip) are not accepted"),
    ("/gzip", 413, f"over {LIMIT} bytes"),
])
def test_a_compression_bomb_is_refused_in_bounded_memory_and_nothing_is_stored(
        platform, bombs, path, status, says):
    process, client = platform
    before = peak_rss_bytes(process.pid)
    response = _import(client, bombs + path, "bomb")
    assert response.status_code == status and says in response.json()["error"]["message"]
    grown = peak_rss_bytes(process.pid) - before
    assert grown < 64 * 1024 * 1024, f"peak RSS grew by {grown / 2**20:.0f} MiB"
    assert client.get("/api/v1/datasets/bomb").status_code == 404


def test_a_trickling_import_ends_at_the_deadline_and_others_wait_their_turn(platform, bombs):
    _, client = platform
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(_import, client, f"{bombs}/trickle", "slow")
        time.sleep(0.5)
        crowded = _import(client, f"{bombs}/small", "crowded")
        refused = slow.result()
    assert crowded.status_code == 429 and crowded.headers["retry-after"] == "5"
    assert refused.status_code == 422
    assert refused.json()["error"]["message"].endswith("the download took longer than 2 s")
    assert _import(client, f"{bombs}/small", "after").status_code == 201


def parquet_bomb(rows: int, value_bytes: int = 16 * 1024, per_row: int | None = None) -> bytes:
    """One text column whose every value is the same long text: kilobytes on disk (dictionary
    encoded, with no Arrow schema stored, as Spark writes it); with ``per_row``, a list column
    holding that many such values in each row."""
    values = rows * (per_row or 1)
    column = pa.DictionaryArray.from_arrays(pa.array(np.zeros(values, dtype=np.int32)),
                                            pa.array(["x" * value_bytes])).cast(pa.string())
    if per_row:
        offsets = pa.array(np.arange(0, values + 1, per_row, dtype=np.int32))
        column = pa.ListArray.from_arrays(offsets, column)
    out = io.BytesIO()
    pq.write_table(pa.table({"note": column}), out, compression="zstd", store_schema=False)
    return out.getvalue()


@pytest.mark.parametrize("bomb", [parquet_bomb(65_536), parquet_bomb(4096, per_row=16)],
                         ids=["text", "list-of-text"])
def test_a_parquet_bomb_upload_is_refused_in_bounded_memory(platform, bomb):
    process, client = platform
    assert len(bomb) < 256 * 1024  # 1 GiB decoded
    before = peak_rss_bytes(process.pid)
    response = client.post("/api/v1/datasets", data={"name": "bomb"},
                           files={"file": ("bomb.parquet", bomb)})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["details"] == {"limit": LIMIT}
    grown = peak_rss_bytes(process.pid) - before
    assert grown < 64 * 1024 * 1024, f"peak RSS grew by {grown / 2**20:.0f} MiB"
    assert client.get("/api/v1/datasets/bomb").status_code == 404


def test_a_json_lines_bomb_upload_is_refused_unparsed(platform):
    process, client = platform
    line = b'{"a": [' + b"[]," * (4 * 1024 * 1024 // 3) + b"[]]}\n"  # 4 MiB: ~1.4M empty lists
    before = peak_rss_bytes(process.pid)
    response = client.post("/api/v1/datasets", data={"name": "bomb"},
                           files={"file": ("bomb.jsonl", b'{"a": []}\n' + line * 2)})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"]["row"] == 2 and "a line may hold at most 1,000,000" in error["message"]
    grown = peak_rss_bytes(process.pid) - before
    assert grown < 64 * 1024 * 1024, f"peak RSS grew by {grown / 2**20:.0f} MiB"
    assert client.get("/api/v1/datasets/bomb").status_code == 404
