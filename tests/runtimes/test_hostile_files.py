"""Hostile and broken model files are refused with a clear message, before any evaluator runs."""

from __future__ import annotations

import socket

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import convert_model_to_external_data

from daas.errors import InvalidModel
from daas.runtimes import detect_format, load_runtime
from daas.runtimes import pmml as pmml_runtime
from tests.runtimes.corpus import MNIST_DIR, PMML_DIR

IRIS_TREE = PMML_DIR / "DecisionTreeIris.pmml"
IR_VERSION = 10  # onnx writes a newer IR by default than onnxruntime reads


@pytest.fixture
def pypmml_never_called(monkeypatch):
    """Fail the test if a document reaches pypmml."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("the document reached pypmml")

    monkeypatch.setattr(pmml_runtime.Model, "fromString", refuse)


@pytest.fixture
def listener():
    """A local TCP port that records whether anything connected to it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.2)
        yield server


def _connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except TimeoutError:
        return False
    connection.close()
    return True


def _with_doctype(doctype: str, body: str = "") -> bytes:
    pmml = IRIS_TREE.read_text()
    header_end = pmml.index("?>") + 2
    pmml = pmml[:header_end] + "\n" + doctype + pmml[header_end:]
    if body:
        pmml = pmml.replace("<Header ", f'<Header description="{body}" ', 1)
    return pmml.encode()


def test_xxe_to_a_local_file_is_refused_and_the_file_is_not_read(tmp_path, pypmml_never_called):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    data = _with_doctype(f'<!DOCTYPE PMML [<!ENTITY leak SYSTEM "file://{secret}">]>', "&leak;")

    with pytest.raises(InvalidModel, match="DOCTYPE is refused") as raised:
        load_runtime("pmml", data)

    assert "TOP-SECRET" not in str(raised.value.to_body())


def test_xxe_to_a_url_makes_no_request(listener, pypmml_never_called):
    port = listener.getsockname()[1]
    data = _with_doctype(f'<!DOCTYPE PMML [<!ENTITY leak SYSTEM "http://127.0.0.1:{port}/x">]>',
                         "&leak;")

    with pytest.raises(InvalidModel, match="DOCTYPE is refused"):
        load_runtime("pmml", data)

    assert not _connected(listener)


def test_external_dtd_makes_no_request(listener, pypmml_never_called):
    port = listener.getsockname()[1]
    data = _with_doctype(f'<!DOCTYPE PMML SYSTEM "http://127.0.0.1:{port}/pmml.dtd">')

    with pytest.raises(InvalidModel, match="DOCTYPE is refused"):
        load_runtime("pmml", data)

    assert not _connected(listener)


def test_billion_laughs_is_refused(pypmml_never_called):
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    data = _with_doctype(f"<!DOCTYPE PMML [{''.join(entities)}]>", "&lol9;")

    with pytest.raises(InvalidModel, match="DOCTYPE is refused"):
        load_runtime("pmml", data)


def test_a_doctype_is_still_recognised_as_pmml():
    data = _with_doctype("<!DOCTYPE PMML>")

    assert detect_format("model.pmml", data) == "pmml"
    assert detect_format(None, data) == "pmml"


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_truncated_pmml_is_not_well_formed(cut, pypmml_never_called):
    data = IRIS_TREE.read_bytes()

    with pytest.raises(InvalidModel, match="not well-formed XML"):
        load_runtime("pmml", data[: int(len(data) * cut)])


def test_xml_that_is_not_pmml_is_refused(pypmml_never_called):
    with pytest.raises(InvalidModel, match="root element is <html>"):
        load_runtime("pmml", b"<html><body>hello</body></html>")


def test_pmml_without_a_model_element_is_refused(pypmml_never_called):
    data = (b'<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>'
            b'<DataDictionary><DataField name="x" optype="continuous" dataType="double"/>'
            b"</DataDictionary></PMML>")

    with pytest.raises(InvalidModel, match="no model element"):
        load_runtime("pmml", data)


def test_pmml_the_evaluator_cannot_load_is_invalid():
    data = IRIS_TREE.read_bytes().replace(b'operator="lessOrEqual"', b'operator="roughly"')

    with pytest.raises(InvalidModel, match="pypmml cannot load the PMML: .*roughly"):
        load_runtime("pmml", data)


