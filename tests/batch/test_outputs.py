"""Prediction rows -> flat Arrow columns, and scoring a table with a loaded model."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from daas.batch.outputs import outputs_schema, outputs_table, probe_layout
from daas.batch.scorer import score_table
from daas.codecs import coerce_frame, rows_to_csv
from daas.errors import InternalError, InvalidInput
from daas.runtimes import load_runtime
from daas.runtimes.base import ModelSchema, Variable

SCHEMA = ModelSchema(format="pmml", engine="test", task="classification", algorithm="test",
                     inputs=[Variable(name="x", dtype="double")],
                     outputs=[Variable(name="score", dtype="double"),
                              Variable(name="count", dtype="integer")])


def _row(label, p_yes, score, count, extra=None):
    outputs = {"score": score, "count": count, "probs": [1 - p_yes, p_yes]}
    if extra is not None:
        outputs["extra"] = extra
    return {"outputs": outputs, "label": label, "probabilities": {"no": 1 - p_yes, "yes": p_yes}}


def test_layout_follows_the_csv_columns_and_fixes_types():
    rows = [_row("yes", 0.75, 2.0, 3, extra={"a": [1, 2]}), _row("no", 0.25, 1.0, 4)]
    layout = probe_layout(rows, SCHEMA)
    names = [column.name for column in layout]
    assert names == rows_to_csv(rows).splitlines()[0].split(",")
    assert names == ["label", "probability(no)", "probability(yes)", "score", "count", "extra"]
    assert {c.name: c.type for c in layout} == {
        "label": "string", "probability(no)": "double", "probability(yes)": "double",
        "score": "double",  # declared double, even though the probe saw whole numbers
        "count": "int64", "extra": "string"}


def test_later_rows_fill_the_probe_columns_only():
    layout = probe_layout([_row("yes", 1.0, 2.0, 3)], SCHEMA)
    later = [_row("no", 0.5, 2.5, 5.0, extra=[1]), {"outputs": {}, "label": None}]
    table = outputs_table(later, layout)
    assert table.schema == outputs_schema(layout)
    assert table.to_pylist() == [
        {"label": "no", "probability(no)": 0.5, "probability(yes)": 0.5, "score": 2.5, "count": 5},
        {"label": None, "probability(no)": None, "probability(yes)": None, "score": None,
         "count": None},
    ]


def test_nested_values_become_json_and_missing_probe_values_strings():
    schema = SCHEMA.model_copy(update={"task": "tensor", "outputs": []})
    rows = [{"outputs": {"vector": np.array([1.5, 2.0]), "flag": True, "none": None}}]
    layout = probe_layout(rows, schema)
    assert [(c.name, c.type) for c in layout] == [("vector", "string"), ("flag", "bool"),
                                                  ("none", "string")]
    later = [{"outputs": {"vector": [3], "flag": False, "none": 7}}]
    assert outputs_table(later, layout).to_pylist() == [{"vector": "[3]", "flag": False,
                                                         "none": "7"}]


def test_a_value_that_does_not_fit_the_probe_type_is_an_error():
    layout = probe_layout([_row("yes", 1.0, 2.0, 3)], SCHEMA)
    with pytest.raises(InternalError, match="'count' holds 2.5"):
        outputs_table([_row("no", 0.5, 1.0, 2.5)], layout)


@pytest.fixture(scope="module")
def iris_runtimes(generated_models):
    return {fmt: load_runtime(fmt, generated_models[f"classifier-{fmt}"].data)
            for fmt in ("onnx", "pmml")}


@pytest.mark.parametrize("fmt", ["onnx", "pmml"])
def test_score_table_matches_predict_row_by_row(iris_runtimes, generated_models, fmt):
    runtime = iris_runtimes[fmt]
    features = generated_models["classifier-onnx"].rows
    table = pa.Table.from_pandas(features, preserve_index=False)
    table = table.append_column("id", pa.array(np.arange(len(features)) * 10))
    layout = probe_layout(runtime.predict(coerce_frame(features.head(5), runtime.schema)),
                          runtime.schema)
    scored = score_table(runtime, layout, table, ["id"], batch_size=7)
    expected = runtime.predict(coerce_frame(features, runtime.schema))
    assert scored.column_names[0] == "id" and scored.column("id").to_pylist()[:3] == [0, 10, 20]
    assert scored.column("label").to_pylist() == [row["label"] for row in expected]
    for name in ("setosa", "versicolor", "virginica"):
        assert scored.column(f"probability({name})").to_pylist() == pytest.approx(
            [row["probabilities"][name] for row in expected])


def test_input_errors_name_the_row_in_the_whole_input(iris_runtimes, generated_models):
    runtime = iris_runtimes["onnx"]
    features = generated_models["classifier-onnx"].rows.head(20).astype(str)
    features.loc[13, "petal_width"] = "wide"
    table = pa.Table.from_pandas(features, preserve_index=False)
    layout = probe_layout(runtime.predict(coerce_frame(features.head(2), runtime.schema)),
                          runtime.schema)
    with pytest.raises(InvalidInput) as caught:
        score_table(runtime, layout, table, [], batch_size=5, first_row=1000)
    assert caught.value.row == 1013 and caught.value.field == "petal_width"
    assert caught.value.message.startswith("input row 1013, field 'petal_width'")
