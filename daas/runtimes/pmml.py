"""PMML models evaluated with pypmml (PMML4S in a JVM; one gateway per process, shared).

The file is parsed with defusedxml first (no DOCTYPE, no entities), its schema read from
the XML, and only then handed to pypmml as a string. A batch is scored with one call into
the JVM. pypmml is asked for supplementary outputs, so every model yields the predicted value
of its targets — returned under the target's own name (``Species``, not
``predicted_Species``) — next to the output fields it declares.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pandas as pd
from py4j.protocol import Py4JError, Py4JJavaError
from pypmml import Model, PMMLError

from daas.errors import InvalidInput, InvalidModel, Unavailable
from daas.runtimes.base import ModelRuntime, ModelSchema
from daas.runtimes.columns import Columns
from daas.runtimes.pmml_document import parse_pmml, pmml_text
from daas.runtimes.pmml_gateway import disable_nagle, quiet_root_logging
from daas.runtimes.pmml_inputs import evaluator_request
from daas.runtimes.pmml_schema import (
    PmmlDescription,
    add_evaluator_outputs,
    describe_pmml,
)
from daas.runtimes.pmml_tasks import PmmlFields, parse_result, result_columns


def _engine() -> str:
    try:
        return f"pypmml {version('pypmml')}"
    except PackageNotFoundError:
        return "pypmml"


class PmmlRuntime(ModelRuntime):
    """A PMML model scored by pypmml."""

    format = "pmml"

    def __init__(self, model: Model, description: PmmlDescription) -> None:
        self._model = model
        self._description = description
        self._schema = description.schema
        self._fields = PmmlFields(description)

    @classmethod
    def load(cls, data: bytes) -> PmmlRuntime:
        """Refuse unsafe or broken XML, read the schema, then load the text into pypmml."""
        root = parse_pmml(data)
        description = describe_pmml(root, _engine())
        text = pmml_text(data)
        try:
            model = Model.fromString(text).setSupplementOutput(True)
            fields = [(f.name, f.feature, f.value, f.dataType, f.opType)
                      for f in model.outputFields]
            classes = model.classes if description.schema.task == "classification" else None
        except PMMLError as error:
            raise InvalidModel(f"pypmml cannot load the PMML: {_pmml_message(error)}") from None
        except Py4JJavaError as error:
            raise InvalidModel(f"pypmml cannot load the PMML: {_java_message(error)}") from None
        except Py4JError as error:
            raise Unavailable(f"the PMML evaluator is not available: {error}") from None
        add_evaluator_outputs(description, fields)
        if description.schema.classes is None and classes:
            description.schema.classes = [str(c) for c in classes]
        disable_nagle()
        quiet_root_logging()
        return cls(model, description)

    @property
    def schema(self) -> ModelSchema:
        return self._schema

    def predict(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Score all rows in one evaluator call; raw outputs plus the task-level view."""
        if len(frame) == 0:
            return []
        result = self._evaluate(frame)
        names = result["columns"]
        return [self._fields.row(dict(zip(names, values))) for values in result["data"]]

    def predict_columns(self, frame: pd.DataFrame) -> Columns:
        """Score all rows in one evaluator call; ``predict``'s fields as columns."""
        if len(frame) == 0:
            return {}
        return self._fields.columns(result_columns(self._evaluate(frame)), len(frame))

    def _evaluate(self, frame: pd.DataFrame) -> dict[str, Any]:
        """The evaluator's split-JSON answer for the rows of ``frame``."""
        request = evaluator_request(frame, self._schema.inputs,
                                    self._description.invalid_treatment)
        try:
            return parse_result(self._model.call("predict", request))
        except Py4JJavaError as error:
            raise InvalidInput(f"the PMML evaluator rejected the input: "
                               f"{_java_message(error)}") from None
        except Py4JError as error:
            raise Unavailable(f"the PMML evaluator is not available: {error}") from None


def _pmml_message(error: PMMLError) -> str:
    """pypmml raises ``PMMLError(java_class_name, message)`` for failed static calls."""
    parts = [str(part) for part in error.args if part]
    return ": ".join(parts) if parts else "unknown error"


def _java_message(error: Py4JJavaError) -> str:
    try:
        text = str(error.java_exception.toString())
    except Py4JError:
        text = str(error)
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