# -- ONNX ------------------------------------------------------------------------------------

def _matmul_model(weights_in_subgraph: bool = False) -> onnx.ModelProto:
    weight = numpy_helper.from_array(np.arange(4096, dtype=np.float32).reshape(4, 1024), "W")
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1024])
    if not weights_in_subgraph:
        graph = helper.make_graph([helper.make_node("MatMul", ["X", "W"], ["Y"])], "g", [x], [y],
                                  [weight])
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                 ir_version=IR_VERSION)
    branch_output = helper.make_tensor_value_info("C", TensorProto.FLOAT, [4, 1024])
    branch = helper.make_graph([helper.make_node("Constant", [], ["C"], value=weight)], "branch",
                               [], [branch_output])
    nodes = [
        helper.make_node("Constant", [], ["flag"], value=helper.make_tensor("f", TensorProto.BOOL,
                                                                            [], [True])),
        helper.make_node("If", ["flag"], ["W"], then_branch=branch, else_branch=branch),
        helper.make_node("MatMul", ["X", "W"], ["Y"]),
    ]
    graph = helper.make_graph(nodes, "g", [x], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                 ir_version=IR_VERSION)


def _externalise(model: onnx.ModelProto, location: str = "weights.bin") -> bytes:
    convert_model_to_external_data(model, all_tensors_to_one_file=True, location=location,
                                   size_threshold=0, convert_attribute=True)
    return model.SerializeToString()


def test_the_small_model_itself_loads():
    runtime = load_runtime("onnx", _matmul_model().SerializeToString())

    assert runtime.schema.inputs[0].name == "X"


@pytest.mark.parametrize("in_subgraph", [False, True], ids=["initializer", "if-branch-constant"])
def test_onnx_with_external_data_is_refused(in_subgraph):
    model = _matmul_model(weights_in_subgraph=in_subgraph)
    data = _externalise(model)
    top_level = [*model.graph.initializer,
                 *(a.t for n in model.graph.node for a in n.attribute if a.HasField("t"))]
    assert any(t.data_location == TensorProto.EXTERNAL for t in top_level) != in_subgraph

    with pytest.raises(InvalidModel, match="external data"):
        load_runtime("onnx", data)


def test_truncated_onnx_is_refused():
    data = (MNIST_DIR / "mnist.onnx").read_bytes()

    with pytest.raises(InvalidModel, match="not a valid ONNX model"):
        load_runtime("onnx", data[: len(data) // 2])


def test_onnx_failing_the_checker_is_refused():
    graph = helper.make_graph([helper.make_node("NoSuchOp", ["X"], ["Y"])], "g",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 1])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                 ir_version=IR_VERSION)

    with pytest.raises(InvalidModel, match="not a valid ONNX model"):
        load_runtime("onnx", model.SerializeToString())


# -- empty and mislabelled files -------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["pmml", "onnx"])
def test_empty_file_is_refused(fmt):
    with pytest.raises(InvalidModel, match="the file is empty"):
        load_runtime(fmt, b"")
    with pytest.raises(InvalidModel, match="the file is empty"):
        detect_format(f"model.{fmt}", b"")


def test_onnx_named_pmml_is_refused():
    data = (MNIST_DIR / "mnist.onnx").read_bytes()

    with pytest.raises(InvalidModel, match=r"file 'x\.pmml' is not a PMML document "
                                           r"\(it looks like an ONNX model\)"):
        detect_format("x.pmml", data)


def test_text_named_onnx_is_refused():
    with pytest.raises(InvalidModel, match=r"file 'x\.onnx' is not an ONNX model \(it is text"):
        detect_format("x.onnx", b"just some notes, not a model\n")


def test_pmml_declared_as_onnx_is_refused():
    with pytest.raises(InvalidModel, match="is not an ONNX model .*looks like a PMML document"):
        detect_format("model.bin", IRIS_TREE.read_bytes(), declared="onnx")


def test_pmml_bytes_fed_to_the_onnx_runtime_are_refused():
    with pytest.raises(InvalidModel, match="not a valid ONNX model"):
        load_runtime("onnx", IRIS_TREE.read_bytes())
