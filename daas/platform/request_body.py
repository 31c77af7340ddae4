"""Turn a prediction request (JSON, CSV, form fields or an uploaded file) into model input."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from daas.codecs import DecodedRequest, decode_csv, decode_json
from daas.errors import BadRequest
from daas.runtimes.base import ModelSchema

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def parse_json(data: bytes) -> Any:
    """Parse a JSON document, naming where it breaks."""
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not UTF-8 text: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def decode_document(data: bytes, schema: ModelSchema, *, filename: str | None = None,
                    content_type: str | None = None) -> DecodedRequest:
    """Decode a CSV or JSON document, chosen by file name or content type."""
    kind = (content_type or "").split(";")[0].strip().lower()
    name = (filename or "").lower()
    if name.endswith(".csv") or kind in ("text/csv", "application/csv"):
        return decode_csv(data, schema)
    if not data.strip():
        raise BadRequest("the request body is empty; send JSON such as {\"data\": [{...}]}")
    return decode_json(parse_json(data), schema)


async def read_prediction_request(request: Request, schema: ModelSchema) -> DecodedRequest:
    """Read the request in whichever of the accepted shapes it comes."""
    content_type = request.headers.get("content-type", "application/json")
    if content_type.split(";")[0].strip().lower() not in _FORM_TYPES:
        return decode_document(await request.body(), schema, content_type=content_type)
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        return decode_document(await upload.read(), schema, filename=upload.filename,
                               content_type=upload.content_type)
    record = {key: value for key, value in form.items() if isinstance(value, str) and value != ""}
    if not record:
        raise BadRequest("the form has no fields; send one field per model input, or a 'file'")
    return decode_json({"data": record}, schema)
