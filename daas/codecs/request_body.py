"""Prediction request documents (JSON, CSV or form fields) decoded for the model.

Reading the body and parsing forms is HTTP work: ``daas.deployments.request_payload``.
JSON is parsed within bounds by ``daas.codecs.json_document.parse_json``.
"""

from __future__ import annotations

from daas.codecs.decoding import DecodedRequest, decode_csv, decode_json
from daas.codecs.json_document import parse_json
from daas.codecs.media import is_csv
from daas.errors import BadRequest
from daas.runtimes.base import ModelSchema

__all__ = ["decode_document", "decode_fields", "is_csv_document", "parse_json"]


def is_csv_document(filename: str | None, content_type: str | None) -> bool:
    """Whether a document is read as CSV (by its file name or content type) rather than JSON."""
    return (filename or "").lower().endswith(".csv") or is_csv(content_type)


def decode_document(data: bytes, schema: ModelSchema, *, filename: str | None = None,
                    content_type: str | None = None) -> DecodedRequest:
    """Decode a CSV or JSON document, chosen by file name or content type."""
    if is_csv_document(filename, content_type):
        return decode_csv(data, schema)
    if not data.strip():
        raise BadRequest("the request body is empty; send JSON such as {\"data\": [{...}]}")
    return decode_json(parse_json(data), schema)


def decode_fields(fields: dict[str, str], schema: ModelSchema) -> DecodedRequest:
    """Decode form fields, one per model input, as a single record."""
    if not fields:
        raise BadRequest("the form has no fields; send one field per model input, or a 'file'")
    return decode_json({"data": fields}, schema)
