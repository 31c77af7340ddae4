"""Real model files for tests, trained with scikit-learn and exported with skl2onnx / sklearn2pmml.

Every ``*_onnx`` / ``*_pmml`` function fits a small, deterministic model, writes it into
``out_dir`` and returns a :class:`GeneratedModel` holding the file path, the fitted
scikit-learn object (to compare predictions against) and a few input rows. Files already
present in ``out_dir`` are reused, so a shared cache directory makes repeated calls cheap.

Tabular ONNX models take one ``[None, 1]`` float input per feature, named after the
feature, so records with named fields map onto inputs one to one.

sklearn2pmml exports a bare PCA as a PMML document with only a TransformationDictionary,
which pypmml cannot score; :func:`pca_pmml` therefore writes the PMML itself: a
``RegressionModel`` without a target whose ``Output`` computes each principal component
as a ``transformedValue`` expression (the shape the PMML runtime reads as dimensionality
reduction).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline

IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
IRIS_TARGET = "species"
IRIS_CLASSES = ["setosa", "versicolor", "virginica"]
DIABETES_TARGET = "progression"


@dataclass
class GeneratedModel:
    """A model file on disk and the scikit-learn object it was exported from."""

    path: Path
    estimator: Any
    features: list[str]
    rows: pd.DataFrame
    target: str | None = None

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


def iris_data() -> tuple[pd.DataFrame, pd.Series]:
    """Iris features (float32-exact values, named columns) and species names."""
    bunch = load_iris(as_frame=True)
    features = bunch.data.set_axis(IRIS_FEATURES, axis=1).astype(np.float32).astype(np.float64)
    species = pd.Series(np.array(IRIS_CLASSES)[bunch.target], name=IRIS_TARGET)
    return features, species


def diabetes_data() -> tuple[pd.DataFrame, pd.Series]:
    """The diabetes regression data set (features rounded to float32 values)."""
    bunch = load_diabetes(as_frame=True)
    features = bunch.data.astype(np.float32).astype(np.float64)
    return features, bunch.target.rename(DIABETES_TARGET)


# -- fitted estimators (deterministic, shared by both formats) ------------------------------

def _iris_classifier() -> RandomForestClassifier:
    return RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0)


def _diabetes_regressor() -> LinearRegression:
    return LinearRegression()


def _iris_kmeans() -> KMeans:
    return KMeans(n_clusters=3, n_init=3, random_state=0)


def _iris_pca() -> PCA:
    return PCA(n_components=2)


# -- ONNX -----------------------------------------------------------------------------------

def _named_inputs_pipeline(features: list[str], estimator: Any) -> Pipeline:
    """A pipeline whose first step selects the named columns, so skl2onnx keeps one input each."""
    select = ColumnTransformer([("features", "passthrough", features)])
    return Pipeline([("features", select), ("model", estimator)])


def _export_onnx(path: Path, pipeline: Pipeline, features: list[str], name: str,
                 options: dict | None = None) -> None:
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    initial_types = [(feature, FloatTensorType([None, 1])) for feature in features]
    model = convert_sklearn(pipeline, name=name, initial_types=initial_types, options=options)
    _write_atomically(path, lambda tmp: tmp.write_bytes(model.SerializeToString()))


def _onnx_model(out_dir: Path, filename: str, estimator: Any, data: tuple[pd.DataFrame, pd.Series],
                name: str, options_for: Callable[[Any], dict] | None = None,
                target: str | None = None) -> GeneratedModel:
    features, labels = data
    pipeline = _named_inputs_pipeline(list(features.columns), estimator)
    pipeline.fit(features, labels)
    path = Path(out_dir) / filename
    if not path.exists():
        options = options_for(estimator) if options_for else None
        _export_onnx(path, pipeline, list(features.columns), name, options)
    return GeneratedModel(path, pipeline, list(features.columns), features, target)


def iris_classifier_onnx(out_dir: Path, zipmap: bool = True) -> GeneratedModel:
    """Random forest on iris; probabilities as a ZipMap (``seq(map)``) or a float tensor."""
    filename = "iris_rf.onnx" if zipmap else "iris_rf_nozipmap.onnx"
    options = None if zipmap else (lambda est: {id(est): {"zipmap": False}})
    return _onnx_model(out_dir, filename, _iris_classifier(), iris_data(), "RandomForestClassifier",
                       options, target=IRIS_TARGET)


def regressor_onnx(out_dir: Path) -> GeneratedModel:
    """Linear regression on the diabetes data set."""
    return _onnx_model(out_dir, "diabetes_linreg.onnx", _diabetes_regressor(), diabetes_data(),
                       "LinearRegression", target=DIABETES_TARGET)


def kmeans_onnx(out_dir: Path) -> GeneratedModel:
    """K-means with three clusters on iris (outputs ``label`` and ``scores``)."""
    return _onnx_model(out_dir, "iris_kmeans.onnx", _iris_kmeans(), iris_data(), "KMeans")


def pca_onnx(out_dir: Path) -> GeneratedModel:
    """PCA with two components on iris (one ``[None, 2]`` float output)."""
    return _onnx_model(out_dir, "iris_pca.onnx", _iris_pca(), iris_data(), "PCA")


# -- PMML -----------------------------------------------------------------------------------

def _pmml_model(out_dir: Path, filename: str, estimator: Any, data: tuple[pd.DataFrame, pd.Series],
                supervised: bool) -> GeneratedModel:
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    features, labels = data
    pipeline = PMMLPipeline([("model", estimator)])
    if supervised:
        pipeline.fit(features, labels)
    else:
        pipeline.fit(features)
    path = Path(out_dir) / filename
    if not path.exists():
        _write_atomically(path, lambda tmp: sklearn2pmml(pipeline, str(tmp)))
    return GeneratedModel(path, pipeline, list(features.columns), features,
                          labels.name if supervised else None)


def iris_classifier_pmml(out_dir: Path) -> GeneratedModel:
    """The same random forest as :func:`iris_classifier_onnx`, as PMML."""
    return _pmml_model(out_dir, "iris_rf.pmml", _iris_classifier(), iris_data(), supervised=True)


def regressor_pmml(out_dir: Path) -> GeneratedModel:
    """The same linear regression as :func:`regressor_onnx`, as PMML."""
    return _pmml_model(out_dir, "diabetes_linreg.pmml", _diabetes_regressor(), diabetes_data(),
                       supervised=True)


def kmeans_pmml(out_dir: Path) -> GeneratedModel:
    """The same k-means as :func:`kmeans_onnx`, as a PMML ClusteringModel."""
    return _pmml_model(out_dir, "iris_kmeans.pmml", _iris_kmeans(), iris_data(), supervised=False)


def pca_pmml(out_dir: Path) -> GeneratedModel:
    """The same PCA as :func:`pca_onnx`, written as a target-less RegressionModel with one
    ``transformedValue`` output per component (see the module docstring)."""
    features, _ = iris_data()
    pca = _iris_pca().fit(features)
    path = Path(out_dir) / "iris_pca.pmml"
    if not path.exists():
        document = pca_pmml_document(pca, list(features.columns))
        _write_atomically(path, lambda tmp: tmp.write_text(document, encoding="utf-8"))
    return GeneratedModel(path, pca, list(features.columns), features)


def pca_pmml_document(pca: PCA, features: list[str]) -> str:
    """PMML 4.4 text scoring ``pca.transform`` as output fields ``PC1``..``PCn``."""
    if getattr(pca, "whiten", False):
        raise ValueError("whitened PCA is not supported")

    def component(index: int) -> str:
        terms = "".join(
            f'<Apply function="*"><Apply function="-"><FieldRef field={quoteattr(name)}/>'
            f'<Constant dataType="double">{float(mean)!r}</Constant></Apply>'
            f'<Constant dataType="double">{float(weight)!r}</Constant></Apply>'
            for name, mean, weight in zip(features, pca.mean_, pca.components_[index])
        )
        return (f'<OutputField name="PC{index + 1}" optype="continuous" dataType="double" '
                f'feature="transformedValue"><Apply function="sum">{terms}</Apply></OutputField>')

    data_fields = "".join(
        f'<DataField name={quoteattr(name)} optype="continuous" dataType="double"/>'
        for name in features)
    mining_fields = "".join(f"<MiningField name={quoteattr(name)}/>" for name in features)
    outputs = "".join(component(i) for i in range(pca.n_components_))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">'
        '<Header><Application name="daas tests model_factory" version="1"/></Header>'
        f"<DataDictionary>{data_fields}</DataDictionary>"
        '<RegressionModel functionName="regression" modelName="PCA" algorithmName="PCA">'
        f"<MiningSchema>{mining_fields}</MiningSchema>"
        f"<Output>{outputs}</Output>"
        '<RegressionTable intercept="0"/>'
        "</RegressionModel></PMML>\n"
    )


#: Every generator, by a short key used in test ids.
GENERATORS: dict[str, Callable[[Path], GeneratedModel]] = {
    "classifier-onnx": iris_classifier_onnx,
    "classifier-onnx-nozipmap": lambda out_dir: iris_classifier_onnx(out_dir, zipmap=False),
    "regressor-onnx": regressor_onnx,
    "kmeans-onnx": kmeans_onnx,
    "pca-onnx": pca_onnx,
    "classifier-pmml": iris_classifier_pmml,
    "regressor-pmml": regressor_pmml,
    "kmeans-pmml": kmeans_pmml,
    "pca-pmml": pca_pmml,
}


def generate_all(out_dir: Path) -> dict[str, GeneratedModel]:
    """Write every model into ``out_dir`` (reusing files already there).

    Exports run in threads: each sklearn2pmml export is a separate Java process.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=len(GENERATORS)) as pool:
        futures = {key: pool.submit(generate, out_dir) for key, generate in GENERATORS.items()}
        return {key: future.result() for key, future in futures.items()}


def _write_atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """Write through a temporary name so a cached directory never holds half a file."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
