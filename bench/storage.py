"""Storage benchmark: what upload, deploy and a batch run do with storage, on S3 (moto's
server on loopback) against a local folder (the baseline), same run.

    .venv/bin/python bench/storage.py [--model-mb 50] [--rows 1000000]

- upload: a model file stored by content (temporary key, then moved into place);
- deploy: the replica's load of that file (read whole and checked against its digest);
- dataset: a CSV ingested into Parquet part files, then moved out of staging;
- batch: every chunk of that dataset read back as a scoring actor reads it.

moto is a Python server: real S3 and MinIO answer faster, so the S3 ratios here are an upper
bound of what the network store costs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from daas.batch.chunks import describe_parts, folder_path, plan_chunks, read_chunk  # noqa: E402
from daas.platform.datasets.ingest import ingest  # noqa: E402
from daas.store.artifacts import ArtifactRef, ArtifactStore, load_artifact  # noqa: E402


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(store: ArtifactStore, model: bytes, csv: bytes) -> dict[str, float]:
    """Seconds per step on ``store``."""
    times: dict[str, float] = {}
    stored: dict[str, str] = {}

    def upload() -> None:
        stored["digest"], stored["key"] = store.put_model(model)

    times["upload"] = timed(upload)
    ref = ArtifactRef(store.uri, stored["key"], stored["digest"], "onnx")
    times["deploy load"] = timed(lambda: load_artifact(ref))

    def dataset() -> None:
        result = ingest(lambda: contextlib.closing(io.BytesIO(csv)), "csv", store,
                        "datasets/.tmp-bench", rows_per_part=500_000)
        for part in result.parts:
            store.move(part, f"datasets/bench/{part.rsplit('/', 1)[1]}")
        store.delete_dir("datasets/.tmp-bench")

    times["dataset upload"] = timed(dataset)
    folder = folder_path(store.root, "datasets/bench")

    def batch() -> None:
        for chunk in plan_chunks(describe_parts(store.fs, folder), 100_000):
            read_chunk(store.fs, folder, chunk)

    times["batch read"] = timed(batch)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-mb", type=int, default=50)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from tests.s3_server import S3Server

    model = os.urandom(args.model_mb * 1024 * 1024)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(args.rows, 4)).round(4), columns=list("abcd"))
    frame.insert(0, "id", np.arange(args.rows))
    csv = frame.to_csv(index=False).encode()
    server = S3Server()
    server.export()
    try:
        with tempfile.TemporaryDirectory() as folder:
            local = measure(ArtifactStore(folder), model, csv)
        on_s3 = measure(ArtifactStore(f"s3://{server.create_bucket()}/daas"), model, csv)
    finally:
        server.stop()
    print(f"model {args.model_mb} MB, dataset {args.rows} rows ({len(csv) / 1e6:.0f} MB CSV)")
    print(f"{'step':<16}{'local s':>10}{'S3 s':>10}{'S3/local':>10}")
    for step, seconds in local.items():
        print(f"{step:<16}{seconds:>10.2f}{on_s3[step]:>10.2f}{on_s3[step] / seconds:>9.1f}x")


if __name__ == "__main__":
    main()
