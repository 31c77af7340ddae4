"""Parse and vet ONNX bytes with the ``onnx`` package before onnxruntime sees them.

A model that references external data would make the evaluator open files named inside
the upload, so any tensor stored outside the file is refused.
"""

from __future__ import annotations

from collections.abc import Iterator

import onnx
from google.protobuf.message import DecodeError

from daas.errors import InvalidModel


def parse_onnx(data: bytes) -> onnx.ModelProto:
    """Parse, refuse external data, and run the ONNX checker; raise ``InvalidModel``."""
    try:
        model = onnx.load_model_from_string(data)  # never resolves external data itself
    except (DecodeError, ValueError, RuntimeError) as error:
        raise InvalidModel(f"not a valid ONNX model: {_reason(error)}") from None
    if not model.HasField("graph"):
        raise InvalidModel("not a valid ONNX model: it has no graph")
    external = next((t for t in iter_tensors(model) if _is_external(t)), None)
    if external is not None:
        raise InvalidModel(f"ONNX models with external data are refused (tensor "
                           f"'{external.name}' is stored outside the file); embed all weights "
                           f"in the .onnx file")
    try:
        onnx.checker.check_model(model)
    except (onnx.checker.ValidationError, ValueError, RuntimeError) as error:
        raise InvalidModel(f"not a valid ONNX model: {_reason(error)}") from None
    return model


def iter_tensors(model: onnx.ModelProto) -> Iterator[onnx.TensorProto]:
    """Every tensor the model carries: initializers, constants and subgraph tensors."""
    yield from _graph_tensors(model.graph)
    for function in model.functions:
        for node in function.node:
            yield from _node_tensors(node)
    for training in model.training_info:
        yield from _graph_tensors(training.initialization)
        yield from _graph_tensors(training.algorithm)


def _graph_tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield from _sparse_tensors(sparse)
    for node in graph.node:
        yield from _node_tensors(node)


def _node_tensors(node: onnx.NodeProto) -> Iterator[onnx.TensorProto]:
    for attribute in node.attribute:
        if attribute.HasField("t"):
            yield attribute.t
        yield from attribute.tensors
        if attribute.HasField("sparse_tensor"):
            yield from _sparse_tensors(attribute.sparse_tensor)
        for sparse in attribute.sparse_tensors:
            yield from _sparse_tensors(sparse)
        if attribute.HasField("g"):
            yield from _graph_tensors(attribute.g)
        for graph in attribute.graphs:
            yield from _graph_tensors(graph)


def _sparse_tensors(sparse: onnx.SparseTensorProto) -> Iterator[onnx.TensorProto]:
    yield sparse.values
    yield sparse.indices


def _is_external(tensor: onnx.TensorProto) -> bool:
    return tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data) > 0


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
