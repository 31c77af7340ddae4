"""The audit log: who did what to which object, kept per group."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from daas.platform.access.policy import GroupRef, Principal
from daas.store.db import Database
from daas.store.tables import AuditEvent


class AuditLog:
    """Records acts (create, deploy, scale, pause, delete, share, token created/revoked...)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, principal: Principal | None, group: GroupRef | None, action: str,
               kind: str, name: str, /, **details: Any) -> None:
        """Add one entry; ``group`` None for platform-level acts (users, tokens)."""
        with self.db.write() as session:
            session.add(AuditEvent(group_id=group.id if group else None,
                                   actor=principal.name if principal else "platform",
                                   action=action, object_kind=kind, object_name=str(name)[:128],
                                   details=details))

    def entries(self, group_ids: set[int] | None, *, include_platform: bool = False,
                kind: str | None = None, action: str | None = None,
                offset: int = 0, limit: int = 100) -> list[AuditEvent]:
        """Newest first; ``group_ids`` None means every group."""
        query = select(AuditEvent)
        if group_ids is not None:
            scope = col(AuditEvent.group_id).in_(group_ids)
            query = query.where(scope | col(AuditEvent.group_id).is_(None)) if include_platform \
                else query.where(scope)
        elif not include_platform:
            query = query.where(col(AuditEvent.group_id).is_not(None))
        if kind:
            query = query.where(AuditEvent.object_kind == kind)
        if action:
            query = query.where(AuditEvent.action == action)
        query = query.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
        with self.db.read() as session:
            return list(session.exec(query))
