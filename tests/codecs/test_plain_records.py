"""The plain-records fast path gives exactly what the general path gives, or steps aside."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from daas.codecs import decode_json, decoding
from daas.codecs.plain_records import MAX_ROWS, plain_records_frame
from daas.errors import DaasError
from daas.runtimes.base import ModelSchema, Variable


def pmml_schema() -> ModelSchema:
    return ModelSchema(format="pmml", engine="pypmml", task="regression", algorithm="Regression",
                       inputs=[Variable(name="width", dtype="double", optype="continuous"),
                               Variable(name="ratio", dtype="float", optype="continuous"),
                               Variable(name="count", dtype="integer", optype="continuous"),
                               Variable(name="level", dtype="double", optype="ordinal")])


def pmml_doubles_schema() -> ModelSchema:
    return ModelSchema(format="pmml", engine="pypmml", task="regression", algorithm="Regression",
                       inputs=[Variable(name=name, dtype="double", optype="continuous")
                               for name in ("a", "b")])


def onnx_floats_schema() -> ModelSchema:
    return ModelSchema(format="onnx", engine="onnxruntime", task="classification",
                       algorithm="TreeEnsembleClassifier",
                       inputs=[Variable(name="a", dtype="float", shape=[None, 1]),
                               Variable(name="b", dtype="tensor(float)", shape=[None])])


def onnx_mixed_schema() -> ModelSchema:
    return ModelSchema(format="onnx", engine="onnxruntime", task="regression",
                       algorithm="LinearRegressor",
                       inputs=[Variable(name="a", dtype="float", shape=[None, 1]),
                               Variable(name="b", dtype="double", shape=[None, 1]),
                               Variable(name="n", dtype="int64", shape=[None, 1]),
                               Variable(name="h", dtype="float16", shape=None)])


SCHEMAS = {"pmml": pmml_schema, "pmml-doubles": pmml_doubles_schema,
           "onnx-floats": onnx_floats_schema, "onnx-mixed": onnx_mixed_schema}


def record(schema: ModelSchema, **overrides) -> dict:
    values = {"width": 5.1, "ratio": 0.1, "count": 3, "level": 2, "a": 5.1, "b": 3,
              "n": -7, "h": 0.333}
    values.update(overrides)
    return {v.name: values[v.name] for v in schema.inputs} | {
        key: value for key, value in overrides.items() if key not in values}


def general_path(body, schema, monkeypatch):
    """What ``decode_json`` answers with the fast path switched off: a frame or the error."""
    with monkeypatch.context() as patch:
        patch.setattr(decoding, "plain_records_frame", lambda records, schema: None)
        return _outcome(body, schema)


def _outcome(body, schema):
    try:
        return decode_json(body, schema).frame
    except DaasError as error:
        return type(error), error.to_body()


def assert_paths_agree(records, schema, monkeypatch) -> None:
    """``decode_json`` answers the same frame or error with and without the fast path."""
    fast, general = _outcome({"data": records}, schema), general_path({"data": records}, schema,
                                                                      monkeypatch)
    if isinstance(general, pd.DataFrame):
        assert_same(fast, general)
    else:
        assert fast == general


def assert_same(fast, general) -> None:
    assert isinstance(fast, pd.DataFrame) and isinstance(general, pd.DataFrame)
    pd.testing.assert_frame_equal(fast, general, check_exact=True, check_index_type=True,
                                  check_column_type=True)
    assert list(fast.dtypes) == list(general.dtypes)


@pytest.mark.parametrize("key", SCHEMAS)
@pytest.mark.parametrize("shape", ["one", "several", "single-object", "extra-keys", "ints",
                                   "edges"])
def test_plain_records_give_the_general_paths_frame(key, shape, monkeypatch):
    schema = SCHEMAS[key]()
    records = {
        "one": [record(schema)],
        "several": [record(schema), record(schema, width=-1.25, a=1e-12, b=0.1, n=0, h=65000.0),
                    record(schema, count=2**62, a=3.4e38, b=-0.0)],
        "single-object": record(schema),
        "extra-keys": [record(schema, note="ignored", tags=[1, 2])],
        "ints": [record(schema, width=7, ratio=-3, level=0, a=16777217, b=2**53)],
        "edges": [record(schema, count=-(2**63), n=2**63 - 1, width=-(2**53), a=0.1 + 0.2)],
    }[shape]
    body = {"data": records}
    fast = plain_records_frame(records if isinstance(records, list) else [records], schema)
    assert fast is not None
    assert_same(decode_json(body, schema).frame, general_path(body, schema, monkeypatch))


def test_the_rows_limit_is_inclusive(monkeypatch):
    schema = onnx_floats_schema()
    records = [record(schema, a=float(i)) for i in range(MAX_ROWS)]
    assert plain_records_frame(records, schema) is not None
    longer = records + [record(schema)]
    assert plain_records_frame(longer, schema) is None
    assert_same(decode_json({"data": longer}, schema).frame,
                general_path({"data": longer}, schema, monkeypatch))


@pytest.mark.parametrize("key", SCHEMAS)
@pytest.mark.parametrize("overrides", [
    {"width": None, "a": None}, {"width": math.nan, "a": math.nan},
    {"width": math.inf, "a": -math.inf}, {"width": "5.1", "a": "5.1"},
    {"width": True, "a": False}, {"width": [5.1], "a": [5.1]}, {"width": {"v": 1}, "a": {}},
    {"width": 2**53 + 1, "a": 2**53 + 1}, {"count": 3.0, "n": 3.0}, {"count": 2**63, "n": 2**63},
    {"count": True, "n": False}, {"ratio": "nan", "b": "nan"},
], ids=str)
def test_anything_but_plain_numbers_takes_the_general_path(key, overrides, monkeypatch):
    schema = SCHEMAS[key]()
    changed = {k: v for k, v in overrides.items() if k in {v.name for v in schema.inputs}}
    if not changed:
        pytest.skip("no such field in this schema")
    records = [record(schema), record(schema, **changed)]
    assert plain_records_frame(records, schema) is None
    assert_paths_agree(records, schema, monkeypatch)


@pytest.mark.parametrize("key", SCHEMAS)
def test_a_missing_key_or_a_bad_record_takes_the_general_path(key, monkeypatch):
    schema = SCHEMAS[key]()
    first = schema.inputs[0].name
    without = {k: v for k, v in record(schema).items() if k != first}
    for records in ([record(schema), without], [record(schema), 5], [record(schema), [1, 2]]):
        assert plain_records_frame(records, schema) is None
        error = _outcome({"data": records}, schema)
        assert error == general_path({"data": records}, schema, monkeypatch)
        assert not isinstance(error, pd.DataFrame)


@pytest.mark.parametrize("variable", [
    Variable(name="kind", dtype="string", optype="categorical"),
    Variable(name="grade", dtype="double", optype="ordinal", values=["1", "2.5"]),
    Variable(name="code", dtype="integer", optype="categorical", values=["1", "2"]),
    Variable(name="fresh", dtype="boolean", optype="categorical"),
    Variable(name="when", dtype="date", optype="continuous"),
], ids=lambda v: v.name)
def test_pmml_fields_other_than_plain_numbers_take_the_general_path(variable, monkeypatch):
    schema = pmml_doubles_schema()
    schema.inputs.append(variable)
    records = [{"a": 1.0, "b": 2.0, variable.name: 1}]
    assert plain_records_frame(records, schema) is None
    assert_paths_agree(records, schema, monkeypatch)


@pytest.mark.parametrize("variable", [
    Variable(name="v", dtype="float", shape=[None, 4]),
    Variable(name="v", dtype="int32", shape=[None, 1]),
    Variable(name="v", dtype="uint8", shape=[None, 1]),
    Variable(name="v", dtype="bool", shape=[None, 1]),
    Variable(name="v", dtype="string", shape=[None, 1]),
    Variable(name="v", dtype="seq(map(string,float))", shape=None),
], ids=lambda v: f"{v.dtype}{v.shape}")
def test_onnx_inputs_other_than_scalar_floats_or_int64_take_the_general_path(variable, monkeypatch):
    schema = onnx_floats_schema()
    schema.inputs.append(variable)
    records = [{"a": 1.0, "b": 2.0, "v": 1}]
    assert plain_records_frame(records, schema) is None
    assert_paths_agree(records, schema, monkeypatch)


def test_repeated_input_names_take_the_general_path():
    schema = pmml_doubles_schema()
    schema.inputs.append(Variable(name="a", dtype="double", optype="continuous"))
    assert plain_records_frame([{"a": 1.0, "b": 2.0}], schema) is None


def test_split_bodies_never_take_the_fast_path(monkeypatch):
    schema = pmml_doubles_schema()
    body = {"data": {"columns": ["a", "b"], "data": [[1.0, 2.0]]}}
    calls = []
    monkeypatch.setattr(decoding, "plain_records_frame",
                        lambda records, schema: calls.append(records))
    decode_json(body, schema)
    assert calls == []


def test_frames_do_not_share_values():
    schema = pmml_doubles_schema()
    first = plain_records_frame([{"a": 1.0, "b": 2.0}], schema)
    second = plain_records_frame([{"a": 3.0, "b": 4.0}], schema)
    assert first.to_numpy().tolist() == [[1.0, 2.0]]
    assert second.to_numpy().tolist() == [[3.0, 4.0]]
