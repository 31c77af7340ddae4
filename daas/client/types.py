"""The shapes of the REST API's answers, as the client returns them.

Each mirrors a schema of the API's OpenAPI document (``ui/openapi.json``): a key the document
requires is required here, a key it may leave out is ``NotRequired``, and ``| None`` stands
exactly where the document allows ``null``. ``tests/client/test_client_types.py`` keeps them
in step. The few answers the document declares only as "a JSON object" are typed from what
the platform sends.
"""

# No ``from __future__ import annotations``: Python 3.11 only sees ``NotRequired`` in
# evaluated annotations.
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict

#: Called while a file is sent, with (bytes sent so far, total bytes).
ProgressCallback = Callable[[int, int], None]


# -- the caller, users, groups --------------------------------------------------------------

class Membership(TypedDict):
    """A group as the caller sees it in ``/auth/me``: its name and their permission."""

    name: str
    permission: str
    personal: bool


class Me(TypedDict):
    name: str
    display_name: str | None
    platform_admin: bool
    code_execution: bool
    default_group: str | None
    groups: list[Membership]


class Permissions(TypedDict):
    """The permission table: action -> permission needed on own / other objects."""

    rules: dict[str, dict[str, str]]
    permissions: list[str]


class User(TypedDict):
    name: str
    display_name: str | None
    created: str
    disabled: str | None
    platform_admin: bool
    code_execution: bool
    default_group: str | None


class Group(TypedDict):
    name: str
    personal: bool
    permission: str | None
    created: str
    created_by: str | None


class GroupMember(TypedDict):
    user: str
    display_name: str | None
    permission: str
    added: str
    added_by: str | None


class AuditEntry(TypedDict):
    id: int
    created: str
    group: str | None
    actor: str
    action: str
    kind: str
    name: str
    details: dict[str, Any]


# -- models --------------------------------------------------------------------------------

class ModelVersion(TypedDict):
    name: str
    version: int
    group: str
    description: str | None
    format: str
    engine: str
    algorithm: str
    task: str
    filename: str | None
    size: int
    sha256: str
    created: str
    created_by: str | None


class Model(TypedDict):
    name: str
    description: str | None
    group: str
    created: str
    updated: str
    created_by: str | None
    latest_version: int
    format: str
    task: str
    algorithm: str
    versions_count: int


class ModelDetail(Model):
    versions: list[ModelVersion]


class ModelPage(TypedDict):
    items: list[Model]
    total: int
    offset: int
    limit: int


class Interval(TypedDict):
    closure: NotRequired[str]
    left: NotRequired[float | None]
    right: NotRequired[float | None]


class Variable(TypedDict):
    name: str
    dtype: str
    optype: NotRequired[str | None]
    shape: NotRequired[list[int | None] | None]
    values: NotRequired[list[str] | None]
    intervals: NotRequired[list[Interval] | None]
    required: NotRequired[bool]
    feature: NotRequired[str | None]
    value: NotRequired[str | None]
    description: NotRequired[str | None]


class ModelSchema(TypedDict):
    format: str
    engine: str
    task: str
    algorithm: str
    model_element: NotRequired[str | None]
    format_version: NotRequired[str | None]
    producer: NotRequired[str | None]
    description: NotRequired[str | None]
    inputs: list[Variable]
    targets: NotRequired[list[Variable]]
    outputs: NotRequired[list[Variable]]
    classes: NotRequired[list[str] | None]
    tabular: NotRequired[bool]


# -- tokens --------------------------------------------------------------------------------

class TokenInfo(TypedDict):
    id: int
    name: str
    user: str
    created: str
    created_by: str | None
    expires: str | None
    last_used: str | None
    revoked: str | None


class NewToken(TokenInfo):
    token: str


# -- services ------------------------------------------------------------------------------

class ServiceSpec(TypedDict, total=False):
    replicas: int | None
    autoscaling: dict[str, Any] | None
    num_cpus: float
    memory: int | None
    num_gpus: float
    max_ongoing_requests: int
    max_queued_requests: int
    batching: dict[str, Any] | None
    timeout_s: float


class Service(TypedDict):
    name: str
    url: str
    group: str
    model: str
    version: int
    previous_version: int | None
    state: str
    desired: str
    reason: str | None
    spec: ServiceSpec
    replicas_running: NotRequired[int | None]
    generation: int
    created: str
    updated: str
    created_by: str | None


class NewService(Service):
    api_key: str


class ServiceEvent(TypedDict):
    created: str
    kind: str
    state: str | None
    message: str


class Replica(TypedDict):
    replica_id: str
    actor_id: str | None
    state: str
    node_id: str | None
    node_ip: str | None
    pid: int | None
    started: float | None
    requests: int | None


class ReplicaLogs(TypedDict):
    replica_id: str
    lines: list[str]


class ServiceLogs(TypedDict):
    replicas: list[ReplicaLogs]


class ServiceMetrics(TypedDict):
    window: str
    summary: dict[str, float | int | None]
    series: list[dict[str, Any]]


class PredictionRequest(TypedDict):
    id: str
    service: str
    status: str
    result: Any
    error: dict[str, Any] | None
    created: str
    started: str | None
    finished: str | None


# -- datasets ------------------------------------------------------------------------------

class DatasetColumn(TypedDict):
    name: str
    type: str


class Dataset(TypedDict):
    name: str
    origin_format: str
    group: str
    source: str
    size_bytes: int
    rows: int
    columns: list[DatasetColumn]
    created: str
    created_by: str | None


class DatasetPage(TypedDict):
    items: list[Dataset]
    total: int
    offset: int
    limit: int


class DatasetPreview(TypedDict):
    columns: list[DatasetColumn]
    rows: list[dict[str, Any]]


# -- jobs ----------------------------------------------------------------------------------

class RunSummary(TypedDict):
    id: int
    status: str
    created: str


class Job(TypedDict):
    name: str
    kind: str
    group: str
    config: dict[str, Any]
    schedule: str | None
    timezone: str
    enabled: bool
    allow_overlap: bool
    catch_up: bool
    next_run: str | None
    last_run: NotRequired[RunSummary | None]
    created: str
    updated: str
    created_by: str | None


class JobDetail(Job):
    next_runs: NotRequired[list[str]]


class Run(TypedDict):
    id: int
    job: str
    group: str
    kind: str | None
    status: str
    trigger: str
    created: str
    started: str | None
    ended: str | None
    duration_s: float | None
    rows_done: int
    rows_total: int | None
    progress: float | None
    output_dataset: str | None
    error: str | None
    metrics: dict[str, Any] | None
    submission_id: str | None
    created_by: str | None


class SubmissionLog(TypedDict):
    submission_id: str
    text: str


class RunLogs(TypedDict):
    run_id: int
    logs: list[SubmissionLog]
