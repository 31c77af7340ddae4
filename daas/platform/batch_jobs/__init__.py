"""Datasets and batch jobs: stored Parquet data scored by Ray Data pipelines run as Ray jobs."""
