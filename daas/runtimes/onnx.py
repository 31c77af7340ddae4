"""ONNX models evaluated with onnxruntime (one intra-/inter-op thread per session).

Rows: the frame has one column per graph input; each cell is that input's value for one
batch row — a scalar for ``[N]``/``[N, 1]`` inputs, a list of k for ``[N, k]``, nested lists
for higher ranks. Models with a fixed batch size of 1 are run once per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
from onnxruntime.capi import onnxruntime_pybind11_state as ort_state

from daas.errors import InvalidInput, InvalidModel
from daas.runtimes import onnx_schema
from daas.runtimes.base import ModelRuntime, ModelSchema, Variable
from daas.runtimes.columns import Columns, repeated
from daas.runtimes.jsonready import json_ready
from daas.runtimes.onnx_tasks import task_columns, task_row
from daas.runtimes.onnx_validation import parse_onnx

#: Every error class onnxruntime's native layer raises (all derive from plain Exception).
_ORT_ERRORS: tuple[type[Exception], ...] = tuple(
    cls for cls in vars(ort_state).values()
    if isinstance(cls, type) and issubclass(cls, Exception)
    and cls.__module__ == ort_state.__name__)


class OnnxRuntime(ModelRuntime):
    """An ONNX model behind an onnxruntime ``InferenceSession``."""

    format = "onnx"

    def __init__(self, model: onnx.ModelProto, session: ort.InferenceSession) -> None:
        inputs = [onnx_schema.describe_value(v) for v in onnx_schema.graph_inputs(model)]
        outputs = [onnx_schema.describe_value(v) for v in model.graph.output]
        self._layout = onnx_schema.infer_layout(model, inputs, outputs)
        self._classes = onnx_schema.class_labels(model)
        self._inputs = {v.name: v for v in inputs}
        self._np_types = {v.name: _numpy_type(v) for v in inputs}
        self._session = session
        self._schema = ModelSchema(
            format="onnx",
            engine=f"onnxruntime {ort.__version__}",
            task=self._layout.task,
            algorithm=onnx_schema.main_algorithm(model),
            format_version=onnx_schema.format_version(model),
            producer=onnx_schema.producer(model),
            description=model.doc_string or model.graph.doc_string or None,
            inputs=inputs,
            outputs=outputs,
            classes=self._classes if self._layout.task == "classification" else None,
            tabular=onnx_schema.is_tabular(inputs),
        )

    @classmethod
    def load(cls, data: bytes) -> OnnxRuntime:
        """Check the bytes with ``onnx`` (no external data), then open an onnxruntime session."""
        model = parse_onnx(data)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        except _ORT_ERRORS as error:
            raise InvalidModel(f"onnxruntime cannot load the model: {_first_line(error)}") from None
        return cls(model, session)

    @property
    def schema(self) -> ModelSchema:
        return self._schema

    def predict(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Score rows; see the module docstring for the cell layout."""
        size = len(frame)
        if size == 0:
            return []
        results = self._results(frame, size)
        return [self._row(results, i, size) for i in range(size)]

    def predict_columns(self, frame: pd.DataFrame) -> Columns:
        """Score rows into columns: the output arrays as the session returns them, and the
        task-level fields computed on whole arrays."""
        size = len(frame)
        if size == 0:
            return {}
        outputs = {name: _per_row(value, size)
                   for name, value in self._results(frame, size).items()}
        return {"outputs": outputs, **task_columns(self._layout, self._classes, outputs, size)}

    def predict_tensors(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Run whole named tensors (cast to each input's type, rank and fixed dims checked)."""
        unknown = sorted(set(inputs) - set(self._inputs))
        if unknown:
            raise InvalidInput(f"unknown input '{unknown[0]}'; the model takes "
                               f"{', '.join(self._inputs)}", field=unknown[0])
        feeds = {}
        for name, variable in self._inputs.items():
            if name not in inputs:
                raise InvalidInput(f"missing input '{name}'", field=name)
            tensor = _to_array(inputs[name], self._np_types[name], name)
            _check_shape(tensor.shape, variable.shape, name)
            feeds[name] = tensor
        return self._run(feeds)

    # -- running -----------------------------------------------------------------------------

    def _run(self, feeds: dict[str, np.ndarray]) -> dict[str, Any]:
        names = [output.name for output in self._session.get_outputs()]
        try:
            values = self._session.run(names, feeds)
        except (*_ORT_ERRORS, ValueError, TypeError, RuntimeError) as error:
            raise InvalidInput(f"the model rejected the input: {_first_line(error)}") from None
        return dict(zip(names, values))

    def _results(self, frame: pd.DataFrame, size: int) -> dict[str, Any]:
        feeds = {name: self._column_tensor(frame, variable)
                 for name, variable in self._inputs.items()}
        if not self._needs_single_rows(size):
            return self._run(feeds)
        per_row = [self._run({name: tensor[i:i + 1] for name, tensor in feeds.items()})
                   for i in range(size)]
        return {name: _concat([r[name] for r in per_row]) for name in per_row[0]}

    def _needs_single_rows(self, size: int) -> bool:
        batch_dims = {v.shape[0] for v in self._inputs.values() if v.shape}
        return size > 1 and batch_dims == {1}

    def _column_tensor(self, frame: pd.DataFrame, variable: Variable) -> np.ndarray:
        name = variable.name
        if name not in frame.columns:
            raise InvalidInput(f"missing input '{name}'", field=name)
        column = frame[name]
        np_type = self._np_types[name]
        if column.dtype.kind in "biuf" and column.dtype == np_type:
            # Already the input's type (as the codecs deliver it): no per-cell pass needed.
            tensor = np.ascontiguousarray(column.to_numpy())
        else:
            cells = column.tolist()
            try:
                tensor = np.asarray(_prepare_cells(cells, np_type), dtype=np_type)
            except (ValueError, TypeError):
                _raise_for_bad_cell(cells, np_type, name)
                raise  # unreachable: the helper above always raises
        cell_shape = list(variable.shape[1:]) if variable.shape else []
        if tensor.ndim == 1 and cell_shape == [1]:
            tensor = tensor.reshape(-1, 1)
        expected = [None, *cell_shape] if variable.shape else None
        _check_shape(tensor.shape, expected, name)
        return tensor

    # -- rows --------------------------------------------------------------------------------

    def _row(self, results: dict[str, Any], index: int, size: int) -> dict[str, Any]:
        outputs = {name: json_ready(_row_value(value, index, size))
                   for name, value in results.items()}
        return {"outputs": outputs, **task_row(self._layout, self._classes, outputs)}


def _numpy_type(variable: Variable) -> Any:
    if variable.dtype == "string":
        return object
    try:
        elem = onnx.TensorProto.DataType.Value(variable.dtype.upper())
        return onnx.helper.tensor_dtype_to_np_dtype(elem)
    except (ValueError, KeyError, TypeError):
        return object  # non-tensor inputs (sequences, maps) are passed through as given


def _prepare_cells(cells: list[Any], np_type: Any) -> list[Any]:
    if np_type is object:
        return [c if isinstance(c, (list, tuple, np.ndarray)) else
                (None if c is None else str(c)) for c in cells]
    return [np.nan if c is None else c for c in cells]


def _to_array(value: Any, np_type: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np_type)
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"input '{name}' cannot be read as {np.dtype(np_type).name} "
                           f"values: {_first_line(error)}", field=name) from None


def _raise_for_bad_cell(cells: list[Any], np_type: Any, name: str) -> None:
    shapes = set()
    for row, cell in enumerate(cells):
        try:
            shape = np.asarray(cell, dtype=np_type).shape
        except (ValueError, TypeError):
            raise InvalidInput(f"input '{name}' has a value that is not "
                               f"{np.dtype(np_type).name}: {str(cell)[:80]!r}",
                               field=name, row=row) from None
        shapes.add(shape)
        if len(shapes) > 1:
            raise InvalidInput(f"input '{name}' has values of different shapes "
                               f"({' vs '.join(map(str, shapes))})", field=name, row=row)
    raise InvalidInput(f"input '{name}' cannot be read as a tensor", field=name)


def _check_shape(actual: tuple[int, ...], expected: list[int | None] | None, name: str) -> None:
    if expected is None:
        return
    if len(actual) != len(expected):
        raise InvalidInput(f"input '{name}' must have rank {len(expected)} "
                           f"(shape {_shape_text(expected)}), got shape {list(actual)}", field=name)
    for size, want in zip(actual, expected):
        if want is not None and size != want:
            raise InvalidInput(f"input '{name}' must have shape {_shape_text(expected)}, "
                               f"got {list(actual)}", field=name)


def _shape_text(shape: list[int | None]) -> str:
    return "[" + ", ".join("N" if d is None else str(d) for d in shape) + "]"


def _is_per_row(value: Any, size: int) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim >= 1 and value.shape[0] == size
    return isinstance(value, list) and len(value) == size


def _row_value(value: Any, index: int, size: int) -> Any:
    return value[index] if _is_per_row(value, size) else value


def _per_row(value: Any, size: int) -> Any:
    """An output as a column: per-row arrays and lists as they are, anything else repeated."""
    return value if _is_per_row(value, size) else repeated(value, size)


def _concat(parts: list[Any]) -> Any:
    if all(isinstance(p, np.ndarray) and p.ndim >= 1 for p in parts):
        return np.concatenate(parts, axis=0)
    return [item for part in parts for item in (part if isinstance(part, list) else [part])]


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
