"""Groups: lookups by name and id; create, rename and delete; members and their permissions.

Routes check the caller's permission (``policy.check``) and record the audit entry; this
module keeps the rules of the data: names are unique platform-wide, a group keeps at least
one manager, a personal group keeps its user as a manager and is never deleted, and a group
is deleted only when it holds nothing.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from daas.errors import BadRequest, Conflict, NotFound
from daas.platform.access.policy import Action, GroupRef, Principal, check
from daas.platform.access.schemas import GroupPublic, MemberPublic
from daas.platform.registry.registry import check_name
from daas.platform.tokens.service import DEFAULT_GROUP
from daas.store.db import Database
from daas.store.tables import AuditEvent, Dataset, Group, GroupMember, Job, JobRun, Model, Service, User

#: What a group may still hold, as the 409 of a delete names it.
_CONTENTS = (("models", Model), ("services", Service), ("datasets", Dataset), ("jobs", Job))


def group_row(session: Session, name: str) -> Group:
    """The group named ``name``; ``NotFound`` otherwise."""
    row = session.exec(select(Group).where(Group.name == name)).first()
    if row is None:
        raise NotFound(f"no group named {name!r}")
    return row


def user_row(session: Session, name: str) -> User:
    """The user named ``name``; ``NotFound`` otherwise."""
    row = session.exec(select(User).where(User.name == name)).first()
    if row is None:
        raise NotFound(f"no user named {name!r}")
    return row


def free_group_name(session: Session, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3`` ... whichever no group has yet."""
    candidate, n = wanted, 1
    while session.exec(select(Group.id).where(Group.name == candidate)).first() is not None:
        n += 1
        suffix = f"-{n}"
        candidate = wanted[:64 - len(suffix)] + suffix
    return candidate


def add_personal_group(session: Session, user: User, created_by: str | None) -> Group:
    """Create ``user``'s personal group (named after them), make them its manager and make it
    their default group. ``user`` must have been flushed (it needs its id)."""
    group = Group(name=free_group_name(session, user.name), personal_of=user.id,
                  created_by=created_by)
    session.add(group)
    session.flush()
    session.add(GroupMember(group_id=group.id, user_id=user.id, permission="manage",
                            added_by=created_by))
    user.default_group_id = group.id
    session.add(user)
    return group


