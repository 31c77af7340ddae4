"""The Parquet reader bounds batches by decoded bytes for nested columns too, refuses files
whose metadata already counts too many values, and hands back the file's own types."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from daas.errors import PayloadTooLarge
from daas.platform.datasets import parquet_reader
from daas.platform.datasets.parquet_reader import parquet_batches
from tests.platform.test_import_bombs import parquet_bomb

NESTED = pa.table({
    "tags": pa.array([["a" * 10, "b"], None, [], ["c"]]),
    "point": pa.array([{"label": "p", "xy": [1, 2]}, None, {"label": None, "xy": []},
                       {"label": "q", "xy": None}]),
    "attrs": pa.array([[("k", "v")], [], None, [("x", "yy")]], type=pa.map_(pa.string(), pa.string())),
    "pair": pa.array([["s", "t"], ["u", None], None, ["vv", "w"]], type=pa.list_(pa.string(), 2)),
    "n": [1, 2, 3, 4],
})


def _parquet(table: pa.Table, **options) -> io.BytesIO:
    out = io.BytesIO()
    pq.write_table(table, out, **options)
    out.seek(0)
    return out


def test_nested_columns_come_back_as_written():
    batches = list(parquet_batches(_parquet(NESTED), {}, max_bytes=1 << 30))
    assert pa.Table.from_batches(batches).equals(NESTED)


def test_each_rows_nested_text_counts_towards_its_slice(monkeypatch):
    monkeypatch.setattr(parquet_reader, "PARQUET_BATCH_BYTES", 4096)
    rows = [["x" * 3000] * 2 if n == 2 else ["y"] for n in range(6)]
    batches = list(parquet_batches(_parquet(pa.table({"tags": rows})), {}, max_bytes=1 << 30))
    assert [batch.num_rows for batch in batches] == [2, 1, 3]
    assert pa.Table.from_batches(batches).column("tags").to_pylist() == rows


def test_a_nested_text_bomb_is_refused_by_its_decoded_size():
    bomb = io.BytesIO(parquet_bomb(4096, per_row=16))  # 1 GiB decoded
    with pytest.raises(PayloadTooLarge) as refused:
        for _ in parquet_batches(bomb, {}, max_bytes=64 * 1024 * 1024):
            pass
    assert refused.value.details == {"limit": 64 * 1024 * 1024}


def test_values_the_metadata_counts_past_the_limit_are_refused_before_decoding(monkeypatch):
    zeros = pa.ListArray.from_arrays(pa.array([0, 1_000_000, 2_000_000], type=pa.int32()),
                                     pa.array(np.zeros(2_000_000, dtype=np.int64)))
    bomb = _parquet(pa.table({"zeros": zeros}), compression="zstd")
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", lambda *a, **k: pytest.fail("decoded"))
    with pytest.raises(PayloadTooLarge):
        next(parquet_batches(bomb, {}, max_bytes=15_000_000))


def test_a_batch_holds_as_many_rows_as_its_row_groups_values_allow(monkeypatch):
    monkeypatch.setattr(parquet_reader, "PARQUET_BATCH_BYTES", 81_000)
    wide = pa.table({"v": [[float(n)] * 1000 for n in range(40)]})  # ~8 kB a row
    batches = list(parquet_batches(_parquet(wide), {}, max_bytes=1 << 30))
    assert {batch.num_rows for batch in batches} == {10}
    assert pa.Table.from_batches(batches).equals(wide)
