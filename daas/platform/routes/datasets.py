"""Dataset endpoints: upload or import, list, inspect, preview, download, delete."""

from __future__ import annotations

import tempfile
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from daas.codecs.media import media_type
from daas.errors import InvalidInput
from daas.platform.datasets.object_stores import ObjectStoreCredentials
from daas.platform.datasets.service import (
    DatasetPage,
    DatasetPreview,
    DatasetPublic,
)
from daas.platform.deps import Datasets, Editor, Offset, Viewer

router = APIRouter(prefix="/api/v1/datasets", tags=["datasets"])

_SPOOL_BYTES = 1024 * 1024
_FORMAT_HELP = "csv, parquet or jsonl (default: from the file name)"
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "name": {"type": "string", "description": "Dataset name"},
                    "format": {"type": "string", "enum": ["csv", "parquet", "jsonl"]},
                }}},
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"},
                "description": "The raw file; give name (and format) as query parameters"},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


class DatasetImport(BaseModel):
    """Where to import a dataset from."""

    name: str = Field(description="Dataset name")
    url: str = Field(description="http(s)://, s3://, gs://, or file:// under the import root")
    format: str | None = Field(None, description=_FORMAT_HELP)
    credentials: ObjectStoreCredentials | None = Field(
        None, description="For s3:// and gs:// only: the credentials to read the object with")




@router.post("", status_code=201, response_model=DatasetPublic, summary="Upload a dataset",
             openapi_extra=_UPLOAD_BODY)
async def upload_dataset(
    request: Request,
    principal: Editor,
    datasets: Datasets,
    name: Annotated[str | None, Query(description="Dataset name (raw-body uploads)")] = None,
    format: Annotated[str | None, Query(description=_FORMAT_HELP)] = None,
    filename: Annotated[str | None, Query(description="File name (raw-body uploads)")] = None,
) -> DatasetPublic:
    """Store a CSV, Parquet or JSON-lines file as Parquet part files.

    Send a multipart form (``file``, ``name``, optional ``format``), or the raw file as the
    body with ``?name=`` (and ``format`` or a telling ``Content-Type``).
    """
    content_type = request.headers.get("content-type", "")
    if media_type(content_type) == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=8)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInput("send the data in a multipart field named 'file'", field="file")
            fields = {key: value for key, value in form.items() if isinstance(value, str) and value}
            return await run_in_threadpool(
                datasets.upload, _required_name(fields.get("name") or name), upload.file,
                upload.filename, fields.get("format") or format, principal.name,
                content_type=upload.content_type)
        finally:
            await form.close()
    upload = UploadFile(tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES), filename=filename)
    try:
        async for chunk in request.stream():
            await upload.write(chunk)
        return await run_in_threadpool(
            datasets.upload, _required_name(name), upload.file, filename or name, format,
            principal.name, content_type=content_type)
    finally:
        await upload.close()


def _required_name(name: str | None) -> str:
    if not name:
        raise InvalidInput("name is required", field="name")
    return name


@router.post("/import", status_code=201, response_model=DatasetPublic,
             summary="Import a dataset from a URL")
def import_dataset(body: DatasetImport, principal: Editor, datasets: Datasets) -> DatasetPublic:
    """Fetch a CSV, Parquet or JSON-lines file from a URL and store it as a dataset.

    - **http(s)://**: only public addresses. The host is resolved once and connected to by
      that address; every redirect is checked again. Loopback, private, link-local,
      multicast, reserved and unspecified addresses are refused (403 naming the rule) unless
      the administrator lists the host or network in `DAAS_DATASET_IMPORT_ALLOW`.
    - **s3:// and gs://**: read with the `credentials` given here (or `anonymous: true` for
      a public bucket), never stored. The platform's own credentials are used only when
      `credentials` is omitted and the caller's role is at least the one
      `DAAS_DATASET_IMPORT_PLATFORM_CREDENTIALS` names (default: admin).
    - **file://**: only under `DAAS_DATASET_IMPORT_ROOT`.
    """
    return datasets.import_url(body.name, body.url, body.format, principal,
                               credentials=body.credentials)


@router.get("", response_model=DatasetPage, summary="List datasets")
def list_datasets(
    _principal: Viewer,
    datasets: Datasets,
    q: Annotated[str | None, Query(description="Substring of name or source")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DatasetPage:
    """A page of datasets, newest first."""
    return datasets.list(q=q, offset=offset, limit=limit)


@router.get("/{name}", response_model=DatasetPublic, summary="Dataset overview")
def get_dataset(name: str, _principal: Viewer, datasets: Datasets) -> DatasetPublic:
    """Origin, size, row count and columns of a dataset."""
    return datasets.get(name)


@router.get("/{name}/preview", response_model=DatasetPreview, summary="First rows")
def preview_dataset(
    name: str,
    _principal: Viewer,
    datasets: Datasets,
    rows: Annotated[int, Query(ge=1, le=1000, description="How many rows")] = 20,
) -> DatasetPreview:
    """The first rows, JSON-safe: NaN and infinities as null, timestamps as ISO text."""
    return datasets.preview(name, rows)


_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


@router.get("/{name}/download", summary="Download a dataset",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}})
def download_dataset(
    name: str,
    _principal: Viewer,
    datasets: Datasets,
    format: Annotated[Literal["csv", "parquet"], Query(description="File format")] = "csv",
) -> StreamingResponse:
    """The whole dataset as one CSV or Parquet file, streamed."""
    chunks = datasets.download(name, format)
    return StreamingResponse(chunks, media_type=_MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{name}.{format}"'})


@router.delete("/{name}", status_code=204, summary="Delete a dataset")
def delete_dataset(name: str, _principal: Editor, datasets: Datasets) -> Response:
    """Delete a dataset and its files; 409 while a job uses it."""
    datasets.delete(name)
    return Response(status_code=204)