class GroupService:
    """Finds, creates, renames and deletes groups, and keeps their members."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def ref(self, name: str) -> GroupRef:
        """The group named ``name``; ``NotFound`` otherwise."""
        with self.db.read() as session:
            row = group_row(session, name)
        return GroupRef(row.id, row.name)

    def scope(self, principal: Principal, name: str | None) -> GroupRef:
        """The group a call acts in: group ``name``, or the caller's default group."""
        if name is None:
            if principal.default_group is None:
                raise BadRequest(f"user {principal.name!r} has no default group: pass ?group=<name>")
            return principal.default_group
        return self.ref(name)

    def names(self, ids: set[int] | None = None) -> dict[int, str]:
        """Group id -> name, of ``ids`` (or of every group)."""
        query = select(Group.id, Group.name)
        if ids is not None:
            query = query.where(col(Group.id).in_(ids))
        with self.db.read() as session:
            return dict(session.exec(query).all())

    def readable(self, principal: Principal, name: str | None) -> set[int] | None:
        """The group ids a list shows: group ``name`` (403 unless the caller may read it), or
        without a name every group the caller may read (None: every group)."""
        if name is None:
            return principal.readable_groups()
        group = self.ref(name)
        check(principal, group, Action.READ)
        return {group.id}

    # --- groups ---------------------------------------------------------------------

    def create(self, name: str, principal: Principal) -> GroupPublic:
        """A new group managed by the caller; 409 when the name is taken."""
        check_name(name, "group name")
        with self.db.write() as session:
            if session.exec(select(Group.id).where(Group.name == name)).first() is not None:
                raise Conflict(f"a group named {name!r} already exists", details={"field": "name"})
            group = Group(name=name, created_by=principal.name)
            session.add(group)
            session.flush()
            session.add(GroupMember(group_id=group.id, user_id=principal.user_id,
                                    permission="manage", added_by=principal.name))
        return self._public(group, "manage", None)

    def visible(self, principal: Principal) -> list[GroupPublic]:
        """The caller's groups with their permission in each; every group for platform admins."""
        query = select(Group).order_by(Group.name)
        if not principal.platform_admin:
            query = query.where(col(Group.id).in_(set(principal.memberships)))
        with self.db.read() as session:
            rows = list(session.exec(query))
            owners = self._owner_names(session, rows)
        return [self._public(row, principal.permission_in(row.id), owners.get(row.personal_of))
                for row in rows]

    def get(self, group: GroupRef, principal: Principal) -> GroupPublic:
        """One group as the caller sees it."""
        with self.db.read() as session:
            row = self._row(session, group)
            owners = self._owner_names(session, [row])
        return self._public(row, principal.permission_in(row.id), owners.get(row.personal_of))

    def rename(self, group: GroupRef, new_name: str, principal: Principal) -> GroupPublic:
        """Give a group a new name; its objects refer to it by id, so they stay in it."""
        check_name(new_name, "group name")
        with self.db.write() as session:
            row = self._row(session, group)
            if row.name == DEFAULT_GROUP:
                raise Conflict(f"group {DEFAULT_GROUP!r} cannot be renamed: the bootstrap admin "
                               "and legacy role tokens use it")
            if new_name != row.name and session.exec(
                    select(Group.id).where(Group.name == new_name)).first() is not None:
                raise Conflict(f"a group named {new_name!r} already exists", details={"field": "name"})
            row.name = new_name
            session.add(row)
            owners = self._owner_names(session, [row])
        return self._public(row, principal.permission_in(row.id), owners.get(row.personal_of))

    def delete(self, group: GroupRef) -> None:
        """Delete an empty group (409 naming how many of each kind of object remain).

        A personal group and the ``default`` group are never deleted. Members go with the
        group; users whose default group it was fall back to their personal group; its audit
        entries stay, as platform-level entries (``/api/v1/audit``).
        """
        with self.db.write() as session:
            row = self._row(session, group)
            if row.personal_of is not None:
                raise Conflict(f"group {row.name!r} is a user's personal group and cannot be deleted")
            if row.name == DEFAULT_GROUP:
                raise Conflict(f"group {DEFAULT_GROUP!r} is the platform's default group and "
                               "cannot be deleted")
            left = {label: session.exec(select(func.count()).select_from(table)
                                        .where(table.group_id == row.id)).one()
                    for label, table in _CONTENTS}
            if any(left.values()):
                what = ", ".join(f"{count} {label}" for label, count in left.items() if count)
                raise Conflict(f"group {row.name!r} still holds {what}: delete them first",
                               details=left)
            for run in session.exec(select(JobRun).where(JobRun.group_id == row.id)):
                session.delete(run)
            for member in session.exec(select(GroupMember).where(GroupMember.group_id == row.id)):
                session.delete(member)
            for event in session.exec(select(AuditEvent).where(AuditEvent.group_id == row.id)):
                event.group_id = None  # a later group may get the same id: keep them apart
                session.add(event)
            self._fall_back(session, row.id, None)
            session.flush()
            session.delete(row)

    # --- members --------------------------------------------------------------------

    def members(self, group: GroupRef) -> list[MemberPublic]:
        """Who is in a group, with which permission, by user name."""
        with self.db.read() as session:
            rows = session.exec(
                select(GroupMember, User).join(User, col(User.id) == GroupMember.user_id)
                .where(GroupMember.group_id == group.id).order_by(User.name)).all()
        return [self._member(member, user) for member, user in rows]

    def set_member(self, group: GroupRef, user_name: str, permission: str,
                   principal: Principal) -> tuple[MemberPublic, str | None]:
        """Share the group with a user, or change their permission; returns the member and
        the permission they held before (None when new). 409 when the change would leave the
        group without a manager, or take manage from the user of a personal group."""
        with self.db.write() as session:
            row = self._row(session, group)
            user = user_row(session, user_name)
            member = self._membership(session, row.id, user.id)
            previous = member.permission if member else None
            if previous == "manage" and permission != "manage":
                self._keep_manager(session, row, user, "lose manage on")
            if member is None:
                member = GroupMember(group_id=row.id, user_id=user.id, permission=permission,
                                     added_by=principal.name)
            member.permission = permission
            session.add(member)
        return self._member(member, user), previous

    def remove_member(self, group: GroupRef, user_name: str) -> str:
        """Take a user out of a group; returns the permission they held. 404 when they are not
        a member; 409 for the last manager and for the user of a personal group."""
        with self.db.write() as session:
            row = self._row(session, group)
            user = user_row(session, user_name)
            member = self._membership(session, row.id, user.id)
            if member is None:
                raise NotFound(f"user {user_name!r} is not a member of group {row.name!r}")
            if member.permission == "manage":
                self._keep_manager(session, row, user, "be removed from")
            elif row.personal_of == user.id:
                raise Conflict(f"user {user.name!r} cannot be removed from their personal group")
            session.delete(member)
            session.flush()
            self._fall_back(session, row.id, user.id)
            return member.permission

    # --- helpers --------------------------------------------------------------------

    @staticmethod
    def _row(session: Session, group: GroupRef) -> Group:
        row = session.get(Group, group.id)
        if row is None:
            raise NotFound(f"no group named {group.name!r}")
        return row

    @staticmethod
    def _membership(session: Session, group_id: int, user_id: int) -> GroupMember | None:
        return session.exec(select(GroupMember).where(
            GroupMember.group_id == group_id, GroupMember.user_id == user_id)).first()

    @staticmethod
    def _keep_manager(session: Session, group: Group, user: User, change: str) -> None:
        """409 unless ``user`` may stop managing ``group``."""
        if group.personal_of == user.id:
            raise Conflict(f"user {user.name!r} cannot {change} their personal group "
                           f"{group.name!r}: it always keeps them as a manager")
        managers = session.exec(select(func.count()).select_from(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.permission == "manage")).one()
        if managers <= 1:
            raise Conflict(f"user {user.name!r} is the last manager of group {group.name!r} and "
                           f"cannot {change} it: make another member a manager first")

    @staticmethod
    def _fall_back(session: Session, group_id: int, user_id: int | None) -> None:
        """Users (one, or all) whose default group was ``group_id`` default to their personal
        group instead (or to none)."""
        query = select(User).where(User.default_group_id == group_id)
        if user_id is not None:
            query = query.where(User.id == user_id)
        for user in session.exec(query).all():
            personal = session.exec(select(Group.id).where(
                Group.personal_of == user.id, Group.id != group_id)).first()
            user.default_group_id = personal
            session.add(user)

    @staticmethod
    def _owner_names(session: Session, rows: list[Group]) -> dict[int, str]:
        ids = {row.personal_of for row in rows if row.personal_of is not None}
        if not ids:
            return {}
        return dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all())

    @staticmethod
    def _public(row: Group, permission: str | None, owner: str | None) -> GroupPublic:
        return GroupPublic(name=row.name, personal=row.personal_of is not None, personal_of=owner,
                           permission=permission, created=row.created, created_by=row.created_by)

    @staticmethod
    def _member(member: GroupMember, user: User) -> MemberPublic:
        return MemberPublic(user=user.name, display_name=user.display_name,
                            permission=member.permission, added=member.added,
                            added_by=member.added_by)
