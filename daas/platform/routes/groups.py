"""Groups (projects) and their members, and the permission table.

Anyone may create a group (they manage it); seeing a group needs read on it; renaming,
deleting and sharing it need manage (``access.policy``). Platform admins manage every group.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from daas.platform.access.policy import Action, GroupRef, check, rules_table
from daas.platform.access.schemas import (
    GroupCreate,
    GroupPublic,
    GroupRename,
    MemberPublic,
    MemberSet,
    PermissionTable,
)
from daas.platform.deps import Audit, Caller, Groups
from daas.store.tables import PERMISSIONS

router = APIRouter(prefix="/api/v1", tags=["groups"])

GroupPath = Annotated[str, Path(min_length=1, max_length=64, description="Group name")]
UserPath = Annotated[str, Path(min_length=1, max_length=64, description="User name")]


def _group(group: GroupPath, groups: Groups) -> GroupRef:
    return groups.ref(group)


#: The group a ``/groups/{group}/...`` path names (404 when unknown); checks nothing.
PathGroup = Annotated[GroupRef, Depends(_group)]


@router.get("/permissions", response_model=PermissionTable, tags=["auth"],
            summary="What each action needs")
def permissions(_principal: Caller) -> PermissionTable:
    """For each action, the permission it needs on one's own objects and on other members'."""
    return PermissionTable.model_validate({"rules": rules_table(), "permissions": list(PERMISSIONS)})


@router.post("/groups", status_code=201, response_model=GroupPublic, summary="Create a group")
def create_group(body: GroupCreate, principal: Caller, groups: Groups, audit: Audit) -> GroupPublic:
    """A new group; the caller manages it. Names are unique across the platform."""
    created = groups.create(body.name, principal)
    audit.record(principal, groups.ref(created.name), "create", "group", created.name)
    return created


@router.get("/groups", response_model=list[GroupPublic], summary="List groups")
def list_groups(principal: Caller, groups: Groups) -> list[GroupPublic]:
    """The caller's groups with their permission in each; every group for platform admins."""
    return groups.visible(principal)


@router.get("/groups/{group}", response_model=GroupPublic, summary="Show a group")
def get_group(group: PathGroup, principal: Caller, groups: Groups) -> GroupPublic:
    """A group and the caller's permission in it (needs read)."""
    check(principal, group, Action.READ)
    return groups.get(group, principal)


@router.patch("/groups/{group}", response_model=GroupPublic, summary="Rename a group")
def rename_group(group: PathGroup, body: GroupRename, principal: Caller, groups: Groups,
                 audit: Audit) -> GroupPublic:
    """Give a group a new name (needs manage); its objects stay in it."""
    check(principal, group, Action.MANAGE)
    renamed = groups.rename(group, body.name, principal)
    if renamed.name != group.name:
        audit.record(principal, group, "rename", "group", renamed.name, previous=group.name)
    return renamed


@router.delete("/groups/{group}", status_code=204, summary="Delete an empty group")
def delete_group(group: PathGroup, principal: Caller, groups: Groups, audit: Audit) -> Response:
    """Delete a group that holds nothing (needs manage); 409 says how many models, services,
    datasets and jobs remain. Personal groups and ``default`` are never deleted. Its audit
    entries move to the platform's log."""
    check(principal, group, Action.MANAGE)
    groups.delete(group)
    audit.record(principal, None, "delete", "group", group.name)
    return Response(status_code=204)


@router.get("/groups/{group}/members", response_model=list[MemberPublic], summary="List members")
def list_members(group: PathGroup, principal: Caller, groups: Groups) -> list[MemberPublic]:
    """Who is in a group, with which permission (needs read)."""
    check(principal, group, Action.READ)
    return groups.members(group)


@router.put("/groups/{group}/members/{user}", response_model=MemberPublic,
            summary="Share a group with a user")
def set_member(group: PathGroup, user: UserPath, body: MemberSet, principal: Caller,
               groups: Groups, audit: Audit) -> MemberPublic:
    """Give a user read, change or manage in a group, or change it (needs manage). It takes
    effect on their next call. The last manager cannot be downgraded (409)."""
    check(principal, group, Action.MANAGE)
    member, previous = groups.set_member(group, user, body.permission, principal)
    if previous != body.permission:
        audit.record(principal, group, "share", "group", group.name, user=member.user,
                     permission=body.permission, previous=previous)
    return member


@router.delete("/groups/{group}/members/{user}", status_code=204,
               summary="Take a user out of a group")
def remove_member(group: PathGroup, user: UserPath, principal: Caller, groups: Groups,
                  audit: Audit) -> Response:
    """Unshare a group (needs manage); the user's next call on it gets 403. The last manager
    cannot be removed (409)."""
    check(principal, group, Action.MANAGE)
    previous = groups.remove_member(group, user)
    audit.record(principal, group, "unshare", "group", group.name, user=user, previous=previous)
    return Response(status_code=204)
