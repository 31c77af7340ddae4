"""Ready-to-run calls and a per-service OpenAPI document, with examples from the schema."""

from __future__ import annotations

import json
from typing import Any

from daas.platform.ports import service_app_name
from daas.runtimes.base import ModelSchema, Variable


def example_value(variable: Variable) -> Any:
    """A plausible value for one input: a category, a mid-range number, or zeros."""
    if variable.values:
        return variable.values[0]
    if variable.intervals:
        interval = variable.intervals[0]
        if interval.left is not None and interval.right is not None:
            return round((interval.left + interval.right) / 2, 4)
        return interval.left if interval.left is not None else interval.right
    dtype = variable.dtype.lower()
    if "string" in dtype:
        return "text"
    if "bool" in dtype:
        return False
    if variable.shape and len(variable.shape) > 2:
        return _zeros([d or 1 for d in variable.shape[1:]])
    if variable.shape and len(variable.shape) == 2 and (variable.shape[1] or 1) > 1:
        return [0.0] * variable.shape[1]
    return 0 if "int" in dtype else 0.0


def _zeros(shape: list[int]) -> Any:
    return [0.0] * shape[0] if len(shape) == 1 else [_zeros(shape[1:]) for _ in range(shape[0])]


def example_request(schema: ModelSchema) -> dict[str, Any]:
    """A request body the model accepts: one record, or named tensors for tensor models."""
    if not schema.tabular and schema.format == "onnx":
        return {"inputs": {v.name: _zeros([d or 1 for d in (v.shape or [1])]) for v in schema.inputs}}
    return {"data": [{v.name: example_value(v) for v in schema.inputs}]}


def snippets(service: str, url: str, schema: ModelSchema) -> dict[str, str]:
    """curl, Python requests and Serve-handle calls of a service."""
    body = example_request(schema)
    compact = json.dumps(body, separators=(",", ":"))
    pretty = json.dumps(body, indent=4)
    return {
        "curl": (f"curl -X POST '{url}/predict' \\\n  -H 'Authorization: Bearer $DAAS_TOKEN' \\\n"
                 f"  -H 'Content-Type: application/json' \\\n  -d '{compact}'"),
        "python": ("import os\nimport requests\n\n"
                   f"body = {pretty}\n"
                   f"response = requests.post(\n    \"{url}/predict\",\n    json=body,\n"
                   "    headers={\"Authorization\": f\"Bearer {os.environ['DAAS_TOKEN']}\"},\n"
                   "    timeout=30,\n)\nresponse.raise_for_status()\nprint(response.json())\n"),
        "serve_handle": ("# inside the Ray cluster (a driver connected with ray.init(address=\"auto\"))\n"
                         "from ray import serve\n\n"
                         f"handle = serve.get_app_handle(\"{service_app_name(service)}\")\n"
                         f"body = {pretty}\n"
                         "print(handle.predict.remote(body).result())\n"),
    }


def openapi_document(service: str, model: str, version: int, schema: ModelSchema, url: str) -> dict[str, Any]:
    """An OpenAPI 3.1 document for one service's predict endpoint."""
    example = example_request(schema)
    properties = {v.name: _json_schema(v) for v in schema.inputs}
    record = {"type": "object", "properties": properties,
              "required": [v.name for v in schema.inputs if v.required]}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Service {service}", "version": str(version),
                 "description": f"{model} v{version} ({schema.task}, {schema.algorithm})"},
        "servers": [{"url": url}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {"/predict": {"post": {
            "summary": f"Score rows with {model} v{version}",
            "parameters": [
                {"name": "mode", "in": "query", "schema": {"enum": ["sync", "async"]}},
                {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
            ],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "data": {"oneOf": [{"type": "array", "items": record}, record]}}},
                    "example": example},
                "text/csv": {"schema": {"type": "string"}},
            }},
            "responses": {
                "200": {"description": "Predictions, one per row"},
                "202": {"description": "Accepted (mode=async); poll the status URL"},
                "400": {"description": "Malformed request"},
                "401": {"description": "Missing or invalid token"},
                "413": {"description": "Body too large"},
                "422": {"description": "Input does not fit the model (field and row named)"},
                "503": {"description": "Overloaded or paused; see Retry-After"},
                "504": {"description": "The model took longer than the service's timeout"},
            },
        }}},
    }


def _json_schema(variable: Variable) -> dict[str, Any]:
    dtype = variable.dtype.lower()
    if variable.values:
        return {"enum": variable.values}
    if variable.shape and len(variable.shape) >= 2 and (variable.shape[-1] or 2) > 1:
        return {"type": "array"}
    if "string" in dtype:
        return {"type": "string"}
    if "bool" in dtype:
        return {"type": "boolean"}
    return {"type": "integer" if "int" in dtype else "number"}
