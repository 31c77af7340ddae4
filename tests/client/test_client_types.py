"""The Python client's answer types agree with the platform's OpenAPI document.

``ui/openapi.json`` is the committed copy of the document (``tests/platform/test_ui_api_types.py``
keeps it current). Every field a TypedDict of :mod:`daas.client.types` declares must be a
property of the matching schema, with a compatible type, required exactly where the schema
requires it, and ``| None`` exactly where the schema allows ``null``. A TypedDict the document
has no schema for is listed in ``FREE_FORM`` with the place that answer has in the document,
which must then really be a free-form JSON object.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from daas.client import types as client_types

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "ui" / "openapi.json").read_text())
SCHEMAS = DOCUMENT["components"]["schemas"]

#: Each client type and the schema of the answers it stands for.
MATCHING_SCHEMA: dict[type, str] = {
    client_types.Membership: "Membership",
    client_types.Me: "Me",
    client_types.Permissions: "PermissionTable",
    client_types.User: "UserPublic",
    client_types.Group: "GroupPublic",
    client_types.GroupMember: "MemberPublic",
    client_types.AuditEntry: "AuditEntry",
    client_types.ModelVersion: "ModelVersionPublic",
    client_types.Model: "ModelPublic",
    client_types.ModelDetail: "ModelDetail",
    client_types.ModelPage: "ModelPage",
    client_types.Interval: "Interval",
    client_types.Variable: "Variable",
    client_types.ModelSchema: "ModelSchema",
    client_types.TokenInfo: "TokenPublic",
    client_types.NewToken: "TokenCreated",
    client_types.Service: "ServicePublic",
    client_types.NewService: "ServiceCreated",
    client_types.ServiceEvent: "ServiceEventPublic",
    client_types.DatasetColumn: "DatasetColumn",
    client_types.Dataset: "DatasetPublic",
    client_types.DatasetPage: "DatasetPage",
    client_types.DatasetPreview: "DatasetPreview",
    client_types.RunSummary: "RunSummary",
    client_types.Job: "JobPublic",
    client_types.JobDetail: "JobDetail",
    client_types.Run: "RunPublic",
    client_types.SubmissionLog: "SubmissionLog",
    client_types.RunLogs: "RunLogs",
}


def _answer(method: str, path: str) -> tuple[str, ...]:
    return ("paths", path, method, "responses", "200", "content", "application/json", "schema")


def _field(schema: str, name: str) -> tuple[str, ...]:
    return ("components", "schemas", schema, "properties", name)


#: Client types of answers the document declares only as JSON objects, and where it does.
FREE_FORM: dict[type, tuple[str, ...]] = {
    client_types.ServiceSpec: _field("ServicePublic", "spec"),
    client_types.Replica: _answer("get", "/api/v1/services/{name}/replicas"),
    client_types.ServiceLogs: _answer("get", "/api/v1/services/{name}/logs"),
    client_types.ReplicaLogs: _answer("get", "/api/v1/services/{name}/logs"),  # its items
    client_types.ServiceMetrics: _answer("get", "/api/v1/services/{name}/metrics"),
    client_types.PredictionRequest: _answer("get", "/api/v1/requests/{request_id}"),
}

_JSON_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}


def _options(schema: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """A schema's alternatives other than null, and whether it allows null."""
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    others = [option for option in options if option.get("type") != "null"]
    return others, len(others) < len(options)


