"""daas.batch.metrics agrees with scikit-learn to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

from daas.batch import metrics

TOL = 1e-9


def _classification_case(classes: list[str], rows: int, seed: int):
    rng = np.random.default_rng(seed)
    y_true = rng.choice(classes, size=rows)
    raw = rng.random((rows, len(classes))) + np.eye(len(classes))[
        np.searchsorted(classes, y_true)] * rng.random((rows, 1))
    probabilities = np.round(raw / raw.sum(axis=1, keepdims=True), 3)  # rounding makes ties
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    y_pred = np.asarray(classes)[probabilities.argmax(axis=1)]
    return y_true, y_pred, probabilities


@pytest.mark.parametrize("classes", [["no", "yes"], ["setosa", "versicolor", "virginica"],
                                     ["a", "b", "c", "d", "e"]])
def test_classification_metrics_match_sklearn(classes):
    y_true, y_pred, probabilities = _classification_case(classes, 700, seed=len(classes))
    got = metrics.classification_metrics(y_true, y_pred, probabilities, classes)

    assert got["accuracy"] == pytest.approx(sk.accuracy_score(y_true, y_pred), abs=TOL)
    precision, recall, f1, support = sk.precision_recall_fscore_support(y_true, y_pred,
                                                                        zero_division=0)
    labels = sorted(set(y_true) | set(y_pred))
    for i, label in enumerate(labels):
        per_class = got["per_class"][label]
        assert per_class["precision"] == pytest.approx(precision[i], abs=TOL)
        assert per_class["recall"] == pytest.approx(recall[i], abs=TOL)
        assert per_class["f1"] == pytest.approx(f1[i], abs=TOL)
        assert per_class["support"] == support[i]
    macro = sk.precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    assert got["macro"]["precision"] == pytest.approx(macro[0], abs=TOL)
    assert got["macro"]["recall"] == pytest.approx(macro[1], abs=TOL)
    assert got["macro"]["f1"] == pytest.approx(macro[2], abs=TOL)
    assert got["confusion_matrix"]["labels"] == labels
    assert got["confusion_matrix"]["matrix"] == sk.confusion_matrix(y_true, y_pred).tolist()

    if len(classes) == 2:
        expected_auc = sk.roc_auc_score(y_true, probabilities[:, 1])
    else:
        expected_auc = sk.roc_auc_score(y_true, probabilities, multi_class="ovr", average="macro")
    assert got["roc_auc"] == pytest.approx(expected_auc, abs=TOL)
    for j, label in enumerate(classes):
        assert got["roc_auc_per_class"][label] == pytest.approx(
            sk.roc_auc_score(y_true == label, probabilities[:, j]), abs=TOL)
    assert got["log_loss"] == pytest.approx(sk.log_loss(y_true, probabilities, labels=classes),
                                            abs=TOL)


def test_probability_columns_in_any_order_and_a_never_predicted_class():
    classes = ["b", "c", "a"]
    y_true = np.array(["a", "b", "c", "c", "a", "b"])
    y_pred = np.array(["a", "b", "b", "b", "a", "b"])  # "c" never predicted
    probabilities = np.array([[0.1, 0.1, 0.8], [0.7, 0.2, 0.1], [0.5, 0.4, 0.1],
                              [0.6, 0.3, 0.1], [0.2, 0.0, 0.8], [0.9, 0.05, 0.05]])
    got = metrics.classification_metrics(y_true, y_pred, probabilities, classes)
    ordered = probabilities[:, [2, 0, 1]]  # a, b, c: the order sklearn assumes
    assert got["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2}
    assert got["roc_auc"] == pytest.approx(sk.roc_auc_score(y_true, ordered, multi_class="ovr"),
                                           abs=TOL)
    assert got["log_loss"] == pytest.approx(sk.log_loss(y_true, ordered), abs=TOL)


def test_auc_is_none_when_a_class_has_no_rows():
    assert metrics.roc_auc(np.array([True, True]), np.array([0.2, 0.3])) is None


def test_extreme_probabilities_are_clipped_like_sklearn():
    y_true = np.array(["x", "y", "x"])
    probabilities = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    got = metrics.classification_metrics(y_true, np.array(["y", "y", "x"]), probabilities, ["x", "y"])
    assert got["log_loss"] == pytest.approx(sk.log_loss(y_true, probabilities), abs=TOL)


def test_regression_metrics_match_sklearn():
    rng = np.random.default_rng(3)
    y_true = rng.normal(10, 3, size=500)
    y_pred = y_true + rng.normal(0, 1, size=500)
    got = metrics.regression_metrics(y_true, y_pred)
    assert got["mae"] == pytest.approx(sk.mean_absolute_error(y_true, y_pred), abs=TOL)
    assert got["mse"] == pytest.approx(sk.mean_squared_error(y_true, y_pred), abs=TOL)
    assert got["rmse"] == pytest.approx(np.sqrt(sk.mean_squared_error(y_true, y_pred)), abs=TOL)
    assert got["r2"] == pytest.approx(sk.r2_score(y_true, y_pred), abs=TOL)


def test_r2_of_constant_truth_follows_sklearn():
    truth = np.full(4, 2.0)
    assert metrics.regression_metrics(truth, truth)["r2"] == sk.r2_score(truth, truth) == 1.0
    assert metrics.regression_metrics(truth, truth + 1)["r2"] == sk.r2_score(truth, truth + 1)


@pytest.mark.parametrize("clusters", [2, 3, 6])
def test_silhouette_matches_sklearn(clusters):
    rng = np.random.default_rng(clusters)
    centers = rng.normal(0, 5, size=(clusters, 4))
    labels = rng.integers(0, clusters, size=400)
    features = centers[labels] + rng.normal(0, 1.5, size=(400, 4))
    labels[0] = clusters  # a singleton cluster scores 0
    assert metrics.silhouette(features, labels) == pytest.approx(
        sk.silhouette_score(features, labels), abs=TOL)


def test_silhouette_needs_two_clusters_and_sizes_count_rows():
    assert metrics.silhouette(np.zeros((5, 2)), np.zeros(5)) is None
    assert metrics.cluster_sizes(np.array([2, 0, 2, 1, 2])) == {"0": 1, "1": 1, "2": 3}


def test_sample_positions_are_deterministic_sorted_and_bounded():
    first = metrics.sample_positions(10_000)
    assert len(first) == 2000 and np.all(np.diff(first) > 0)
    assert np.array_equal(first, metrics.sample_positions(10_000))
    assert np.array_equal(metrics.sample_positions(50), np.arange(50))
