"""Chunk planning from Parquet footers, and reading one chunk back."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from daas.batch.chunks import (
    Chunk,
    PartFile,
    describe_parts,
    list_part_files,
    plan_chunks,
    read_chunk,
)


def _spans(chunks):
    return [(c.file, c.row_groups, c.skip, c.rows, c.start) for c in chunks]


def test_whole_row_groups_are_grouped_up_to_the_chunk_size():
    parts = [PartFile("part-0.parquet", (300, 300, 300, 100)), PartFile("part-1.parquet", (250,))]
    assert _spans(plan_chunks(parts, 700)) == [
        ("part-0.parquet", (0, 1), 0, 600, 0),
        ("part-0.parquet", (2, 3), 0, 400, 600),
        ("part-1.parquet", (0,), 0, 250, 1000),
    ]


def test_large_row_groups_are_cut_into_equal_slices():
    chunks = plan_chunks([PartFile("a.parquet", (100, 1050, 50))], 500)
    assert _spans(chunks) == [
        ("a.parquet", (0,), 0, 100, 0),
        ("a.parquet", (1,), 0, 350, 100),
        ("a.parquet", (1,), 350, 350, 450),
        ("a.parquet", (1,), 700, 350, 800),
        ("a.parquet", (2,), 0, 50, 1150),
    ]


def test_chunks_cover_every_row_once_with_stable_ids():
    parts = [PartFile(f"part-{i}.parquet", tuple(int(n) for n in sizes))
             for i, sizes in enumerate(np.random.default_rng(1).integers(0, 900, size=(5, 4)))]
    chunks = plan_chunks(parts, 512)
    assert [c.id for c in chunks] == list(range(len(chunks)))
    assert all(0 < c.rows <= 512 for c in chunks)
    assert [c.start for c in chunks] == list(np.cumsum([0] + [c.rows for c in chunks])[:-1])
    assert sum(c.rows for c in chunks) == sum(sum(p.row_groups) for p in parts)
    assert plan_chunks(parts, 512) == chunks
    assert [Chunk.from_dict(c.to_dict()) for c in chunks] == chunks


def test_empty_parts_give_no_chunks_and_chunk_rows_must_be_positive():
    assert plan_chunks([PartFile("a.parquet", ()), PartFile("b.parquet", (0,))], 10) == []
    with pytest.raises(ValueError):
        plan_chunks([], 0)


@pytest.fixture
def dataset_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    ids = np.arange(2500)
    table = pa.table({"id": ids, "x": ids * 0.5, "name": [f"n{i}" for i in ids]})
    pq.write_table(table.slice(0, 1000), folder / "part-00000.parquet", row_group_size=300)
    pq.write_table(table.slice(1000, 1500), folder / "part-00001.parquet", row_group_size=1500)
    (folder / "_plan.json").write_text("{}")
    (folder / ".tmp-123").write_text("partial")
    return str(folder)


def test_footers_describe_parts_and_other_files_are_ignored(dataset_folder):
    fs = pafs.LocalFileSystem()
    assert list_part_files(fs, dataset_folder) == ["part-00000.parquet", "part-00001.parquet"]
    assert describe_parts(fs, dataset_folder) == [
        PartFile("part-00000.parquet", (300, 300, 300, 100)),
        PartFile("part-00001.parquet", (1500,)),
    ]
    assert list_part_files(fs, dataset_folder + "/missing") == []


def test_reading_every_chunk_gives_back_the_dataset_in_order(dataset_folder):
    fs = pafs.LocalFileSystem()
    chunks = plan_chunks(describe_parts(fs, dataset_folder), 400)
    assert any(c.skip for c in chunks)  # the 1500-row group is sliced
    tables = [read_chunk(fs, dataset_folder, c, ["id", "name"]) for c in chunks]
    assert [t.num_rows for t in tables] == [c.rows for c in chunks]
    assert all(t.column_names == ["id", "name"] for t in tables)
    combined = pa.concat_tables(tables)
    assert combined.column("id").to_pylist() == list(range(2500))
    assert combined.column("name").to_pylist()[1234] == "n1234"
    assert read_chunk(fs, dataset_folder, chunks[0]).column_names == ["id", "x", "name"]
