"""Every store operation on a local folder and on a real S3 API server (moto on loopback)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from daas.errors import NotFound
from daas.store.artifacts import TEMPORARY_PREFIX, ArtifactStore, StorageUnavailable


@pytest.fixture(params=["local", "s3"])
def storage_uri(request, tmp_path) -> str:
    if request.param == "local":
        return str(tmp_path / "storage")
    return request.getfixturevalue("s3_storage_uri")


def test_blobs_round_trip_list_and_delete(storage_uri):
    store = ArtifactStore(storage_uri)
    digest, key = store.put_model(b"<PMML/>")
    store.put("datasets/group-1/d/part-0.parquet", b"p0")
    store.put("datasets/group-1/d/part-1.parquet", b"p11")
    assert store.get(key) == b"<PMML/>" and store.exists(key)
    assert store.file_sizes("datasets/group-1/d") == {"datasets/group-1/d/part-0.parquet": 2,
                                                      "datasets/group-1/d/part-1.parquet": 3}
    assert store.list_keys() == sorted([key, "datasets/group-1/d/part-0.parquet",
                                        "datasets/group-1/d/part-1.parquet"])
    with store.open_input_file("datasets/group-1/d/part-1.parquet") as handle:
        assert handle.read() == b"p11"
    store.move("datasets/group-1/d/part-1.parquet", "datasets/group-1/e/part-0.parquet")
    assert store.get("datasets/group-1/e/part-0.parquet") == b"p11"
    store.delete_dir("datasets/group-1/d")
    store.delete(key)
    assert store.list_keys() == ["datasets/group-1/e/part-0.parquet"]
    with pytest.raises(NotFound):
        store.get(key)
    assert digest == key.rsplit("/", 1)[1]


def test_the_probe_leaves_nothing_behind(storage_uri):
    store = ArtifactStore(storage_uri)
    store.probe()
    assert store.list_keys() == []


def test_the_sweep_removes_only_old_temporary_objects_and_folders(storage_uri):
    store = ArtifactStore(storage_uri)
    store.put(f"models/ab/{TEMPORARY_PREFIX}interrupted", b"half")
    store.put(f"datasets/{TEMPORARY_PREFIX}upload/part-0.parquet", b"p0")
    store.put(f"datasets/{TEMPORARY_PREFIX}upload/part-1.parquet", b"p1")
    store.put("models/ab/complete", b"whole")
    assert store.sweep_temporary(older_than_s=3600) == []
    time.sleep(1.1)
    store.put(f"datasets/{TEMPORARY_PREFIX}ongoing/part-0.parquet", b"p0")
    assert store.sweep_temporary(older_than_s=1) == [f"datasets/{TEMPORARY_PREFIX}upload",
                                                     f"models/ab/{TEMPORARY_PREFIX}interrupted"]
    assert store.list_keys() == [f"datasets/{TEMPORARY_PREFIX}ongoing/part-0.parquet",
                                 "models/ab/complete"]


def test_a_missing_bucket_is_named(s3_environment):
    with pytest.raises(StorageUnavailable, match="DAAS_STORAGE_URI") as caught:
        ArtifactStore("s3://no-such-bucket-here/daas")
    assert "no-such-bucket-here" in caught.value.message and "create it" in caught.value.message


KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    from daas.store.artifacts import ArtifactStore
    class DiesOnMove:
        def __init__(self, fs):
            self.fs = fs
        def __getattr__(self, name):
            return getattr(self.fs, name)
        def move(self, *_):
            # The temporary object is complete; the process dies before it is moved into place.
            os.kill(os.getpid(), signal.SIGKILL)
    store = ArtifactStore(sys.argv[1])
    store.fs = DiesOnMove(store.fs)
    store.put_model(b"x" * 5_000_000)
""")


def test_a_writer_killed_mid_write_leaves_no_visible_object_and_the_sweep_clears_it(storage_uri):
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, storage_uri], env=os.environ,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    store = ArtifactStore(storage_uri)
    keys = store.list_keys()
    assert len(keys) == 1 and keys[0].rsplit("/", 1)[1].startswith(TEMPORARY_PREFIX), keys
    time.sleep(1.1)
    assert store.sweep_temporary(older_than_s=1) == keys
    assert store.list_keys() == []
