"""Batch predict and evaluate runs: Ray Data pipelines run as Ray jobs.

``driver`` is the Ray job entrypoint; ``planning`` checks a run and freezes its ``plan``;
``chunks`` splits the input's Parquet files; ``pipeline`` runs ``scorer.ChunkScorer`` actors
that write ``run_files`` parts with ``outputs`` columns; ``evaluate``/``metrics`` score an
evaluate run; ``register`` records the output dataset; ``script_template`` exports a
predict job as a standalone script.
"""
