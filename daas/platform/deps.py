"""FastAPI dependencies: one ``Annotated`` type per container member, the caller's identity,
and bounded integer parameters (out of range is 422 naming the parameter, never a 500).

Dependencies that never block are ``async def``: FastAPI runs a plain ``def`` dependency in
its thread pool, and a route with ten of them paid ten thread hand-overs (~8 ms a call).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from daas.platform.access.audit import AuditLog
from daas.platform.access.groups import GroupService
from daas.platform.access.policy import GroupRef, Principal, require_platform_admin
from daas.platform.authenticate_first import GROUP_NAME_LENGTH, PRINCIPAL
from daas.platform.cluster import ClusterView
from daas.platform.container import Container
from daas.platform.datasets.service import DatasetService
from daas.platform.heavy_requests import HeavyRequests
from daas.platform.jobs.service import JobService
from daas.platform.registry.registry import ModelRegistry
from daas.platform.registry.tester import ModelTester
from daas.platform.services.gateway import ServiceGateway
from daas.platform.services.manager import ServiceManager
from daas.platform.services.observability import ServiceObserver
from daas.platform.tokens.service import TokenService
from daas.settings import Settings
from daas.store.db import MAX_DB_INT, Database

_bearer = HTTPBearer(auto_error=False, description="A DaaS token: `Authorization: Bearer daas_...`")


async def get_container(request: Request) -> Container:
    """The container ``create_app`` built; the only reader of ``app.state``."""
    return request.app.state.container


AppContainer = Annotated[Container, Depends(get_container)]


def _member(name: str):
    async def dependency(container: AppContainer):
        return getattr(container, name)

    dependency.__name__ = f"get_{name}"
    return Depends(dependency)


AppSettings = Annotated[Settings, _member("settings")]
Db = Annotated[Database, _member("db")]
Registry = Annotated[ModelRegistry, _member("registry")]
Tester = Annotated[ModelTester, _member("tester")]
Tokens = Annotated[TokenService, _member("tokens")]
Services = Annotated[ServiceManager, _member("services")]
Observer = Annotated[ServiceObserver, _member("observer")]
Gateway = Annotated[ServiceGateway, _member("gateway")]
Cluster = Annotated[ClusterView, _member("cluster")]
Jobs = Annotated[JobService, _member("jobs")]
Datasets = Annotated[DatasetService, _member("datasets")]
Groups = Annotated[GroupService, _member("groups")]
Audit = Annotated[AuditLog, _member("audit")]
LargeRequests = Annotated[HeavyRequests, _member("large_requests")]


async def _bearer_secret(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str | None:
    return credentials.credentials if credentials else None


#: The bearer secret as sent, unchecked (service calls also accept a service's own key).
BearerSecret = Annotated[str | None, Depends(_bearer_secret)]


async def _principal(request: Request, secret: BearerSecret, tokens: Tokens) -> Principal:
    # ``AuthenticateFirst`` has checked the token before the body was read.
    known = getattr(request.state, PRINCIPAL, None)
    return known if known is not None else await run_in_threadpool(tokens.authenticate, secret)


#: Any authenticated user; what they may do is decided per group by ``access.policy``.
Caller = Annotated[Principal, Depends(_principal)]


async def _platform_admin(principal: Caller) -> Principal:
    require_platform_admin(principal, "this action")
    return principal


PlatformAdmin = Annotated[Principal, Depends(_platform_admin)]

#: The ``group`` query parameter every object route takes.
GroupName = Annotated[str | None, Query(
    alias="group", min_length=GROUP_NAME_LENGTH.start, max_length=GROUP_NAME_LENGTH.stop - 1,
    description="Group (project) name; default: the caller's default group")]


def _scope(principal: Caller, groups: Groups, group: GroupName = None) -> GroupRef:
    return groups.scope(principal, group)


#: The group a route acts in: the ``group`` parameter, or the caller's default group.
#: Resolving it checks nothing; routes call ``access.policy.check`` with the action.
Scope = Annotated[GroupRef, Depends(_scope)]


#: A row id in a path (a token, a job, a run): 1 to ``MAX_DB_INT``.
PositiveId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
#: A model version in a path: 1 to ``MAX_DB_INT``.
Version = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="Model version")]
#: An optional model version in the query string; ``None`` means the latest.
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_DB_INT,
                                           description="Version; default the latest")]
#: How many items a page skips: 0 to ``MAX_DB_INT``.
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT, description="Items to skip")]
