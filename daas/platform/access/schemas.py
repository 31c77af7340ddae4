"""The API's public shapes of users, groups, members, the audit log and the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlmodel import Field, SQLModel

#: A group permission as the API takes it.
Permission = Literal["read", "change", "manage"]
#: Kinds of object the audit log names.
AuditKind = Literal["model", "service", "dataset", "job", "run", "group", "user", "token"]
#: Acts the audit log records.
AuditAction = Literal[
    "create", "upload", "deploy", "update", "scale", "rollback", "pause", "resume", "delete",
    "restart", "rotate_key", "run", "stop", "share", "unshare", "rename", "token_created",
    "token_revoked", "user_created", "user_changed",
]


class UserCreate(SQLModel):
    """Body of ``POST /api/v1/users``."""

    name: str = Field(min_length=1, max_length=64,
                      description="Letters, digits, '.', '_' or '-'; also the personal group's name")
    display_name: str | None = Field(default=None, max_length=128)
    platform_admin: bool = False
    code_execution: bool = Field(default=False, description="May run own code (script jobs)")


class UserUpdate(SQLModel):
    """Body of ``PATCH /api/v1/users/{name}``: only the fields sent change.

    A user may change their own ``display_name`` and ``default_group``; the rest needs a
    platform admin. Users are never deleted: ``disabled: true`` refuses every token of theirs.
    """

    display_name: str | None = Field(default=None, max_length=128)
    disabled: bool | None = None
    platform_admin: bool | None = None
    code_execution: bool | None = None
    default_group: str | None = Field(default=None, min_length=1, max_length=64,
                                      description="A group the user is a member of")


class UserPublic(SQLModel):
    """A user as the API shows it."""

    name: str
    display_name: str | None
    created: datetime
    disabled: datetime | None = Field(description="When the user was disabled; null = active")
    platform_admin: bool
    code_execution: bool
    default_group: str | None


class GroupCreate(SQLModel):
    """Body of ``POST /api/v1/groups``."""

    name: str = Field(min_length=1, max_length=64)


class GroupRename(SQLModel):
    """Body of ``PATCH /api/v1/groups/{group}``: the new name."""

    name: str = Field(min_length=1, max_length=64)


class GroupPublic(SQLModel):
    """A group, with the caller's permission in it (platform admins: manage)."""

    name: str
    personal: bool = Field(description="A user's personal group (cannot be deleted)")
    personal_of: str | None = Field(default=None, description="Whose personal group it is")
    permission: Permission | None
    created: datetime
    created_by: str | None


class MemberSet(SQLModel):
    """Body of ``PUT /api/v1/groups/{group}/members/{user}``."""

    permission: Permission


class MemberPublic(SQLModel):
    """A member of a group and their permission."""

    user: str
    display_name: str | None
    permission: Permission
    added: datetime
    added_by: str | None


class Membership(SQLModel):
    """One group of the caller, in ``/api/v1/auth/me``."""

    name: str
    permission: Permission
    personal: bool


class Me(SQLModel):
    """Who the bearer token belongs to, their default group and their groups."""

    name: str
    display_name: str | None
    token: str = Field(description="The name of the token used")
    platform_admin: bool
    code_execution: bool
    default_group: str | None
    groups: list[Membership]


class ActionRule(SQLModel):
    """The permission an action needs on one's own objects and on other members'."""

    own: Permission
    other: Permission


class PermissionTable(SQLModel):
    """Response of ``/api/v1/permissions``: what each action needs, and the permissions."""

    rules: dict[str, ActionRule]
    permissions: list[Permission]


class AuditEntry(SQLModel):
    """One act of the audit log."""

    id: int
    created: datetime
    group: str | None = Field(description="The group acted in; null for user and token acts")
    actor: str
    action: str
    kind: str
    name: str
    details: dict[str, Any]
