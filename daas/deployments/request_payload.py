"""Prediction request bodies: read within a size limit, unpack forms, decode for the model.

Reading and form parsing happen on the event loop; ``decode_payload`` is the CPU-bound
part (parsing JSON/CSV, coercing to the schema, in ``daas.codecs.request_body``) and runs
in a thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from daas.codecs import DecodedRequest, decode_json
from daas.codecs.media import (
    CSV_MEDIA_TYPES,
    JSON_MEDIA_TYPE,
    media_type,
    require_media_type,
)
from daas.codecs.request_body import (
    decode_document,
    decode_fields,
    is_csv_document,
    parse_json,
)
from daas.errors import BadRequest, PayloadTooLarge
from daas.runtimes.base import ModelSchema

_MULTIPART = "multipart/form-data"
_URLENCODED = "application/x-www-form-urlencoded"
#: What a prediction request may be labelled (unlabelled bodies are read as JSON).
PREDICTION_MEDIA_TYPES = (JSON_MEDIA_TYPE, *sorted(CSV_MEDIA_TYPES), _MULTIPART, _URLENCODED)


@dataclass(frozen=True)
class Payload:
    """A request body ready to decode: a CSV/JSON document, parsed JSON, or form fields."""

    data: bytes = b""
    content_type: str | None = None
    filename: str | None = None
    json_body: Any = None
    fields: dict[str, str] | None = None

    @classmethod
    def from_json(cls, body: Any) -> Payload:
        """A payload around an already parsed JSON body (a list is taken as records)."""
        return cls(json_body={"data": body} if isinstance(body, list) else body)

    @property
    def size(self) -> int:
        """Bytes of body text it carries (a parsed body counts as none)."""
        return len(self.data) + sum(len(value) for value in (self.fields or {}).values())


def too_large(size: int, limit: int) -> PayloadTooLarge:
    """The error for a body of ``size`` bytes over ``limit``."""
    return PayloadTooLarge(f"request body of {size} bytes exceeds the limit of {limit} bytes",
                           details={"limit": limit})


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body; ``PayloadTooLarge`` by Content-Length first, else while streaming."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(size, limit)
            chunks.append(chunk)
    except ClientDisconnect:
        raise BadRequest("the client disconnected before sending the whole body") from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def check_content_type(content_type: str | None) -> None:
    """``UnsupportedMediaType`` (415) for a body a prediction endpoint does not take.

    Only the request's own Content-Type is judged: a form's ``file`` part is read as CSV
    or JSON by its name, whatever label the browser gave it.
    """
    require_media_type(content_type, PREDICTION_MEDIA_TYPES)


async def unpack(body: bytes, content_type: str | None) -> Payload:
    """A payload for a body: forms are parsed here (a ``file`` part, else one field per input)."""
    kind = media_type(content_type)
    if kind not in (_MULTIPART, _URLENCODED):
        return Payload(data=body, content_type=content_type)
    form = await _parse_form(body, content_type or "", multipart=kind == _MULTIPART)
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        return Payload(data=await upload.read(), filename=upload.filename,
                       content_type=upload.content_type)
    fields = {key: value for key, value in form.items() if isinstance(value, str) and value != ""}
    return Payload(fields=fields)


def parse_document(payload: Payload) -> Payload:
    """``payload`` with its JSON document parsed (kept as is when CSV, a form or already parsed).

    Parsing is the longest single step of decoding a large body; done on its own, the scorer
    can drop abandoned work between it and the rest.
    """
    if (payload.json_body is not None or payload.fields is not None or not payload.data.strip()
            or is_csv_document(payload.filename, payload.content_type)):
        return payload
    # The bytes stay: a document that parses to null is then decoded (and refused) as before.
    return Payload(data=payload.data, content_type=payload.content_type,
                   filename=payload.filename, json_body=parse_json(payload.data))


def decode_payload(payload: Payload, schema: ModelSchema) -> DecodedRequest:
    """Decode a payload against the model's schema (``BadRequest``/``InvalidInput`` on errors)."""
    if payload.json_body is not None:
        return decode_json(payload.json_body, schema)
    if payload.fields is not None:
        return decode_fields(payload.fields, schema)
    return decode_document(payload.data, schema, filename=payload.filename,
                           content_type=payload.content_type)


async def read_payload(request: Request) -> Payload:
    """A request's body as a payload (forms unpacked), its Content-Type checked first.

    No size limit here: the caller's middleware (the platform's ``BodySizeLimit``) has one.
    """
    content_type = request.headers.get("content-type")
    check_content_type(content_type)
    return await unpack(await request.body(), content_type)


async def _parse_form(body: bytes, content_type: str, *, multipart: bool):
    async def stream():
        yield body

    headers = Headers({"content-type": content_type})
    parser = MultiPartParser(headers, stream()) if multipart else FormParser(headers, stream())
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise BadRequest(f"the form cannot be parsed: {exc.message}") from None
