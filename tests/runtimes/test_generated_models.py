"""Models trained here and exported to ONNX/PMML predict what scikit-learn predicts."""

from __future__ import annotations

import numpy as np
import pytest

from daas.runtimes import detect_format, inspect_model, load_runtime
from tests.model_factory import IRIS_CLASSES

ONNX_TOLERANCE = 1e-5  # float32 evaluation
PMML_TOLERANCE = 1e-9  # double evaluation
ROWS = slice(0, 150, 7)  # a spread of rows across all three iris species


def _load(model):
    data = model.data
    return load_runtime(detect_format(model.path.name, data), data)


def _score(model):
    rows = model.rows.iloc[ROWS].reset_index(drop=True)
    return rows, _load(model).predict(rows)


def _tolerance(key):
    return ONNX_TOLERANCE if key.endswith(("onnx", "nozipmap")) else PMML_TOLERANCE


@pytest.mark.parametrize("key, task", [
    ("classifier-onnx", "classification"),
    ("classifier-onnx-nozipmap", "classification"),
    ("classifier-pmml", "classification"),
    ("regressor-onnx", "regression"),
    ("regressor-pmml", "regression"),
    ("kmeans-onnx", "clustering"),
    ("kmeans-pmml", "clustering"),
    ("pca-onnx", "dimensionality_reduction"),
    ("pca-pmml", "dimensionality_reduction"),
])
def test_schema_reports_task_and_inputs(generated_models, key, task):
    model = generated_models[key]

    schema = inspect_model(key.split("-")[1], model.data)

    assert schema["task"] == task
    assert [v["name"] for v in schema["inputs"]] == model.features
    assert schema["tabular"] is True
    if task == "classification":
        assert schema["classes"] == IRIS_CLASSES
    else:
        assert schema["classes"] is None


@pytest.mark.parametrize("key", ["classifier-onnx", "classifier-onnx-nozipmap", "classifier-pmml"])
def test_classifier_matches_scikit_learn(generated_models, key):
    model = generated_models[key]
    rows, predictions = _score(model)
    labels = model.estimator.predict(rows)
    probabilities = model.estimator.predict_proba(rows)

    assert [p["label"] for p in predictions] == list(labels)
    for prediction, expected in zip(predictions, probabilities):
        assert list(prediction["probabilities"]) == IRIS_CLASSES
        np.testing.assert_allclose(list(prediction["probabilities"].values()), expected,
                                   atol=_tolerance(key))


@pytest.mark.parametrize("key", ["regressor-onnx", "regressor-pmml"])
def test_regressor_matches_scikit_learn(generated_models, key):
    model = generated_models[key]
    rows, predictions = _score(model)

    expected = model.estimator.predict(rows)

    np.testing.assert_allclose([p["value"] for p in predictions], expected, rtol=_tolerance(key))
    if key.endswith("pmml"):  # the predicted target under its own name
        assert [p["outputs"][model.target] for p in predictions] == [p["value"]
                                                                     for p in predictions]


@pytest.mark.parametrize("key", ["kmeans-onnx", "kmeans-pmml"])
def test_kmeans_matches_scikit_learn(generated_models, key):
    model = generated_models[key]
    rows, predictions = _score(model)
    clusters = model.estimator.predict(rows)
    distances = model.estimator.transform(rows).min(axis=1)

    assert [p["cluster"] for p in predictions] == [int(c) for c in clusters]
    reported = np.array([p["distance"] for p in predictions])
    if key.endswith("pmml"):
        # sklearn2pmml declares <ComparisonMeasure><squaredEuclidean/>: affinity is d^2
        assert "squaredEuclidean" in model.path.read_text()
        reported = np.sqrt(reported)
        tolerance = PMML_TOLERANCE
    else:
        # skl2onnx computes |x|^2 - 2x.c + |c|^2 in float32: cancellation costs ~1e-5 absolute
        tolerance = 1e-4
    np.testing.assert_allclose(reported, distances, atol=tolerance)


@pytest.mark.parametrize("key", ["pca-onnx", "pca-pmml"])
def test_pca_matches_scikit_learn(generated_models, key):
    model = generated_models[key]
    rows, predictions = _score(model)

    expected = model.estimator.transform(rows)

    np.testing.assert_allclose([p["components"] for p in predictions], expected,
                               rtol=_tolerance(key), atol=_tolerance(key))


def test_onnx_classifier_raw_outputs_by_output_name(generated_models):
    rows, zipmap = _score(generated_models["classifier-onnx"])
    _, plain = _score(generated_models["classifier-onnx-nozipmap"])

    assert set(zipmap[0]["outputs"]) == {"output_label", "output_probability"}
    assert set(plain[0]["outputs"]) == {"label", "probabilities"}
    for with_map, with_tensor in zip(zipmap, plain):
        assert with_map["outputs"]["output_probability"] == with_map["probabilities"]
        assert with_tensor["outputs"]["probabilities"] == list(with_tensor["probabilities"]
                                                               .values())


def test_pmml_classifier_outputs_include_target_and_declared_fields(generated_models):
    model = generated_models["classifier-pmml"]
    _, predictions = _score(model)
    runtime = _load(model)

    declared = {v.name for v in runtime.schema.outputs}
    assert {f"probability({c})" for c in IRIS_CLASSES} <= declared
    for prediction in predictions:
        assert prediction["outputs"]["species"] == prediction["label"]
        assert prediction["outputs"]["probability(setosa)"] == \
            prediction["probabilities"]["setosa"]


def test_pmml_pca_schema_lists_components_as_outputs(generated_models):
    schema = _load(generated_models["pca-pmml"]).schema

    assert schema.targets == []
    assert [(v.name, v.feature) for v in schema.outputs] == [("PC1", "transformedValue"),
                                                             ("PC2", "transformedValue")]


@pytest.mark.parametrize("key", ["classifier-onnx", "regressor-onnx", "kmeans-onnx", "pca-onnx"])
def test_onnx_tabular_models_take_one_named_input_per_feature(generated_models, key):
    schema = _load(generated_models[key]).schema

    assert [(v.name, v.dtype, v.shape) for v in schema.inputs] == \
        [(feature, "float", [None, 1]) for feature in generated_models[key].features]
    assert schema.producer.startswith("skl2onnx")
