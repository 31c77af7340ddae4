"""ONNX runtime: schema, task inference, row and tensor inputs, input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from onnx import TensorProto, helper, numpy_helper
from sklearn.ensemble import RandomForestClassifier

from daas.errors import InvalidInput, InvalidModel
from daas.runtimes import load_runtime
from tests.model_factory import iris_data

IR_VERSION = 10


def _model(nodes, inputs, outputs, initializers=(), metadata=None, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              ir_version=IR_VERSION, producer_name="tests")
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    return model.SerializeToString()


def _projection(width: int, metadata=None) -> bytes:
    """Y = X @ W with X [N, 3] and W [3, width]."""
    weight = numpy_helper.from_array(np.arange(3 * width, dtype=np.float32).reshape(3, width), "W")
    return _model([helper.make_node("MatMul", ["X", "W"], ["Y"])],
                  [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["batch", 3])],
                  [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["batch", width])],
                  [weight], metadata)


def _image_model() -> bytes:
    """Y = global average pool of an [N, 1, 4, 4] image: a tensor model."""
    return _model([helper.make_node("GlobalAveragePool", ["X"], ["Y"])],
                  [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 1, 4, 4])],
                  [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1, 1, 1])])


@pytest.fixture(scope="module")
def projection():
    return load_runtime("onnx", _projection(2))


def test_schema_of_a_hand_built_graph(projection):
    schema = projection.schema

    assert [(v.name, v.dtype, v.shape) for v in schema.inputs] == [("X", "float", [None, 3])]
    assert [(v.name, v.dtype, v.shape) for v in schema.outputs] == [("Y", "float", [None, 2])]
    assert schema.task == "dimensionality_reduction"
    assert schema.algorithm == "g"
    assert schema.format_version == f"IR {IR_VERSION}, opset 17"
    assert schema.producer == "tests"
    assert schema.engine.startswith("onnxruntime ")


@pytest.mark.parametrize("width, task", [(1, "regression"), (3, "dimensionality_reduction")])
def test_single_float_output_task_depends_on_its_width(width, task):
    assert load_runtime("onnx", _projection(width)).schema.task == task


def test_image_models_are_tensor_models():
    schema = load_runtime("onnx", _image_model()).schema

    assert schema.task == "tensor"
    assert schema.tabular is False


def test_metadata_property_overrides_the_task():
    runtime = load_runtime("onnx", _projection(3, {"daas.task": "tensor"}))

    assert runtime.schema.task == "tensor"
    row = runtime.predict(pd.DataFrame({"X": [[1.0, 0.0, 0.0]]}))[0]
    assert set(row) == {"outputs"}


def test_unknown_task_override_is_refused():
    with pytest.raises(InvalidModel, match="daas.task.*'forecast'"):
        load_runtime("onnx", _projection(3, {"daas.task": "forecast"}))


def test_rows_take_one_list_per_cell(projection):
    cells = [[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]

    rows = projection.predict(pd.DataFrame({"X": cells}))

    weight = np.arange(6, dtype=np.float32).reshape(3, 2)
    expected = np.asarray(cells, dtype=np.float32) @ weight
    assert [row["components"] for row in rows] == expected.tolist()
    assert [row["outputs"]["Y"] for row in rows] == expected.tolist()


def test_higher_rank_cells_are_nested_lists():
    runtime = load_runtime("onnx", _image_model())
    image = np.arange(16, dtype=np.float32).reshape(1, 4, 4)

    rows = runtime.predict(pd.DataFrame({"X": [image.tolist(), (image * 0).tolist()]}))

    assert rows[0]["outputs"]["Y"] == [[[float(image.mean())]]]
    assert rows[1]["outputs"]["Y"] == [[[0.0]]]
    assert set(rows[0]) == {"outputs"}


def test_missing_input_column_names_the_input(projection):
    with pytest.raises(InvalidInput, match="missing input 'X'") as raised:
        projection.predict(pd.DataFrame({"x": [[1.0, 2.0, 3.0]]}))

    assert raised.value.field == "X"


def test_cell_of_the_wrong_width_is_refused(projection):
    with pytest.raises(InvalidInput, match=r"input 'X' must have shape \[N, 3\], got \[2, 2\]"):
        projection.predict(pd.DataFrame({"X": [[1.0, 2.0], [3.0, 4.0]]}))


def test_ragged_cells_name_the_row(projection):
    with pytest.raises(InvalidInput, match="different shapes") as raised:
        projection.predict(pd.DataFrame({"X": [[1.0, 2.0, 3.0], [1.0, 2.0]]}))

    assert (raised.value.field, raised.value.row) == ("X", 1)


def test_text_in_a_float_input_names_the_row(projection):
    with pytest.raises(InvalidInput, match="not float32") as raised:
        projection.predict(pd.DataFrame({"X": [[1.0, 2.0, 3.0], [1.0, "two", 3.0]]}))

    assert (raised.value.field, raised.value.row) == ("X", 1)


def test_predict_tensors_runs_whole_tensors(projection):
    result = projection.predict_tensors({"X": [[1, 0, 0], [0, 1, 0]]})

    np.testing.assert_array_equal(result["Y"], np.arange(6, dtype=np.float32).reshape(3, 2)[:2])


@pytest.mark.parametrize("inputs, message", [
    ({}, "missing input 'X'"),
    ({"X": [[1, 2, 3]], "Z": [1]}, "unknown input 'Z'"),
    ({"X": [1, 2, 3]}, r"input 'X' must have rank 2"),
    ({"X": [[1, 2]]}, r"input 'X' must have shape \[N, 3\], got \[1, 2\]"),
    ({"X": [["a", "b", "c"]]}, "input 'X' cannot be read as float32"),
])
def test_predict_tensors_refuses_bad_tensors(projection, inputs, message):
    with pytest.raises(InvalidInput, match=message):
        projection.predict_tensors(inputs)


def test_integer_class_labels_become_probability_keys(tmp_path):
    from skl2onnx import to_onnx

    features, species = iris_data()
    codes = species.astype("category").cat.codes.to_numpy()
    classifier = RandomForestClassifier(n_estimators=3, max_depth=2, random_state=0)
    classifier.fit(features.to_numpy(np.float32), codes)
    data = to_onnx(classifier, features.to_numpy(np.float32)[:1]).SerializeToString()

    runtime = load_runtime("onnx", data)
    rows = runtime.predict(pd.DataFrame({"X": features.to_numpy().tolist()[:3]}))

    assert runtime.schema.task == "classification"
    assert runtime.schema.classes == ["0", "1", "2"]
    assert runtime.schema.algorithm == "TreeEnsembleClassifier"
    expected = classifier.predict_proba(features.to_numpy(np.float32)[:3])
    for row, probabilities in zip(rows, expected):
        assert list(row["probabilities"]) == ["0", "1", "2"]
        np.testing.assert_allclose(list(row["probabilities"].values()), probabilities, atol=1e-6)
        assert isinstance(row["label"], int)
