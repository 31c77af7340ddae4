"""Prediction rows encoded as CSV (daas.codecs.responses)."""

from __future__ import annotations

import csv
import io

import numpy as np

from daas.codecs import rows_to_csv

# --- CSV out -----------------------------------------------------------------------------

def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_rows_to_csv_classification_puts_task_fields_first():
    rows = [{
        "outputs": {"output_label": "setosa", "output_probability": {"setosa": 0.9,
                                                                     "versicolor": 0.1},
                    "scores": [0.9, 0.1], "extra": [1, 2, 3]},
        "label": "setosa", "probabilities": {"setosa": 0.9, "versicolor": 0.1},
    }]
    text = rows_to_csv(rows)
    assert text.splitlines()[0] == ("label,probability(setosa),probability(versicolor),"
                                    "output_label,extra")
    (row,) = parse_csv(text)
    assert row["probability(setosa)"] == "0.9"
    assert row["extra"] == "[1, 2, 3]"


def test_rows_to_csv_other_tasks_and_clashing_output_names():
    rows = [
        {"outputs": {"value": 3.25, "variance": np.float32(0.5)}, "value": 3.25,
         "interval": {"lower": 3.0, "upper": 3.5}},
        {"outputs": {"cluster_id": "2"}, "cluster": "2", "distance": 0.4, "affinity": None},
        {"outputs": {"pcs": np.array([0.1, 0.2])}, "components": [0.1, 0.2],
         "flagged": True},
    ]
    text = rows_to_csv(rows)
    header = text.splitlines()[0].split(",")
    assert header == ["value", "cluster", "distance", "affinity", "component_0",
                      "component_1", "interval(lower)", "interval(upper)", "flagged",
                      "output.value", "variance", "cluster_id"]
    first, second, third = parse_csv(text)
    assert first["output.value"] == "3.25" and first["variance"] == "0.5"
    assert first["cluster"] == "" and second["affinity"] == ""
    assert third["component_1"] == "0.2" and third["flagged"] == "true"


def test_rows_to_csv_without_rows_is_empty():
    assert rows_to_csv([]) == ""