def _members(annotation: Any) -> tuple[list[Any], bool]:
    """A type's members other than None, and whether it allows None."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = list(typing.get_args(annotation))
    else:
        members = [annotation]
    others = [member for member in members if member is not type(None)]
    return others, len(others) < len(members)


def _label(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation)


def _fits(annotation: Any, option: dict[str, Any], where: str) -> list[str]:
    """Why one client type (no union) does not fit one schema alternative (not null)."""
    if annotation is Any or not option:
        return []
    origin = typing.get_origin(annotation) or annotation
    arguments = typing.get_args(annotation)
    if "$ref" in option:
        name = option["$ref"].rsplit("/", 1)[-1]
        if MATCHING_SCHEMA.get(annotation) == name or origin is dict:
            return []
        return [f"{where}: {_label(annotation)} stands for schema {name}"]
    kind = option.get("type")
    if kind == "array":
        if origin is not list:
            return [f"{where}: {_label(annotation)} stands for an array"]
        return _mismatches(arguments[0] if arguments else Any, option.get("items", {}),
                           f"{where}[]")
    if kind == "object":
        if typing.is_typeddict(annotation):
            return []  # a typed view of a free-form object
        if origin is not dict:
            return [f"{where}: {_label(annotation)} stands for an object"]
        values = option.get("additionalProperties", True)
        if values is True or not arguments:
            return []
        return _mismatches(arguments[1], values, f"{where}{{}}")
    if _JSON_TYPES.get(kind) is annotation:
        return []
    return [f"{where}: {_label(annotation)} stands for {option}"]


def _mismatches(annotation: Any, schema: dict[str, Any], where: str) -> list[str]:
    """Why a client field's type does not fit the API's schema of it (nothing if it does)."""
    if annotation is Any:
        return []
    ours, we_allow_none = _members(annotation)
    theirs, they_allow_null = _options(schema)
    problems = []
    if we_allow_none != they_allow_null:
        problems.append(f"{where}: the API {'allows' if they_allow_null else 'never sends'} "
                        f"null, the client type is {annotation}")
    for member in ours:
        if all(_fits(member, option, where) for option in theirs):
            problems.append(f"{where}: {_label(member)} fits none of the API's {theirs}")
    for option in theirs:
        if all(_fits(member, option, where) for member in ours):
            problems.append(f"{where}: the API's {option} fits none of the client's {ours}")
    return problems


def _drift(client_type: type, schema_name: str) -> list[str]:
    """Every way the fields of ``client_type`` differ from schema ``schema_name``."""
    schema = SCHEMAS[schema_name]
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    problems = []
    for field, annotation in typing.get_type_hints(client_type).items():
        where = f"{client_type.__name__}.{field}"
        if field not in properties:
            problems.append(f"{where}: {schema_name} has no field {field!r}")
            continue
        if (field in client_type.__required_keys__) != (field in required):
            problems.append(f"{where}: " + (f"{schema_name} always has it, make it required"
                                            if field in required else
                                            f"{schema_name} may leave it out, mark it NotRequired"))
        problems += _mismatches(annotation, properties[field], where)
    return problems


def _at(location: tuple[str, ...]) -> dict[str, Any]:
    node: Any = DOCUMENT
    for key in location:
        node = node[key]
    return node


def test_every_client_type_has_its_place_in_the_document() -> None:
    declared = {value for value in vars(client_types).values() if typing.is_typeddict(value)}
    assert declared - MATCHING_SCHEMA.keys() - FREE_FORM.keys() == set()
    assert set(MATCHING_SCHEMA.values()) <= SCHEMAS.keys()


@pytest.mark.parametrize("client_type", MATCHING_SCHEMA, ids=lambda type_: type_.__name__)
def test_client_types_match_their_schemas(client_type: type) -> None:
    assert _drift(client_type, MATCHING_SCHEMA[client_type]) == []


@pytest.mark.parametrize("client_type", FREE_FORM, ids=lambda type_: type_.__name__)
def test_free_form_answers_are_untyped_in_the_document(client_type: type) -> None:
    schema = _at(FREE_FORM[client_type])
    assert "$ref" not in json.dumps(schema), "the API now has a schema for this: match it"
    shape = schema["items"] if schema.get("type") == "array" else schema
    assert shape.get("type") == "object"
    values = shape.get("additionalProperties", True)
    if values is not True:
        problems = [problem
                    for field, annotation in typing.get_type_hints(client_type).items()
                    for problem in _mismatches(annotation, values,
                                               f"{client_type.__name__}.{field}")]
        assert problems == []


def test_a_drifting_type_is_caught() -> None:
    drifted = typing.TypedDict("Drifted", {
        "task": str | None,  # the API always sends a task
        "size": float,  # an integer in the API
        "sha256": typing.NotRequired[str],  # always there
        "colour": str,  # no such field
    })
    problems = _drift(drifted, "ModelVersionPublic")
    assert [problem.split(":")[0] for problem in problems] == [
        "Drifted.task", "Drifted.size", "Drifted.size", "Drifted.sha256", "Drifted.colour"]
