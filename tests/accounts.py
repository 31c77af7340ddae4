"""Test helper: users with group memberships and a token, written straight to the database.

For tests of other features that need a second user; the users/groups API has tests of its own.
"""

from __future__ import annotations

from sqlmodel import select

from daas.store.tables import Group, GroupMember, User


def add_user(container, name: str, groups: dict[str, str] | None = None, *,
             platform_admin: bool = False, code_execution: bool = False,
             default_group: str | None = None) -> str:
    """Create user ``name`` with ``{group: permission}`` (groups made when missing); its token.

    The default group is ``default_group``, else the first group named, else ``default``.
    """
    groups = dict(groups or {})
    with container.db.write() as session:
        ids = {}
        for group_name in {*groups, default_group or "default"}:
            group = session.exec(select(Group).where(Group.name == group_name)).first()
            if group is None:
                group = Group(name=group_name, created_by="test")
                session.add(group)
                session.flush()
            ids[group_name] = group.id
        first = default_group or next(iter(groups), "default")
        user = User(name=name, platform_admin=platform_admin, code_execution=code_execution,
                    default_group_id=ids[first])
        session.add(user)
        session.flush()
        for group_name, permission in groups.items():
            session.add(GroupMember(group_id=ids[group_name], user_id=user.id, permission=permission))
        user_id = user.id
    _row, secret = container.tokens.create(user_id, f"{name}-token", created_by="test")
    return secret


def set_permission(container, name: str, group: str, permission: str | None) -> None:
    """Share (``permission``) or unshare (None) ``group`` with user ``name``."""
    with container.db.write() as session:
        user = session.exec(select(User).where(User.name == name)).one()
        group_row = session.exec(select(Group).where(Group.name == group)).one()
        member = session.exec(select(GroupMember).where(
            GroupMember.group_id == group_row.id, GroupMember.user_id == user.id)).first()
        if permission is None:
            if member is not None:
                session.delete(member)
        elif member is None:
            session.add(GroupMember(group_id=group_row.id, user_id=user.id, permission=permission))
        else:
            member.permission = permission
            session.add(member)


def group_id(container, name: str = "default") -> int:
    """The id of group ``name``, for rows a test writes straight to the database."""
    with container.db.read() as session:
        return session.exec(select(Group.id).where(Group.name == name)).one()


def api_user(admin, name: str, **fields) -> str:
    """Create user ``name`` through the API as platform admin ``admin`` (a TestClient); the
    secret of a first token of theirs."""
    created = admin.post("/api/v1/users", json={"name": name, **fields})
    assert created.status_code == 201, created.text
    issued = admin.post(f"/api/v1/users/{name}/tokens", json={"name": f"{name}-first"})
    assert issued.status_code == 201, issued.text
    return issued.json()["token"]
