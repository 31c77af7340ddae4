"""The benchmark's model: a 50-tree random forest on iris, as ONNX and as PMML.

The ONNX file takes one ``[None, 1]`` float input per feature (named after it) and has
ZipMap off, so probabilities come out as one float tensor ``[N, 3]`` in class order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
CLASSES = ["setosa", "versicolor", "virginica"]
RECORD = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
TREES = 50


@dataclass(frozen=True)
class BenchModels:
    """Paths of the exported files."""

    onnx: Path
    pmml: Path


def export_models(out_dir: Path) -> BenchModels:
    """Fit the forest once and write both files into ``out_dir``."""
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    out_dir.mkdir(parents=True, exist_ok=True)
    bunch = load_iris(as_frame=True)
    features = bunch.data.set_axis(FEATURES, axis=1).astype(np.float32).astype(np.float64)
    species = np.array(CLASSES)[bunch.target]
    forest = RandomForestClassifier(n_estimators=TREES, random_state=0)

    onnx_path = out_dir / "iris_rf50.onnx"
    pipeline = Pipeline([("features", ColumnTransformer([("pass", "passthrough", FEATURES)])),
                         ("model", forest)]).fit(features, species)
    onnx_path.write_bytes(_to_onnx(pipeline).SerializeToString())

    pmml_path = out_dir / "iris_rf50.pmml"
    pmml_pipeline = PMMLPipeline([("model", RandomForestClassifier(n_estimators=TREES,
                                                                   random_state=0))])
    pmml_pipeline.fit(features, species.tolist())
    sklearn2pmml(pmml_pipeline, str(pmml_path))
    return BenchModels(onnx=onnx_path, pmml=pmml_path)


def _to_onnx(pipeline: Pipeline):
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    forest = pipeline.named_steps["model"]
    return convert_sklearn(pipeline, name="RandomForest50",
                           initial_types=[(name, FloatTensorType([None, 1])) for name in FEATURES],
                           options={id(forest): {"zipmap": False}})
