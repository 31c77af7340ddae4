"""Groups (projects): create, list, rename and delete them, share them, read their audit log."""

from __future__ import annotations

from urllib.parse import quote

from daas.client.transport import Transport
from daas.client.types import AuditEntry, Group, GroupMember


def group_path(name: str) -> str:
    """The API path of a group."""
    return f"/api/v1/groups/{quote(name, safe='')}"


def _member_path(group: str, user: str) -> str:
    return f"{group_path(group)}/members/{quote(user, safe='')}"


class GroupsClient(Transport):
    """Groups and their members: who may read, change or manage what a group holds."""

    def create_group(self, name: str) -> Group:
        """Create a group; the caller becomes its manager."""
        return self._json("POST", "/api/v1/groups", json={"name": name})

    def list_groups(self) -> list[Group]:
        """The caller's groups with their permission in each (every group for platform admins)."""
        return self._json("GET", "/api/v1/groups")

    def get_group(self, name: str) -> Group:
        """One group."""
        return self._json("GET", group_path(name))

    def rename_group(self, name: str, new_name: str) -> Group:
        """Give a group a new name (needs manage); its objects move with it."""
        return self._json("PATCH", group_path(name), json={"name": new_name})

    def delete_group(self, name: str) -> None:
        """Delete an empty group (409 naming what is left in it; never a personal group)."""
        self._send("DELETE", group_path(name))

    def group_members(self, name: str) -> list[GroupMember]:
        """Who is in a group, with which permission."""
        return self._json("GET", f"{group_path(name)}/members")

    def share_group(self, name: str, user: str, permission: str) -> GroupMember:
        """Give ``user`` the ``permission`` (read, change or manage) in a group, or change it."""
        return self._json("PUT", _member_path(name, user), json={"permission": permission})

    def unshare_group(self, name: str, user: str) -> None:
        """Take ``user`` out of a group (the last manager cannot be removed)."""
        self._send("DELETE", _member_path(name, user))

    def group_audit(self, name: str, *, kind: str | None = None, action: str | None = None,
                    offset: int = 0, limit: int | None = None) -> list[AuditEntry]:
        """What was done in a group, newest first, optionally one kind of object or action."""
        params = {"kind": kind, "action": action, "offset": offset, "limit": limit}
        return self._json("GET", f"{group_path(name)}/audit", params=params)

    def audit(self, *, kind: str | None = None, action: str | None = None, offset: int = 0,
              limit: int | None = None) -> list[AuditEntry]:
        """The whole platform's audit log, users and tokens included (platform admins)."""
        params = {"kind": kind, "action": action, "offset": offset, "limit": limit}
        return self._json("GET", "/api/v1/audit", params=params)
