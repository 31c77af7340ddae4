"""The JSON a service answers with: predictions, metadata and Open Inference Protocol v2."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from daas.codecs import tensors_to_v2_outputs
from daas.deployments.scoring import Scored
from daas.deployments.server_config import ServerConfig
from daas.errors import BadRequest, InvalidInput
from daas.runtimes.base import ModelSchema
from daas.runtimes.jsonready import json_ready


def prediction_body(config: ServerConfig, scored: Scored) -> dict[str, Any]:
    """``{"service", "model", "version", "task", "predictions"}`` for rows, or ``outputs``
    (named nested lists) instead of ``task``/``predictions`` for tensors."""
    body: dict[str, Any] = {"service": config.service, "model": config.model,
                            "version": config.version}
    if scored.rows is not None:
        body["task"] = config.task
        body["predictions"] = scored.rows
    else:
        body["outputs"] = {name: json_array(value) for name, value in scored.tensors.items()}
    return body


def metadata_body(config: ServerConfig, schema: ModelSchema) -> dict[str, Any]:
    """What the service expects and returns."""
    def variables(items):
        return [item.model_dump(mode="json", exclude_none=True) for item in items]

    return {"service": config.service, "model": config.model, "version": config.version,
            "task": config.task, "format": config.format, "inputs": variables(schema.inputs),
            "targets": variables(schema.targets), "outputs": variables(schema.outputs)}


def v2_request_payload(body: Any) -> dict[str, Any]:
    """The part of an Open Inference Protocol request the decoder reads (its ``inputs``)."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise BadRequest('an inference request is {"inputs": [{"name", "shape", "datatype", '
                         '"data"}, ...]}')
    return {"inputs": body["inputs"]}


def v2_response(config: ServerConfig, body: dict[str, Any], scored: Scored) -> dict[str, Any]:
    """The Open Inference Protocol response; rows become one tensor per raw output name."""
    tensors = scored.tensors if scored.tensors is not None else rows_to_tensors(scored.rows)
    outputs = tensors_to_v2_outputs(_requested(tensors, body.get("outputs")))
    return {"model_name": config.service, "model_version": str(config.version),
            "id": body.get("id"), "outputs": outputs}


def rows_to_tensors(rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Each raw output of the prediction rows as one array with a row per prediction."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row.get("outputs") or {}))
    return {name: _column_array([(row.get("outputs") or {}).get(name) for row in rows])
            for name in names}


def json_array(value: Any) -> Any:
    """An output tensor as nested lists, NaN and infinities as ``null``."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            return json_ready(value)
        if value.dtype.kind != "O":
            return value.tolist()
    return json_ready(value)


def _requested(tensors: dict[str, Any], wanted: Any) -> dict[str, Any]:
    if not wanted:
        return tensors
    if not isinstance(wanted, list) or not all(isinstance(w, dict) and "name" in w for w in wanted):
        raise BadRequest("'outputs' must be a list of objects with a 'name'")
    names = [w["name"] for w in wanted]
    for name in names:
        if name not in tensors:
            raise InvalidInput(f"the model has no output '{name}' (outputs: "
                               f"{', '.join(tensors)})", field=name)
    return {name: tensors[name] for name in names}


def _column_array(values: list[Any]) -> np.ndarray:
    """Numbers (missing as NaN), booleans, strings, equal-length number lists, else objects."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present) and len(present) == len(values):
        return np.asarray(values, dtype=bool)
    if present and all(isinstance(v, Integral) and not isinstance(v, bool) for v in present) \
            and len(present) == len(values):
        return np.asarray(values, dtype=np.int64)
    if present and all(isinstance(v, Real) and not isinstance(v, bool) for v in present):
        return np.asarray([math.nan if v is None else v for v in values], dtype=np.float64)
    if present and len(present) == len(values) and all(isinstance(v, list) for v in present):
        try:
            stacked = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            stacked = None
        if stacked is not None and stacked.ndim == 2:
            return stacked
    holder = np.empty(len(values), dtype=object)
    for position, value in enumerate(values):
        holder[position] = value
    return holder
