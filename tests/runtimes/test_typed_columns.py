"""Runtimes take typed columns without a per-cell pass, with the same results as before."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from onnx import TensorProto, helper

from daas.codecs import decode_json
from daas.runtimes import load_runtime
from daas.runtimes.base import Variable
from daas.runtimes.pmml_inputs import evaluator_request, prepare_frame


def _echo_model() -> bytes:
    """Outputs each input unchanged: a float [N, 1], an int64 [N, 1], a double [N]."""
    inputs = [helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, 1]),
              helper.make_tensor_value_info("n", TensorProto.INT64, [None, 1]),
              helper.make_tensor_value_info("d", TensorProto.DOUBLE, [None])]
    outputs = [helper.make_tensor_value_info(f"{name}_out", kind, shape) for name, kind, shape
               in (("a", TensorProto.FLOAT, [None, 1]), ("n", TensorProto.INT64, [None, 1]),
                   ("d", TensorProto.DOUBLE, [None]))]
    nodes = [helper.make_node("Identity", [name], [f"{name}_out"]) for name in ("a", "n", "d")]
    graph = helper.make_graph(nodes, "echo", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10)
    return model.SerializeToString()


@pytest.fixture(scope="module")
def echo():
    return load_runtime("onnx", _echo_model())


ROWS = [{"a": 5.1, "n": 3, "d": 0.1}, {"a": -1e-12, "n": -(2**62), "d": 1e300},
        {"a": 16777217, "n": 0, "d": -0.0}]


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(frame[name].tolist(), dtype=object) for name in frame})


def test_onnx_typed_columns_feed_the_same_tensors_as_object_columns(echo):
    typed = decode_json({"data": ROWS}, echo.schema).frame
    assert [str(dtype) for dtype in typed.dtypes] == ["float32", "int64", "float64"]
    assert echo.predict(typed) == echo.predict(_as_objects(typed))
    rows = echo.predict(typed)
    assert [row["outputs"]["n_out"] for row in rows] == [[3], [-(2**62)], [0]]
    assert rows[0]["outputs"]["a_out"] == [float(np.float32(5.1))]


def test_onnx_columns_of_another_type_still_take_the_cell_path(echo):
    frame = pd.DataFrame({"a": [5.1, 2.0], "n": [3.0, 4.0], "d": [1, 2]})  # float64, float, int
    assert echo.predict(frame) == echo.predict(_as_objects(frame))
    with pytest.raises(Exception, match="'n'"):
        echo.predict(pd.DataFrame({"a": [1.0], "n": ["x"], "d": [1.0]}))


def _pmml_inputs(*variables: tuple[str, str, str | None]) -> list[Variable]:
    return [Variable(name=name, dtype=dtype, optype=optype) for name, dtype, optype in variables]


FRAMES = {
    "floats": (pd.DataFrame({"x": [5.1, 1e-12, 0.123456789012345, math.nan, 1e300, -0.0],
                             "y": [1.0, 2.5, 3.0, 4.0, 5.0, 6.0]}),
               _pmml_inputs(("x", "double", "continuous"), ("y", "float", "continuous"))),
    "ints-and-bools": (pd.DataFrame({"n": [1, -(2**62), 0], "flag": [True, False, True]}),
                       _pmml_inputs(("n", "integer", "continuous"), ("flag", "boolean", None))),
    "unicode-names": (pd.DataFrame({"größe": [1.5], "名前": [2.0]}),
                      _pmml_inputs(("größe", "double", "continuous"),
                                   ("名前", "double", "continuous"))),
    "text": (pd.DataFrame({"x": [1.0, 2.0], "kind": ["a", None]}),
             _pmml_inputs(("x", "double", "continuous"), ("kind", "string", "categorical"))),
    "absent-optional": (pd.DataFrame({"x": [1.0, 2.0]}),
                        [*_pmml_inputs(("x", "double", "continuous")),
                         Variable(name="z", dtype="double", optype="continuous", required=False)]),
    "float32": (pd.DataFrame({"x": np.array([0.1, 3.4e38], dtype=np.float32)}),
                _pmml_inputs(("x", "double", "continuous"))),
    "no-inputs": (pd.DataFrame({"x": [1.0]}), []),
    "many-rows": (pd.DataFrame({"x": np.linspace(-5, 5, 200), "n": np.arange(200)}),
                  _pmml_inputs(("x", "double", "continuous"), ("n", "integer", "continuous"))),
}


@pytest.mark.parametrize("key", FRAMES)
def test_pmml_evaluator_request_is_the_frames_split_json(key):
    frame, inputs = FRAMES[key]
    treatment = {variable.name: "asIs" for variable in inputs}
    expected = prepare_frame(frame, inputs, treatment).to_json(orient="split", index=False)
    assert evaluator_request(frame, inputs, treatment) == expected


def test_pmml_evaluator_request_keeps_to_jsons_ten_decimal_places():
    frame, inputs = FRAMES["floats"]
    request = evaluator_request(frame, inputs, {"x": "asIs", "y": "asIs"})
    assert '"data":[[5.1,1.0],[0.0,2.5],[0.123456789,3.0],[null,4.0]' in request
