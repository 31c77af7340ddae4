"""The audit log: a group's (read on it) and the whole platform's (platform admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from daas.platform.access.policy import Action, check
from daas.platform.access.schemas import AuditAction, AuditEntry, AuditKind
from daas.platform.deps import Audit, Caller, Groups, Offset, PlatformAdmin
from daas.platform.routes.groups import PathGroup
from daas.store.tables import AuditEvent

router = APIRouter(prefix="/api/v1", tags=["audit"])

KindQuery = Annotated[AuditKind | None, Query(description="Only acts on this kind of object")]
ActionQuery = Annotated[AuditAction | None, Query(description="Only this act")]
Limit = Annotated[int, Query(ge=1, le=500, description="Most entries to return")]


@router.get("/groups/{group}/audit", response_model=list[AuditEntry], summary="A group's audit log")
def group_audit(group: PathGroup, principal: Caller, audit: Audit, kind: KindQuery = None,
                action: ActionQuery = None, offset: Offset = 0, limit: Limit = 100) -> list[AuditEntry]:
    """What was done in a group and by whom, newest first (needs read on the group)."""
    check(principal, group, Action.READ)
    rows = audit.entries({group.id}, kind=kind, action=action, offset=offset, limit=limit)
    return [_entry(row, {group.id: group.name}) for row in rows]


@router.get("/audit", response_model=list[AuditEntry], summary="The platform's audit log")
def platform_audit(_principal: PlatformAdmin, audit: Audit, groups: Groups,
                   kind: KindQuery = None, action: ActionQuery = None, offset: Offset = 0,
                   limit: Limit = 100) -> list[AuditEntry]:
    """Every act in every group, and acts on users and tokens, newest first (platform admins)."""
    rows = audit.entries(None, include_platform=True, kind=kind, action=action, offset=offset,
                         limit=limit)
    names = groups.names({row.group_id for row in rows if row.group_id is not None})
    return [_entry(row, names) for row in rows]


def _entry(row: AuditEvent, names: dict[int, str]) -> AuditEntry:
    """A stored event as the API shows it; the group of a deleted group is null."""
    return AuditEntry(id=row.id, created=row.created,
                      group=names.get(row.group_id) if row.group_id is not None else None,
                      actor=row.actor, action=row.action, kind=row.object_kind,
                      name=row.object_name, details=row.details or {})
