"""Who may do what in a group: the one permission table every route consults.

A group member holds one permission, each including the one before: ``read`` (see objects,
logs, metrics; test models; call services), ``change`` (also create and redeploy, and stop or
delete what they created themselves), ``manage`` (also stop and delete anything of the
group, rename or delete the group, share it). Platform admins manage every group. Running
one's own code (script jobs) is a separate grant on the user, not a group permission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from daas.errors import Forbidden
from daas.store.tables import PERMISSIONS


class Action(str, Enum):
    """What a caller does to an object of a group."""

    READ = "read"
    CREATE = "create"
    CHANGE = "change"
    STOP = "stop"
    DELETE = "delete"
    MANAGE = "manage"


#: The permission an action needs: (on an object the caller created, on anyone else's).
RULES: dict[Action, tuple[str, str]] = {
    Action.READ: ("read", "read"),
    Action.CREATE: ("change", "change"),
    Action.CHANGE: ("change", "change"),
    Action.STOP: ("change", "manage"),
    Action.DELETE: ("change", "manage"),
    Action.MANAGE: ("manage", "manage"),
}

#: Words for an action in a denial ("deleting needs the manage permission ...").
_VERBS = {
    Action.READ: "seeing it", Action.CREATE: "creating or deploying",
    Action.CHANGE: "changing or redeploying", Action.STOP: "stopping",
    Action.DELETE: "deleting", Action.MANAGE: "managing the group",
}


@dataclass(frozen=True)
class GroupRef:
    """A group as routes and services pass it around."""

    id: int
    name: str


@dataclass(frozen=True)
class Principal:
    """Who is calling, as of this request: the user, the token and the user's memberships."""

    user_id: int
    name: str
    token_id: int
    token_name: str
    platform_admin: bool = False
    code_execution: bool = False
    default_group: GroupRef | None = None
    #: group id -> read, change or manage
    memberships: Mapping[int, str] = field(default_factory=dict)

    def permission_in(self, group_id: int) -> str | None:
        """The caller's permission in a group (platform admins manage every group)."""
        return "manage" if self.platform_admin else self.memberships.get(group_id)

    def readable_groups(self) -> set[int] | None:
        """Ids of the groups whose objects the caller may see; None means every group."""
        return None if self.platform_admin else set(self.memberships)


def includes(held: str | None, needed: str) -> bool:
    """Whether permission ``held`` contains ``needed``."""
    return held is not None and PERMISSIONS.index(held) >= PERMISSIONS.index(needed)


def needed(action: Action, own: bool) -> str:
    """The permission ``action`` needs, on one's own object or on another member's."""
    on_own, on_other = RULES[action]
    return on_own if own else on_other


def allowed(principal: Principal, group_id: int, action: Action, owner: str | None = None) -> bool:
    """Whether ``principal`` may do ``action`` to an object of the group created by ``owner``."""
    own = owner is not None and owner == principal.name
    return includes(principal.permission_in(group_id), needed(action, own))


def check(principal: Principal, group: GroupRef, action: Action, owner: str | None = None) -> None:
    """Raise ``Forbidden`` naming the permission ``action`` needs, unless ``principal`` holds it."""
    if allowed(principal, group.id, action, owner):
        return
    own = owner is not None and owner == principal.name
    need = needed(action, own)
    held = principal.permission_in(group.id)
    whose = "" if owner is None or action in (Action.READ, Action.CREATE) else (
        " (your own)" if own else f" (created by {owner!r})")
    raise Forbidden(
        f"{_VERBS[action]}{whose} needs the {need} permission on group {group.name!r}; "
        f"user {principal.name!r} has {held or 'no access to it'}",
        details={"permission": need, "group": group.name, "action": action.value, "held": held})


def require_platform_admin(principal: Principal, what: str) -> None:
    """Raise ``Forbidden`` unless the caller is a platform admin."""
    if not principal.platform_admin:
        raise Forbidden(f"{what} needs the platform admin permission; user {principal.name!r} "
                        "is not a platform admin", details={"permission": "platform_admin"})


def rules_table() -> dict[str, dict[str, str]]:
    """The table as the UI reads it: action -> permission needed on own / other objects."""
    return {action.value: {"own": own, "other": other} for action, (own, other) in RULES.items()}
