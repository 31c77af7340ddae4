"""Model registry endpoints: upload, list, inspect, test, download, delete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from daas.deployments.http_responses import encoded_response
from daas.deployments.request_payload import read_payload
from daas.platform.access.policy import Action, check
from daas.platform.deps import (
    Audit,
    Caller,
    GroupName,
    Groups,
    LargeRequests,
    Offset,
    Registry,
    Scope,
    Tester,
    Version,
    VersionQuery,
)
from daas.platform.registry.registry import Upload
from daas.platform.registry.schemas import ModelDetail, ModelPage, ModelVersionPublic
from daas.runtimes.base import ModelSchema

router = APIRouter(prefix="/api/v1/models", tags=["models"])

_TEST_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"type": "object"}, "examples": {
                "records": {"value": {"data": [{"Sepal_Length": 5.1, "Sepal_Width": 3.5,
                                                "Petal_Length": 1.4, "Petal_Width": 0.2}]}},
                "split": {"value": {"data": {"columns": ["x1", "x2"], "data": [[1.0, 2.0]]}}},
                "tensors": {"value": {"inputs": {"Input3": [[[[0.0]]]]}}},
            }},
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}}}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
        }
    }
}


@router.post("", status_code=201, response_model=ModelVersionPublic, summary="Upload a model")
def upload_model(
    principal: Caller,
    group: Scope,
    registry: Registry,
    audit: Audit,
    file: Annotated[UploadFile, File(description="A .pmml or .onnx file")],
    name: Annotated[str, Form(description="Model name; an existing name gets a new version")],
    description: Annotated[str | None, Form()] = None,
    format: Annotated[Literal["pmml", "onnx"] | None, Form(description="Override detection")] = None,
) -> ModelVersionPublic:
    """Store a PMML or ONNX file as the next version of ``name`` after loading it in isolation."""
    check(principal, group, Action.CREATE)
    data = file.file.read(registry.max_upload_bytes + 1)
    created = registry.upload(Upload(group_id=group.id, name=name, data=data,
                                     filename=file.filename, description=description or None,
                                     declared_format=format, created_by=principal.name))
    audit.record(principal, group, "upload", "model", name, version=created.version)
    return created


@router.get("", response_model=ModelPage, summary="List models")
def list_models(
    principal: Caller,
    registry: Registry,
    groups: Groups,
    group: GroupName = None,
    q: Annotated[str | None, Query(description="Substring of name or description")] = None,
    format: Annotated[Literal["pmml", "onnx"] | None, Query()] = None,
    task: Annotated[str | None, Query()] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ModelPage:
    """A page of models with their latest version's format, task and algorithm: of ``group``,
    or of every group the caller may read."""
    return registry.list(groups.readable(principal, group), q=q, fmt=format, task=task, offset=offset, limit=limit)


@router.get("/{name}", response_model=ModelDetail, summary="Model overview")
def get_model(name: str, principal: Caller, group: Scope, registry: Registry) -> ModelDetail:
    """Format, engine, algorithm, task and every version of a model."""
    check(principal, group, Action.READ)
    return registry.detail(group.id, name)


@router.get("/{name}/versions", response_model=list[ModelVersionPublic], summary="Versions")
def list_versions(name: str, principal: Caller, group: Scope,
                  registry: Registry) -> list[ModelVersionPublic]:
    """Every version of a model, newest first."""
    check(principal, group, Action.READ)
    return registry.versions(group.id, name)


@router.get("/{name}/versions/{version}", response_model=ModelVersionPublic, summary="One version")
def get_version(name: str, version: Version, principal: Caller, group: Scope,
                registry: Registry) -> ModelVersionPublic:
    """Metadata of one version."""
    check(principal, group, Action.READ)
    return registry.version(group.id, name, version)


@router.get("/{name}/schema", response_model=ModelSchema, summary="Input, target and output variables")
def get_schema(name: str, principal: Caller, group: Scope, registry: Registry,
               version: VersionQuery = None) -> ModelSchema:
    """What the model expects and returns, with types, optypes, categories and ranges."""
    check(principal, group, Action.READ)
    return registry.schema(group.id, name, version)


@router.post("/{name}/test", summary="Score rows or tensors with a model version",
             openapi_extra=_TEST_BODY)
async def test_model(
    name: str,
    request: Request,
    principal: Caller,
    group: Scope,
    tester: Tester,
    large_requests: LargeRequests,
    version: VersionQuery = None,
    format: Annotated[Literal["json", "csv"], Query(description="Response format")] = "json",
):
    """Records, a single record, split columns, named tensors, CSV, form fields or a file.

    The model worker decodes, scores and encodes it, outside the API process; while
    ``max_large_requests`` bodies of 1 MiB or more are at work, another large one gets 429.
    """
    check(principal, group, Action.READ)
    payload = await read_payload(request)
    async with large_requests.slot(payload.size):
        content, media_type = await run_in_threadpool(tester.run, group.id, name, version,
                                                      payload, format)
    return encoded_response(content, media_type)


@router.get("/{name}/versions/{version}/download", summary="Download the model file")
def download_version(name: str, version: Version, principal: Caller, group: Scope,
                     registry: Registry) -> Response:
    """The file exactly as uploaded."""
    check(principal, group, Action.READ)
    row, data = registry.file(group.id, name, version)
    extension = "pmml" if row.format == "pmml" else "onnx"
    filename = f"{name}-v{version}.{extension}"
    media = "application/xml" if row.format == "pmml" else "application/octet-stream"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.delete("/{name}/versions/{version}", status_code=204, summary="Delete a version")
def delete_version(name: str, version: Version, principal: Caller, group: Scope,
                   registry: Registry, audit: Audit) -> Response:
    """Delete one version (and the model with its last version). Your own with change,
    anyone's with manage."""
    check(principal, group, Action.DELETE, owner=registry.version(group.id, name, version).created_by)
    registry.delete_version(group.id, name, version)
    audit.record(principal, group, "delete", "model", name, version=version)
    return Response(status_code=204)


@router.delete("/{name}", status_code=204, summary="Delete a model")
def delete_model(name: str, principal: Caller, group: Scope, registry: Registry,
                 audit: Audit) -> Response:
    """Delete a model and all its versions: yours with change, anyone's with manage (every
    version is checked)."""
    for version in registry.versions(group.id, name):
        check(principal, group, Action.DELETE, owner=version.created_by)
    registry.delete_model(group.id, name)
    audit.record(principal, group, "delete", "model", name)
    return Response(status_code=204)


