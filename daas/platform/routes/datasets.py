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
from daas.platform.access.policy import Action, check
from daas.platform.deps import Audit, Caller, Datasets, GroupName, Groups, Offset, Scope

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
    principal: Caller,
    group: Scope,
    datasets: Datasets,
    audit: Audit,
    name: Annotated[str | None, Query(description="Dataset name (raw-body uploads)")] = None,
    format: Annotated[str | None, Query(description=_FORMAT_HELP)] = None,
    filename: Annotated[str | None, Query(description="File name (raw-body uploads)")] = None,
) -> DatasetPublic:
    """Store a CSV, Parquet or JSON-lines file as Parquet part files.

    Send a multipart form (``file``, ``name``, optional ``format``), or the raw file as the
    body with ``?name=`` (and ``format`` or a telling ``Content-Type``).
    """
    check(principal, group, Action.CREATE)
    content_type = request.headers.get("content-type", "")
    if media_type(content_type) == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=8)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInput("send the data in a multipart field named 'file'", field="file")
            fields = {key: value for key, value in form.items() if isinstance(value, str) and value}
            created = await run_in_threadpool(
                datasets.upload, group, _required_name(fields.get("name") or name), upload.file,
                upload.filename, fields.get("format") or format, principal.name,
                content_type=upload.content_type)
        finally:
            await form.close()
        audit.record(principal, group, "create", "dataset", created.name)
        return created
    upload = UploadFile(tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES), filename=filename)
    try:
        async for chunk in request.stream():
            await upload.write(chunk)
        created = await run_in_threadpool(
            datasets.upload, group, _required_name(name), upload.file, filename or name, format,
            principal.name, content_type=content_type)
    finally:
        await upload.close()
    audit.record(principal, group, "create", "dataset", created.name)
    return created


def _required_name(name: str | None) -> str:
    if not name:
        raise InvalidInput("name is required", field="name")
    return name


@router.post("/import", status_code=201, response_model=DatasetPublic,
             summary="Import a dataset from a URL")
def import_dataset(body: DatasetImport, principal: Caller, group: Scope, datasets: Datasets,
                   audit: Audit) -> DatasetPublic:
    """Fetch a CSV, Parquet or JSON-lines file from a URL and store it as a dataset.

    - **http(s)://**: only public addresses. The host is resolved once and connected to by
      that address; every redirect is checked again. Loopback, private, link-local,
      multicast, reserved and unspecified addresses are refused (403 naming the rule) unless
      the administrator lists the host or network in `DAAS_DATASET_IMPORT_ALLOW`.
    - **s3:// and gs://**: read with the `credentials` given here (or `anonymous: true` for
      a public bucket), never stored. The platform's own credentials are used only when
      `credentials` is omitted and the caller holds what
      `DAAS_DATASET_IMPORT_PLATFORM_CREDENTIALS` names (default `admin`: platform admins;
      `editor`: change on the group).
    - **file://**: only under `DAAS_DATASET_IMPORT_ROOT`.
    """
    check(principal, group, Action.CREATE)
    created = datasets.import_url(group, body.name, body.url, body.format, principal,
                                  credentials=body.credentials)
    audit.record(principal, group, "create", "dataset", created.name, source=created.source)
    return created


@router.get("", response_model=DatasetPage, summary="List datasets")
def list_datasets(
    principal: Caller,
    datasets: Datasets,
    groups: Groups,
    group: GroupName = None,
    q: Annotated[str | None, Query(description="Substring of name or source")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DatasetPage:
    """A page of datasets, newest first: of ``group``, or of every group the caller may read."""
    return datasets.list(groups.readable(principal, group), q=q, offset=offset, limit=limit)


@router.get("/{name}", response_model=DatasetPublic, summary="Dataset overview")
def get_dataset(name: str, principal: Caller, group: Scope, datasets: Datasets) -> DatasetPublic:
    """Origin, size, row count and columns of a dataset."""
    check(principal, group, Action.READ)
    return datasets.get(group, name)


@router.get("/{name}/preview", response_model=DatasetPreview, summary="First rows")
def preview_dataset(
    name: str,
    principal: Caller,
    group: Scope,
    datasets: Datasets,
    rows: Annotated[int, Query(ge=1, le=1000, description="How many rows")] = 20,
) -> DatasetPreview:
    """The first rows, JSON-safe: NaN and infinities as null, timestamps as ISO text."""
    check(principal, group, Action.READ)
    return datasets.preview(group, name, rows)


_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


@router.get("/{name}/download", summary="Download a dataset",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}})
def download_dataset(
    name: str,
    principal: Caller,
    group: Scope,
    datasets: Datasets,
    format: Annotated[Literal["csv", "parquet"], Query(description="File format")] = "csv",
) -> StreamingResponse:
    """The whole dataset as one CSV or Parquet file, streamed."""
    check(principal, group, Action.READ)
    chunks = datasets.download(group, name, format)
    return StreamingResponse(chunks, media_type=_MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{name}.{format}"'})


@router.delete("/{name}", status_code=204, summary="Delete a dataset")
def delete_dataset(name: str, principal: Caller, group: Scope, datasets: Datasets,
                   audit: Audit) -> Response:
    """Delete a dataset and its files; 409 while a job uses it. Your own with change, anyone's
    with manage."""
    check(principal, group, Action.DELETE, owner=datasets.row(group, name).created_by)
    datasets.delete(group, name)
    audit.record(principal, group, "delete", "dataset", name)
    return Response(status_code=204)
