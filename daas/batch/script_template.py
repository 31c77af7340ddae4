"""A predict job as a standalone Ray Data script, for users who run the pipeline elsewhere.

The script needs Ray and this package installed where it runs (it uses the same model
runtimes, input checks and output columns as the platform's driver) and reads and writes
storage directly; run it with ``ray job submit -- python script.py`` or plain ``python``.
"""

from __future__ import annotations

from typing import Any

from daas.batch.config import parse_config

_TEMPLATE = '''\
"""Batch predict job {job_name!r}, exported from DaaS-Deployer.

Scores {input_uri!r} with model {model_name!r} ({model_format}) and writes Parquet
files to {output_uri!r}. Run it on a Ray cluster:

    ray job submit --working-dir . -- python {script_name}

or with plain ``python`` on a machine that can join the cluster (RAY_ADDRESS) or start one.
"""

import pyarrow as pa
import ray

from daas.batch.scorer import probe, score_table
from daas.store.artifacts import ArtifactStore
from daas.runtimes import load_runtime

STORAGE_URI = {storage_uri!r}
MODEL_KEY = {model_key!r}
MODEL_FORMAT = {model_format!r}
INPUT_URI = {input_uri!r}
OUTPUT_URI = {output_uri!r}
PASSTHROUGH = {passthrough!r}
BATCH_SIZE = {batch_size!r}  # rows per model call
CONCURRENCY = {concurrency!r}  # scoring actors
NUM_CPUS = {num_cpus!r}  # CPUs per actor


class Scorer:
    """Loads the model once per actor and scores batches of rows."""

    def __init__(self):
        self.runtime = load_runtime(MODEL_FORMAT, ArtifactStore(STORAGE_URI).get(MODEL_KEY))
        self.layout = None

    def __call__(self, batch: pa.Table) -> pa.Table:
        if self.layout is None:  # the output columns, from this actor's first rows
            self.layout = probe(self.runtime, batch)
        return score_table(self.runtime, self.layout, batch, PASSTHROUGH, BATCH_SIZE)


def main():
    ray.init(ignore_reinit_error=True)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    (
        ray.data.read_parquet(INPUT_URI)
        .map_batches(Scorer, batch_size=BATCH_SIZE, batch_format="pyarrow",
                     concurrency=CONCURRENCY, num_cpus=NUM_CPUS)
        .write_parquet(OUTPUT_URI)
    )
    print(f"predictions written to {{OUTPUT_URI}}")


if __name__ == "__main__":
    main()
'''


def predict_script(job: Any, model_format: str, storage_uri: str, input_key: str,
                   output_uri: str, *, model_key: str,
                   script_name: str = "predict.py") -> str:
    """The source of a runnable script doing ``job``'s predictions.

    ``job`` is a ``Job`` row (its ``name``, ``kind`` and ``config`` are used); ``storage_uri`` is the
    platform's storage, where the model file (``model_key``) and the input dataset folder
    (``input_key``) live; ``output_uri`` is the folder the script writes Parquet files to.
    """
    config = parse_config(job.kind, job.config)
    return _TEMPLATE.format(
        job_name=job.name, model_name=config.model, model_format=model_format,
        storage_uri=storage_uri, model_key=model_key,
        input_uri=f"{storage_uri.rstrip('/')}/{input_key.strip('/')}", output_uri=output_uri,
        passthrough=list(config.passthrough), batch_size=config.batch_size,
        concurrency=config.concurrency, num_cpus=config.num_cpus, script_name=script_name,
    )
