"""Batch fixtures written straight into the live platform's database and storage."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlmodel import select

from daas.batch.chunks import folder_path
from daas.batch.run_files import RunFiles
from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from daas.store.tables import Dataset, Group, Job, JobRun
from tests.live.helpers import upload
from tests.model_factory import diabetes_data, iris_data

_names = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def iris_rows(rows: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Iris-like rows: an ``id``, the four features (jittered) and the true ``species``."""
    features, species = iris_data()
    rng = np.random.default_rng(seed)
    picked = rng.integers(0, len(features), size=rows)
    frame = features.iloc[picked].reset_index(drop=True)
    frame = (frame + rng.normal(0, 0.15, size=frame.shape)).round(1)
    frame.insert(0, "id", np.arange(rows, dtype=np.int64) + 100_000)
    frame["species"] = species.iloc[picked].to_numpy()
    return frame


def diabetes_rows() -> pd.DataFrame:
    features, target = diabetes_data()
    frame = features.copy()
    frame.insert(0, "id", np.arange(len(frame), dtype=np.int64))
    frame["progression"] = target.to_numpy()
    return frame


@dataclass
class BatchWorld:
    """Writes batch fixtures into the live platform's database and storage."""

    live: object
    db: Database
    store: ArtifactStore
    models: dict[str, str] = field(default_factory=dict)

    @property
    def group_id(self) -> int:
        """Group ``default``, where the admin's uploads land and these fixtures go."""
        with self.db.read() as session:
            return session.exec(select(Group.id).where(Group.name == "default")).one()

    def model(self, key: str, generated) -> str:
        """The registered name of a generated model (uploaded once per session)."""
        if key not in self.models:
            name = unique(f"batch-{key}")
            upload(self.live, name, generated[key].path)
            self.models[key] = name
        return self.models[key]

    def dataset(self, frame: pd.DataFrame, files: int = 3, row_group: int = 250) -> str:
        """Store ``frame`` as a dataset of ``files`` Parquet parts; returns its name."""
        name = unique("ds")
        key = f"datasets/{name}"
        folder = folder_path(self.store.root, key)
        self.store.fs.create_dir(folder, recursive=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        bounds = np.linspace(0, len(frame), files + 1).astype(int)
        for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            pq.write_table(table.slice(lo, hi - lo), f"{folder}/part-{i:05d}.parquet",
                           row_group_size=row_group)
        with self.db.write() as session:
            session.add(Dataset(group_id=self.group_id, name=name, origin_format="parquet",
                                source="test", storage_key=key,
                                size_bytes=0, rows=len(frame),
                                columns=[{"name": f.name, "type": str(f.type)} for f in table.schema]))
        return name

    def run(self, kind: str, config: dict) -> int:
        """A new job with one pending run; returns the run id."""
        name = unique(f"job-{kind}")
        with self.db.write() as session:
            session.add(Job(group_id=self.group_id, name=name, kind=kind, config=config,
                            created_by="tester"))
            run = JobRun(group_id=self.group_id, job_name=name, created_by="tester")
            session.add(run)
            session.flush()
            return run.id

    def run_row(self, run_id: int) -> JobRun:
        with self.db.read() as session:
            return session.get(JobRun, run_id)

    def set_status(self, run_id: int, status: str) -> None:
        with self.db.write() as session:
            run = session.get(JobRun, run_id)
            run.status = status
            session.add(run)

    def dataset_row(self, name: str) -> Dataset | None:
        with self.db.read() as session:
            return session.exec(select(Dataset).where(Dataset.name == name)).first()

    def files(self, run_id: int) -> RunFiles:
        return RunFiles(self.store, run_id)

    def output(self, run_id: int) -> pa.Table:
        """Every part file of a run, in name order, as one table."""
        files = self.files(run_id)
        return pa.concat_tables([files.read_part(i) for i in sorted(files.done_chunks())])
