"""Evaluation metrics with numpy only (same definitions as scikit-learn's).

Classification: accuracy, per-class and macro precision/recall/F1 (0 where undefined),
confusion matrix over the sorted union of true and predicted labels, and — when class
probabilities are given — one-vs-rest ROC AUC per class (macro over classes; for two
classes the positive, i.e. second sorted, class) and log loss. Regression: MAE, MSE, RMSE,
R². Clustering: cluster sizes and the euclidean silhouette coefficient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SILHOUETTE_SAMPLE = 2000


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray,
                           probabilities: np.ndarray | None = None,
                           classes: list[Any] | None = None) -> dict[str, Any]:
    """Metrics of predicted labels; ``probabilities[:, j]`` is the probability of ``classes[j]``."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(np.concatenate([y_true, y_pred]))
    matrix = confusion_matrix(y_true, y_pred, labels)
    true_positive = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    actual = matrix.sum(axis=1).astype(float)
    precision = _ratio(true_positive, predicted)
    recall = _ratio(true_positive, actual)
    f1 = _ratio(2 * true_positive, predicted + actual)
    result: dict[str, Any] = {
        "rows": int(len(y_true)),
        "accuracy": float(np.mean(y_true == y_pred)) if len(y_true) else None,
        "per_class": {
            _key(label): {"precision": float(p), "recall": float(r), "f1": float(f),
                          "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, actual)
        },
        "macro": {"precision": float(precision.mean()), "recall": float(recall.mean()),
                  "f1": float(f1.mean())},
        "confusion_matrix": {"labels": [_key(label) for label in labels],
                             "matrix": matrix.tolist()},
    }
    if probabilities is not None and classes is not None:
        result.update(probability_metrics(y_true, np.asarray(probabilities, dtype=float),
                                          list(classes)))
    return result


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Counts: row = true label, column = predicted label, both in ``labels`` order."""
    size = len(labels)
    true_index = np.searchsorted(labels, y_true)
    pred_index = np.searchsorted(labels, y_pred)
    return np.bincount(true_index * size + pred_index, minlength=size * size).reshape(size, size)


def probability_metrics(y_true: np.ndarray, probabilities: np.ndarray,
                        classes: list[Any]) -> dict[str, Any]:
    """ROC AUC (one-vs-rest) and log loss over rows whose true label is one of ``classes``."""
    order = np.argsort(np.asarray(classes), kind="stable")
    classes = [classes[i] for i in order]
    probabilities = probabilities[:, order]
    index = {label: position for position, label in enumerate(classes)}
    known = np.array([label in index for label in y_true], dtype=bool)
    usable = known & np.all(np.isfinite(probabilities), axis=1)
    truth = np.array([index[label] for label in y_true[usable]], dtype=np.int64)
    scores = probabilities[usable]
    per_class = {_key(label): roc_auc(truth == j, scores[:, j]) for j, label in enumerate(classes)}
    if len(classes) == 2:
        auc = per_class[_key(classes[1])]
    else:
        defined = [value for value in per_class.values() if value is not None]
        auc = float(np.mean(defined)) if defined else None
    return {"roc_auc": auc, "roc_auc_per_class": per_class,
            "log_loss": log_loss(truth, scores) if len(truth) else None}


def roc_auc(positive: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve (ties count one half); None without both classes."""
    positive = np.asarray(positive, dtype=bool)
    n_positive = int(positive.sum())
    n_negative = len(positive) - n_positive
    if n_positive == 0 or n_negative == 0:
        return None
    ranks = _average_ranks(np.asarray(scores, dtype=float))
    u = ranks[positive].sum() - n_positive * (n_positive + 1) / 2
    return float(u / (n_positive * n_negative))


def log_loss(truth: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean negative log probability of the true class (clipped to [eps, 1 - eps])."""
    eps = np.finfo(np.float64).eps
    chosen = np.clip(probabilities, eps, 1 - eps)[np.arange(len(truth)), truth]
    return float(-np.mean(np.log(chosen)))


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """MAE, MSE, RMSE and R² (1.0 for a perfect fit of constant truth, else 0.0 then)."""
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if len(y_true) == 0:
        return {"rows": 0, "mae": None, "mse": None, "rmse": None, "r2": None}
    error = y_true - y_pred
    mse = float(np.mean(error ** 2))
    residual = float(np.sum(error ** 2))
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    if total == 0:
        r2 = 1.0 if residual == 0 else 0.0
    else:
        r2 = 1 - residual / total
    return {"rows": int(len(y_true)), "mae": float(np.mean(np.abs(error))), "mse": mse,
            "rmse": float(np.sqrt(mse)), "r2": r2}


def cluster_sizes(clusters: np.ndarray) -> dict[str, int]:
    """Rows per cluster, in sorted cluster order."""
    labels, counts = np.unique(np.asarray(clusters), return_counts=True)
    return {_key(label): int(count) for label, count in zip(labels, counts)}


def silhouette(features: np.ndarray, clusters: np.ndarray) -> float | None:
    """Mean euclidean silhouette coefficient; None unless 2 <= clusters <= rows - 1."""
    features = np.asarray(features, dtype=float)
    labels, assigned = np.unique(np.asarray(clusters), return_inverse=True)
    rows, count = len(features), len(labels)
    if not 2 <= count <= rows - 1:
        return None
    distances = _euclidean_distances(features)
    members = np.zeros((rows, count))
    members[np.arange(rows), assigned] = 1.0
    sizes = members.sum(axis=0)
    sums = distances @ members
    own = sums[np.arange(rows), assigned]
    own_size = sizes[assigned]
    with np.errstate(divide="ignore", invalid="ignore"):
        intra = own / (own_size - 1)
        means = sums / sizes
        means[np.arange(rows), assigned] = np.inf
        inter = means.min(axis=1)
        scores = (inter - intra) / np.maximum(intra, inter)
    scores[own_size == 1] = 0.0
    return float(np.mean(np.nan_to_num(scores)))


def sample_positions(rows: int, limit: int = SILHOUETTE_SAMPLE, seed: int = 0) -> np.ndarray:
    """Sorted row positions of a deterministic sample of at most ``limit`` rows."""
    if rows <= limit:
        return np.arange(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, size=limit, replace=False))


def _euclidean_distances(features: np.ndarray) -> np.ndarray:
    squared = np.einsum("ij,ij->i", features, features)
    distances = squared[:, None] - 2 * features @ features.T + squared[None, :]
    np.maximum(distances, 0, out=distances)
    np.fill_diagonal(distances, 0)
    return np.sqrt(distances)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts_group = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    group = np.cumsum(starts_group) - 1
    starts = np.flatnonzero(starts_group)
    ends = np.append(starts[1:], len(values))
    ranks = np.empty(len(values))
    ranks[order] = ((starts + 1 + ends) / 2)[group]
    return ranks


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.zeros_like(numerator),
                     where=denominator != 0)


def _key(label: Any) -> str:
    return str(label.item() if isinstance(label, np.generic) else label)
