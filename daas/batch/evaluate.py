"""Metrics of an evaluate run: its scored parts next to the input's label column.

Labels are compared as text, with integral numbers written without a fraction (``1``,
``1.0`` and ``"1"`` are the same class). Rows without a true label are left out and
counted; for clustering the silhouette uses a deterministic sample of the rows and the
model's numeric input columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from daas.batch import metrics
from daas.batch.chunks import folder_path, read_chunk
from daas.batch.plan import RunPlan
from daas.batch.run_files import RunFiles
from daas.codecs.responses import ColumnGroup
from daas.store.artifacts import ArtifactStore


def evaluate_run(plan: RunPlan, store: ArtifactStore, files: RunFiles) -> dict[str, Any]:
    """The metrics of a finished evaluate run (every part file written)."""
    reader = _RunReader(plan, store, files)
    task = plan.model.task
    if task == "clustering":
        return {"task": task, **_clustering(plan, reader)}
    truth = reader.input_column(plan.label_column)
    labelled = ~is_missing(truth)
    result: dict[str, Any] = {"task": task, "label_column": plan.label_column,
                              "rows_without_label": int((~labelled).sum())}
    if task == "classification":
        probability_columns = [c.name for c in plan.layout or []
                               if c.group == ColumnGroup.PROBABILITY]
        outputs = reader.output_columns(["label", *probability_columns])
        predicted = label_texts(outputs["label"])
        predicted[is_missing(predicted)] = ""
        probabilities = None
        if probability_columns:
            probabilities = np.column_stack([_floats(outputs[name])
                                             for name in probability_columns])[labelled]
        classes = [name[len("probability("):-1] for name in probability_columns]
        result.update(metrics.classification_metrics(
            label_texts(truth)[labelled], predicted[labelled], probabilities,
            classes if probabilities is not None else None))
    else:
        predicted = _floats(reader.output_columns(["value"])["value"])
        known = labelled & np.isfinite(predicted)
        result["rows_without_prediction"] = int((labelled & ~known).sum())
        result.update(metrics.regression_metrics(_floats(truth)[known], predicted[known]))
    return result


def _clustering(plan: RunPlan, reader: _RunReader) -> dict[str, Any]:
    clusters = label_texts(reader.output_columns(["cluster"])["cluster"])
    assigned = ~is_missing(clusters)
    result: dict[str, Any] = {"rows": int(len(clusters)),
                              "cluster_sizes": metrics.cluster_sizes(clusters[assigned])}
    features = reader.numeric_inputs()
    positions = metrics.sample_positions(len(clusters))
    sample = reader.input_rows(features, positions) if features else None
    silhouette = None
    if sample is not None:
        keep = np.all(np.isfinite(sample), axis=1) & assigned[positions]
        silhouette = metrics.silhouette(sample[keep], clusters[positions][keep])
    result["silhouette"] = silhouette
    result["silhouette_sample_rows"] = int(len(positions))
    result["silhouette_features"] = features
    return result


class _RunReader:
    """Columns of a run's input and outputs, chunk by chunk, in row order."""

    def __init__(self, plan: RunPlan, store: ArtifactStore, files: RunFiles) -> None:
        self.plan = plan
        self.fs = store.fs
        self.folder = folder_path(store.root, plan.input_key)
        self.files = files
        self.chunks = plan.chunk_list()

    def input_column(self, name: str) -> pa.ChunkedArray:
        return pa.chunked_array(
            [c for chunk in self.chunks
             for c in read_chunk(self.fs, self.folder, chunk, [name]).column(0).chunks],
            type=self._input_type(name))

    def output_columns(self, names: list[str]) -> dict[str, pa.ChunkedArray]:
        tables = [self.files.read_part(chunk.id, names) for chunk in self.chunks]
        return {name: pa.chunked_array([c for t in tables for c in t.column(name).chunks],
                                       type=tables[0].schema.field(name).type)
                for name in names}

    def numeric_inputs(self) -> list[str]:
        schema = self._input_schema()
        return [v.name for v in self.plan.model.schema.inputs
                if v.name in schema.names
                and (pa.types.is_integer(schema.field(v.name).type)
                     or pa.types.is_floating(schema.field(v.name).type))]

    def input_rows(self, names: list[str], positions: np.ndarray) -> np.ndarray:
        """Rows at sorted ``positions`` of the input, as a float matrix."""
        picked = []
        for chunk in self.chunks:
            inside = positions[(positions >= chunk.start) & (positions < chunk.start + chunk.rows)]
            if len(inside):
                table = read_chunk(self.fs, self.folder, chunk, names).take(inside - chunk.start)
                picked.append(np.column_stack([_floats(table.column(n)) for n in names]))
        return np.vstack(picked)

    def _input_schema(self) -> pa.Schema:
        with self.fs.open_input_file(f"{self.folder}/{self.chunks[0].file}") as handle:
            return pq.ParquetFile(handle).schema_arrow

    def _input_type(self, name: str) -> pa.DataType:
        return self._input_schema().field(name).type


def label_texts(values: pa.ChunkedArray) -> np.ndarray:
    """Labels as an object array of text (None where missing); integral numbers without '.0'."""
    kind = values.type
    if pa.types.is_floating(kind):
        numbers = values.to_numpy(zero_copy_only=False).astype(float)
        return np.array([None if np.isnan(x) else (str(int(x)) if x.is_integer() else repr(x))
                         for x in numbers], dtype=object)
    if pa.types.is_boolean(kind):
        return np.array([None if v is None else ("true" if v else "false")
                         for v in values.to_pylist()], dtype=object)
    return np.asarray(pc.cast(values, pa.string()).to_numpy(zero_copy_only=False), dtype=object)


def is_missing(values: Any) -> np.ndarray:
    """Which entries are missing (None, or null in an Arrow array)."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return np.array([value is None for value in values], dtype=bool)


def _floats(values: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
