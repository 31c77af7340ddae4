"""Paths into the shared conformance corpus (``shared/`` is a sibling of the repo root)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()
PMML_DIR = CORPUS / "pmml-knime" / "pmml"
CSV_DIR = CORPUS / "pmml-knime" / "csv"
MNIST_DIR = CORPUS / "onnx-mnist"
DATASETS = ("Iris", "Audit", "Auto")


def pmml_cases() -> list[str]:
    """Names of the corpus PMML models, e.g. ``DecisionTreeIris``."""
    return sorted(path.stem for path in PMML_DIR.glob("*.pmml"))


def dataset_of(model_name: str) -> str:
    """The input data set a corpus model is scored on (its name's suffix)."""
    return next(data for data in DATASETS if model_name.endswith(data))


def same_value(actual: Any, expected: Any, tolerance: float = 1e-6) -> bool:
    """Numbers within ``tolerance`` (relative or absolute), anything else equal as text."""
    try:
        a, e = float(actual), float(expected)
    except (TypeError, ValueError):
        return str(actual) == str(expected)
    if math.isnan(e):
        return math.isnan(a)
    return math.isclose(a, e, rel_tol=tolerance, abs_tol=tolerance)
