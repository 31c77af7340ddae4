"""PMML runtime: schema read from the XML, input checks, row shape."""

from __future__ import annotations

import pandas as pd
import pytest

from daas.errors import BadRequest, InvalidInput
from daas.runtimes import inspect_model, load_runtime
from tests.runtimes.corpus import CSV_DIR, PMML_DIR

AUDIT_TREE = PMML_DIR / "DecisionTreeAudit.pmml"


def _runtime(path=AUDIT_TREE, replace: tuple[bytes, bytes] | None = None):
    data = path.read_bytes()
    if replace:
        data = data.replace(*replace)
    return load_runtime("pmml", data)


@pytest.fixture(scope="module")
def audit_tree():
    return _runtime()


@pytest.fixture(scope="module")
def audit_rows():
    return pd.read_csv(CSV_DIR / "Audit.csv").drop(columns=["Adjusted"]).head(5)


def test_schema_inputs_come_from_the_mining_schema_typed_by_the_data_dictionary(audit_tree):
    schema = audit_tree.schema
    inputs = {v.name: v for v in schema.inputs}

    columns = pd.read_csv(CSV_DIR / "Audit.csv", nrows=0).columns
    assert list(inputs) == [c for c in columns if c != "Adjusted"]
    age = inputs["Age"]
    assert (age.dtype, age.optype) == ("integer", "continuous")
    assert [(i.closure, i.left, i.right) for i in age.intervals] == [("closedClosed", 17.0, 83.0)]
    gender = inputs["Gender"]
    assert (gender.dtype, gender.optype) == ("string", "categorical")
    assert set(gender.values) == {"Female", "Male"}


def test_schema_targets_outputs_and_provenance(audit_tree):
    schema = audit_tree.schema

    assert [(t.name, t.optype, t.values) for t in schema.targets] == [("Adjusted", "categorical",
                                                                       ["0", "1"])]
    declared = [(o.name, o.feature, o.value) for o in schema.outputs[:2]]
    assert declared == [("P (Adjusted=0)", "probability", "0"),
                        ("P (Adjusted=1)", "probability", "1")]
    assert schema.task == "classification"
    assert schema.classes == ["0", "1"]
    assert (schema.algorithm, schema.model_element) == ("TreeModel", "TreeModel")
    assert schema.format_version == "4.2"
    assert schema.producer == "KNIME 3.5.1"
    assert schema.engine.startswith("pypmml ")


def test_inspect_model_is_json_ready():
    schema = inspect_model("pmml", (PMML_DIR / "KMeansIris.pmml").read_bytes())

    assert schema["format"] == "pmml"
    assert schema["task"] == "clustering"
    assert schema["algorithm"] == "ClusteringModel"


def test_ensemble_algorithm_names_its_members():
    schema = _runtime(PMML_DIR / "ModelEnsembleIris.pmml").schema

    assert schema.algorithm.startswith("MiningModel(")
    assert {"TreeModel", "NeuralNetwork", "SupportVectorMachineModel"} <= set(
        schema.algorithm[len("MiningModel("):].replace(" ensemble)", "").split(", "))
    assert schema.model_element == "MiningModel"


def test_rows_carry_outputs_and_the_task_view(audit_tree, audit_rows):
    rows = audit_tree.predict(audit_rows)

    assert len(rows) == len(audit_rows)
    for row in rows:
        assert set(row) == {"outputs", "label", "probabilities"}
        assert row["label"] == row["outputs"]["Adjusted"]
        assert row["probabilities"] == {"0": row["outputs"]["P (Adjusted=0)"],
                                        "1": row["outputs"]["P (Adjusted=1)"]}
        assert sum(row["probabilities"].values()) == pytest.approx(1.0)


def test_clustering_rows_report_cluster_and_distance():
    runtime = _runtime(PMML_DIR / "KMeansIris.pmml")
    rows = runtime.predict(pd.read_csv(CSV_DIR / "Iris.csv").head(3))

    for row in rows:
        assert isinstance(row["cluster"], int)
        assert row["distance"] == row["outputs"]["distance"] >= 0


def test_extra_columns_are_ignored(audit_tree, audit_rows):
    with_extra = audit_rows.assign(Comment="not an input")

    assert audit_tree.predict(with_extra) == audit_tree.predict(audit_rows)


def test_missing_values_are_scored_not_refused(audit_tree, audit_rows):
    rows = audit_rows.astype(object)
    rows.loc[0, "Occupation"] = None

    assert len(audit_tree.predict(rows)) == len(rows)


def test_missing_column_names_the_field(audit_tree, audit_rows):
    with pytest.raises(InvalidInput, match="missing input 'Income'") as raised:
        audit_tree.predict(audit_rows.drop(columns=["Income"]))

    assert raised.value.field == "Income"


def test_text_in_a_numeric_field_names_field_and_row(audit_tree, audit_rows):
    rows = audit_rows.astype({"Hours": object})
    rows.loc[3, "Hours"] = "forty"

    with pytest.raises(InvalidInput, match="'Hours' must be a number, got 'forty'") as raised:
        audit_tree.predict(rows)

    assert (raised.value.field, raised.value.row) == ("Hours", 3)


def test_numbers_sent_as_text_are_accepted(audit_tree, audit_rows):
    as_text = audit_rows.astype({"Income": str})

    assert audit_tree.predict(as_text) == audit_tree.predict(audit_rows)


def test_unknown_category_is_refused_when_the_model_returns_invalid(audit_rows):
    strict = _runtime(replace=(b'<MiningField name="Employment" invalidValueTreatment="asIs"/>',
                               b'<MiningField name="Employment"/>'))
    rows = audit_rows.copy()
    rows.loc[2, "Employment"] = "Astronaut"

    with pytest.raises(InvalidInput, match="'Employment' has an unknown value 'Astronaut'; "
                                           "allowed: ") as raised:
        strict.predict(rows)

    assert (raised.value.field, raised.value.row) == ("Employment", 2)


def test_unknown_category_is_scored_as_is_when_the_model_says_so(audit_tree, audit_rows):
    rows = audit_rows.copy()
    rows.loc[2, "Employment"] = "Astronaut"

    assert len(audit_tree.predict(rows)) == len(rows)


def test_out_of_range_number_is_refused_when_the_model_returns_invalid(audit_rows):
    strict = _runtime(replace=(b'<MiningField name="Age" invalidValueTreatment="asIs"/>',
                               b'<MiningField name="Age"/>'))
    rows = audit_rows.copy()
    rows.loc[1, "Age"] = 120

    with pytest.raises(InvalidInput, match=r"'Age' is out of range: 120 is not in \[17, 83\]"):
        strict.predict(rows)


def test_empty_frame_gives_no_rows(audit_tree, audit_rows):
    assert audit_tree.predict(audit_rows.head(0)) == []


def test_pmml_models_take_rows_not_tensors(audit_tree):
    with pytest.raises(BadRequest, match="PMML models take rows"):
        audit_tree.predict_tensors({"Age": [[30]]})
