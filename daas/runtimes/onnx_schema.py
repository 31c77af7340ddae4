"""Describe an ONNX model: its variables, what task it performs, which op does the work.

The task is read from the outputs (overridable with the metadata property ``daas.task``):

- a label tensor plus probabilities (a ZipMap ``seq(map)`` or a float ``[N, C]`` tensor)
  -> classification; a label plus ``scores`` computed with ArgMin (skl2onnx k-means)
  -> clustering;
- one float output of width 1 (or 1-D) -> regression;
- one float output of fixed width k > 1 on tabular inputs -> dimensionality_reduction;
- anything else (images, sequences, several tensors) -> tensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import onnx

from daas.errors import InvalidModel
from daas.runtimes.base import Task, Variable

TASK_PROPERTY = "daas.task"

_CLASSIFIER_OPS = ("TreeEnsembleClassifier", "LinearClassifier", "SVMClassifier", "ZipMap")
_MAIN_ML_OPS = ("TreeEnsembleClassifier", "TreeEnsembleRegressor", "TreeEnsemble",
                "LinearClassifier", "LinearRegressor", "SVMClassifier", "SVMRegressor")
_FLOAT_TYPES = ("float", "double", "float16", "bfloat16")
_LABEL_TYPES = ("int64", "int32", "string")


@dataclass(frozen=True)
class TaskLayout:
    """The task and which output plays which part in it."""

    task: Task
    label: str | None = None
    probabilities: str | None = None
    scores: str | None = None
    value: str | None = None


def graph_inputs(model: onnx.ModelProto) -> list[onnx.ValueInfoProto]:
    """The inputs a caller feeds (initializers listed as inputs by old IR versions excluded)."""
    initializers = {tensor.name for tensor in model.graph.initializer}
    return [info for info in model.graph.input if info.name not in initializers]


def describe_value(info: onnx.ValueInfoProto) -> Variable:
    """A graph input/output as a schema variable."""
    dtype, shape = _type_and_shape(info.type)
    return Variable(name=info.name, dtype=dtype, shape=shape,
                    description=info.doc_string or None)


def infer_layout(model: onnx.ModelProto, inputs: list[Variable],
                 outputs: list[Variable]) -> TaskLayout:
    """Decide the task from the outputs (or the ``daas.task`` metadata property)."""
    op_types = {node.op_type for node in model.graph.node}
    labels = [v for v in outputs if v.dtype in _LABEL_TYPES and _is_per_row_scalar(v)]
    matrices = [v for v in outputs if v.dtype.startswith("seq(map(")
                or (v.dtype in _FLOAT_TYPES and v.shape is not None and len(v.shape) == 2)]
    floats = [v for v in outputs if v.dtype in _FLOAT_TYPES and v.shape is not None]

    override = _task_override(model)
    if override is not None:
        return TaskLayout(override,
                          label=labels[0].name if labels else None,
                          probabilities=matrices[0].name if matrices else None,
                          scores=matrices[0].name if matrices else None,
                          value=floats[0].name if floats else None)

    if labels and matrices:
        label, matrix = labels[0], matrices[0]
        if "ArgMin" in op_types and not op_types & set(_CLASSIFIER_OPS) \
                and not matrix.dtype.startswith("seq("):
            return TaskLayout("clustering", label=label.name, scores=matrix.name)
        return TaskLayout("classification", label=label.name, probabilities=matrix.name)
    if labels and op_types & set(_CLASSIFIER_OPS):
        return TaskLayout("classification", label=labels[0].name)
    if len(outputs) == 1 and floats:
        output = floats[0]
        if _is_per_row_scalar(output):
            return TaskLayout("regression", value=output.name)
        width = output.shape[-1] if len(output.shape) == 2 else None
        if width is not None and width > 1 and is_tabular(inputs):
            return TaskLayout("dimensionality_reduction", value=output.name)
    return TaskLayout("tensor")


def is_tabular(inputs: list[Variable]) -> bool:
    """Every input is a 1-D ``[N]`` or 2-D ``[N, k]`` tensor."""
    return all(v.shape is not None and 1 <= len(v.shape) <= 2 and "(" not in v.dtype
               for v in inputs)


def class_labels(model: onnx.ModelProto) -> list[str] | None:
    """Class labels from a ZipMap or classifier node, in probability-column order."""
    for op_type in ("ZipMap", *_CLASSIFIER_OPS):
        for node in model.graph.node:
            if node.op_type != op_type:
                continue
            for attribute in node.attribute:
                if attribute.name in ("classlabels_strings", "classlabels_int64s"):
                    values = onnx.helper.get_attribute_value(attribute)
                    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]
    return None


def main_algorithm(model: onnx.ModelProto) -> str:
    """The ML operator doing the work (``TreeEnsembleClassifier``...), else the graph name."""
    op_types = [node.op_type for node in model.graph.node]
    for op_type in _MAIN_ML_OPS:
        if op_type in op_types:
            return op_type
    return model.graph.name or "ONNX graph"


def format_version(model: onnx.ModelProto) -> str:
    """``IR 8, opset 21`` (plus other operator-set domains the model imports)."""
    parts = [f"IR {model.ir_version}"]
    for opset in sorted(model.opset_import, key=lambda o: (o.domain not in ("", "ai.onnx"),
                                                          o.domain)):
        domain = "" if opset.domain in ("", "ai.onnx") else f"{opset.domain} "
        parts.append(f"{domain or 'opset '}{opset.version}")
    return ", ".join(parts)


def producer(model: onnx.ModelProto) -> str | None:
    """``skl2onnx 1.20.0`` from producer_name / producer_version."""
    text = f"{model.producer_name} {model.producer_version}".strip()
    return text or None


def _task_override(model: onnx.ModelProto) -> Task | None:
    for prop in model.metadata_props:
        if prop.key == TASK_PROPERTY:
            allowed = get_args(Task)
            if prop.value not in allowed:
                raise InvalidModel(f"metadata property '{TASK_PROPERTY}' is '{prop.value}'; "
                                   f"expected one of {', '.join(allowed)}")
            return prop.value  # type: ignore[return-value]
    return None


def _is_per_row_scalar(variable: Variable) -> bool:
    shape = variable.shape
    return shape is not None and (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1))


def _type_and_shape(type_proto: onnx.TypeProto) -> tuple[str, list[int | None] | None]:
    kind = type_proto.WhichOneof("value")
    if kind == "tensor_type":
        tensor = type_proto.tensor_type
        shape = None
        if tensor.HasField("shape"):
            shape = [dim.dim_value if dim.HasField("dim_value") else None
                     for dim in tensor.shape.dim]
        return _elem_name(tensor.elem_type), shape
    return _type_name(type_proto), None


def _type_name(type_proto: onnx.TypeProto) -> str:
    kind = type_proto.WhichOneof("value")
    if kind == "tensor_type":
        return _elem_name(type_proto.tensor_type.elem_type)
    if kind == "sparse_tensor_type":
        return f"sparse({_elem_name(type_proto.sparse_tensor_type.elem_type)})"
    if kind == "sequence_type":
        return f"seq({_type_name(type_proto.sequence_type.elem_type)})"
    if kind == "map_type":
        key = _elem_name(type_proto.map_type.key_type)
        return f"map({key},{_type_name(type_proto.map_type.value_type)})"
    if kind == "optional_type":
        return f"optional({_type_name(type_proto.optional_type.elem_type)})"
    return "unknown"


def _elem_name(elem_type: int) -> str:
    return onnx.TensorProto.DataType.Name(elem_type).lower()
