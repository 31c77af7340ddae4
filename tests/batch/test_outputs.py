"""Predictions -> flat Arrow columns, and scoring a table with a loaded model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from daas.batch.outputs import outputs_schema, outputs_table, probe_layout
from daas.batch.scorer import probe, score_table
from daas.codecs import coerce_frame, rows_to_csv
from daas.errors import InternalError, InvalidInput
from daas.runtimes import load_runtime
from daas.runtimes.base import ModelSchema, Variable
from daas.runtimes.columns import columns_from_rows, rows_from_columns
from tests.runtimes.corpus import CSV_DIR, PMML_DIR

SCHEMA = ModelSchema(format="pmml", engine="test", task="classification", algorithm="test",
                     inputs=[Variable(name="x", dtype="double")],
                     outputs=[Variable(name="score", dtype="double"),
                              Variable(name="count", dtype="integer")])


def _row(label, p_yes, score, count, extra=None):
    outputs = {"score": score, "count": count, "probs": [1 - p_yes, p_yes]}
    if extra is not None:
        outputs["extra"] = extra
    return {"outputs": outputs, "label": label, "probabilities": {"no": 1 - p_yes, "yes": p_yes}}


def _table(rows, layout):
    return outputs_table(columns_from_rows(rows), len(rows), layout)


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
    table = _table(later, layout)
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
    assert _table(later, layout).to_pylist() == [{"vector": "[3]", "flag": False, "none": "7"}]


def test_numpy_columns_keep_their_types_and_non_finite_numbers_become_nulls():
    schema = SCHEMA.model_copy(update={"task": "tensor", "outputs": []})
    probe_rows = [{"outputs": {"f": 1.5, "i": 2, "s": "a", "b": True, "fi": 1, "m": [1.0]}}]
    layout = probe_layout(probe_rows, schema)
    columns = {"outputs": {"f": np.array([np.nan, np.inf, 2.5], dtype=np.float32),
                           "i": np.array([1, 2, 3], dtype=np.int32),
                           "s": np.array(["x", None, "z"], dtype=object),
                           "b": np.array([True, False, True]),
                           "fi": np.array([1.0, np.nan, 3.0]),
                           "m": np.array([[1.0, np.nan], [0.5, 2.0], [3.0, 4.0]])}}

    table = outputs_table(columns, 3, layout)

    assert table.schema == outputs_schema(layout)
    assert [(c.name, c.type) for c in layout] == [
        ("f", "double"), ("i", "int64"), ("s", "string"), ("b", "bool"), ("fi", "int64"),
        ("m", "string")]
    assert table.to_pylist() == [
        {"f": None, "i": 1, "s": "x", "b": True, "fi": 1, "m": "[1.0, null]"},
        {"f": None, "i": 2, "s": None, "b": False, "fi": None, "m": "[0.5, 2.0]"},
        {"f": 2.5, "i": 3, "s": "z", "b": True, "fi": 3, "m": "[3.0, 4.0]"}]
    assert table.equals(_table(rows_from_columns(columns, 3), layout))
    with pytest.raises(InternalError, match="'fi' holds 2.5"):
        outputs_table({"outputs": {**columns["outputs"], "fi": np.array([2.5, 1.0, 1.0])}}, 3,
                      layout)


@pytest.mark.parametrize("key", ["classifier-onnx", "classifier-onnx-nozipmap", "regressor-onnx",
                                 "kmeans-onnx", "pca-onnx", "classifier-pmml", "regressor-pmml",
                                 "kmeans-pmml", "pca-pmml"])
def test_column_predictions_give_the_table_row_predictions_give(generated_models, key):
    model = generated_models[key]
    runtime = load_runtime(key.split("-")[1], model.data)
    frame = coerce_frame(model.rows, runtime.schema)
    layout = probe_layout(runtime.predict(frame.head(10)), runtime.schema)

    table = outputs_table(runtime.predict_columns(frame), len(frame), layout)

    assert table.schema == outputs_schema(layout)
    assert table.equals(_table(runtime.predict(frame), layout))


def test_a_value_that_does_not_fit_the_probe_type_is_an_error():
    layout = probe_layout([_row("yes", 1.0, 2.0, 3)], SCHEMA)
    with pytest.raises(InternalError, match="'count' holds 2.5"):
        _table([_row("no", 0.5, 1.0, 2.5)], layout)


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


def test_errors_found_while_scoring_name_the_sub_batch():
    strict = (PMML_DIR / "DecisionTreeAudit.pmml").read_bytes().replace(
        b'<MiningField name="Age" invalidValueTreatment="asIs"/>', b'<MiningField name="Age"/>')
    runtime = load_runtime("pmml", strict)
    frame = pd.read_csv(CSV_DIR / "Audit.csv").head(20)
    frame.loc[13, "Age"] = 200  # outside the model's interval: refused by the runtime
    table = pa.Table.from_pandas(frame, preserve_index=False)
    layout = probe(runtime, table.slice(0, 10))

    with pytest.raises(InvalidInput) as caught:
        score_table(runtime, layout, table, [], batch_size=5, first_row=1000)
    assert caught.value.field == "Age"
    assert caught.value.message.endswith("(input rows 1010-1014)")
