"""The exported predict script, as text (its run on Ray is in test_driver_live.py)."""

from __future__ import annotations

import ast

from daas.batch.script_template import predict_script
from daas.store.tables import Job


def test_the_script_template_is_valid_python_with_the_job_settings():
    job = Job(name='quote"s', kind="predict",
              config={"model": "m", "input_dataset": "in", "output_dataset": "out",
                      "passthrough": ["id"], "batch_size": 77, "concurrency": 3, "num_cpus": 0.5})
    source = predict_script(job, "onnx", "s3://bucket/root", "datasets/in", "s3://bucket/out",
                            model_key="models/ab/abc")
    tree = ast.parse(source)
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
              if isinstance(node, ast.Assign)}
    assert values == {"STORAGE_URI": "s3://bucket/root", "MODEL_KEY": "models/ab/abc",
                      "MODEL_FORMAT": "onnx", "INPUT_URI": "s3://bucket/root/datasets/in",
                      "OUTPUT_URI": "s3://bucket/out", "PASSTHROUGH": ["id"], "BATCH_SIZE": 77,
                      "CONCURRENCY": 3, "NUM_CPUS": 0.5}
