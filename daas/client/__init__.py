"""A small typed HTTP client for the DaaS-Deployer REST API.

Every failed call raises a :mod:`daas.errors` type, rebuilt from the API's JSON error
body, so callers handle one hierarchy whether the error happened here or on the server.
Pass ``http=`` to reuse a configured :class:`httpx.Client` (a Starlette ``TestClient``
bound to the FastAPI app works too).

:class:`DaasClient` gathers one client per resource (``daas.client.models``, ``.services``,
...), all built on the plumbing of :mod:`daas.client.transport`; the answers' shapes are in
:mod:`daas.client.types`.
"""

from __future__ import annotations

from daas.client.datasets import DatasetsClient
from daas.client.errors import PlatformUnreachable
from daas.client.groups import GroupsClient
from daas.client.health import HealthClient
from daas.client.jobs import SETTLED_RUN_STATES, JobsClient, RunFailed
from daas.client.me import MeClient
from daas.client.models import ModelsClient
from daas.client.predictions import PredictionsClient, prediction_body
from daas.client.services import ServiceFailed, ServicesClient
from daas.client.tokens import TokensClient
from daas.client.transport import DEFAULT_URL
from daas.client.types import (
    AuditEntry,
    Dataset,
    DatasetColumn,
    DatasetPage,
    DatasetPreview,
    Group,
    GroupMember,
    Interval,
    Job,
    JobDetail,
    Me,
    Membership,
    Model,
    ModelDetail,
    ModelPage,
    ModelSchema,
    ModelVersion,
    NewService,
    NewToken,
    Permissions,
    PredictionRequest,
    ProgressCallback,
    Replica,
    ReplicaLogs,
    Run,
    RunLogs,
    RunSummary,
    Service,
    ServiceEvent,
    ServiceLogs,
    ServiceMetrics,
    ServiceSpec,
    SubmissionLog,
    TokenInfo,
    User,
    Variable,
)
from daas.client.users import UsersClient


class DaasClient(HealthClient, MeClient, ModelsClient, TokensClient, UsersClient, GroupsClient,
                 ServicesClient, PredictionsClient, DatasetsClient, JobsClient):
    """Talks to one DaaS-Deployer platform with one API token.

    ``DaasClient(url, token, group=None)``: ``group`` is where object calls act unless a call
    names its own ``group=`` (default: the caller's default group, chosen by the server).
    """


__all__ = [
    "DEFAULT_URL", "SETTLED_RUN_STATES", "AuditEntry", "DaasClient", "Dataset",
    "DatasetColumn", "DatasetPage", "DatasetPreview", "Group", "GroupMember", "Interval", "Job",
    "JobDetail", "Me", "Membership", "Model", "ModelDetail", "ModelPage", "ModelSchema",
    "ModelVersion", "NewService", "NewToken", "Permissions", "PlatformUnreachable",
    "PredictionRequest", "ProgressCallback", "Replica", "ReplicaLogs", "Run", "RunFailed",
    "RunLogs", "RunSummary", "Service", "ServiceEvent", "ServiceFailed", "ServiceLogs",
    "ServiceMetrics", "ServiceSpec", "SubmissionLog", "TokenInfo", "User", "Variable",
    "prediction_body",
]
