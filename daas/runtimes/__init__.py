"""Model formats: detect a file's format, load it into a runtime, describe it.

Runtime modules are imported on first use, so reading PMML never loads onnxruntime and
vice versa.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from daas.errors import InvalidModel
from daas.runtimes.base import ModelRuntime
from daas.runtimes.formats import SUPPORTED_FORMATS, detect_format

__all__ = ["SUPPORTED_FORMATS", "detect_format", "inspect_model", "load_runtime", "runtime_class"]

_RUNTIME_CLASSES = {
    "pmml": ("daas.runtimes.pmml", "PmmlRuntime"),
    "onnx": ("daas.runtimes.onnx", "OnnxRuntime"),
}


def runtime_class(fmt: str) -> type[ModelRuntime]:
    """The runtime class for a format name (``"pmml"`` or ``"onnx"``)."""
    try:
        module_name, class_name = _RUNTIME_CLASSES[fmt]
    except KeyError:
        raise InvalidModel(f"unsupported model format '{fmt}'; supported formats: "
                           f"{', '.join(SUPPORTED_FORMATS)}") from None
    return getattr(import_module(module_name), class_name)


def load_runtime(fmt: str, data: bytes) -> ModelRuntime:
    """Validate and load model bytes of the given format; raises ``InvalidModel``."""
    if not data:
        raise InvalidModel("the file is empty")
    return runtime_class(fmt).load(data)


def inspect_model(fmt: str, data: bytes) -> dict[str, Any]:
    """Load a model and return its schema as a JSON-ready dict."""
    return load_runtime(fmt, data).schema.model_dump(mode="json")
