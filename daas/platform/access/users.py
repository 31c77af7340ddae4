"""Users: create (with their personal group), list, show, change, and the caller's own view.

Users are never deleted, since their names stay in ``created_by`` columns and the audit log:
``disabled`` refuses every token of theirs at once (and can be undone).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from daas.errors import Conflict, InvalidInput
from daas.platform.access.groups import add_personal_group, group_row, user_row
from daas.platform.access.policy import Principal, require_platform_admin
from daas.platform.access.schemas import Me, Membership, UserCreate, UserPublic, UserUpdate
from daas.platform.registry.registry import check_name
from daas.platform.tokens.service import DEFAULT_GROUP
from daas.store.db import Database
from daas.store.tables import Group, GroupMember, User, utcnow

#: Stands for the caller in ``/api/v1/users/{name}/...``; no user may be named so.
ME = "me"
#: What users may change of themselves; anything else needs a platform admin.
SELF_SERVICE = frozenset({"display_name", "default_group"})
_PERMISSION_OF_ROLE = {"viewer": "read", "editor": "change", "admin": "manage"}


def check_user_name(name: str) -> str:
    """The rule of model names, and never ``me``."""
    check_name(name, "user name")
    if name.lower() == ME:
        raise InvalidInput(f"{name!r} is reserved (it stands for the caller in paths)", field="name")
    return name


class UserService:
    """Creates, lists and changes users."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def resolve(self, name: str, principal: Principal, what: str) -> str:
        """The user a path names (``me``: the caller); another user's needs a platform admin."""
        if name == ME or name == principal.name:
            return principal.name
        require_platform_admin(principal, what)
        return name

    def create(self, body: UserCreate, created_by: str) -> UserPublic:
        """A new user with a personal group named after them (``-2``, ``-3`` ... when that
        name is taken), which they manage and which is their default group."""
        check_user_name(body.name)
        with self.db.write() as session:
            self._refuse_taken(session, body.name)
            user = User(name=body.name, display_name=body.display_name,
                        platform_admin=body.platform_admin, code_execution=body.code_execution)
            session.add(user)
            session.flush()
            add_personal_group(session, user, created_by)
            session.flush()
            return self._public(session, user)

    def create_in_default(self, name: str, role: str, created_by: str) -> int:
        """The legacy way: user ``name`` in group ``default`` with a role's permission (admin
        also becomes platform admin); ``default`` is their default group. Returns the id."""
        check_user_name(name)
        with self.db.write() as session:
            self._refuse_taken(session, name)
            group = session.exec(select(Group).where(Group.name == DEFAULT_GROUP)).first()
            if group is None:
                group = Group(name=DEFAULT_GROUP, created_by=created_by)
                session.add(group)
                session.flush()
            admin = role == "admin"
            user = User(name=name, platform_admin=admin, code_execution=admin,
                        default_group_id=group.id)
            session.add(user)
            session.flush()
            session.add(GroupMember(group_id=group.id, user_id=user.id,
                                    permission=_PERMISSION_OF_ROLE[role], added_by=created_by))
            return user.id

    def list(self) -> list[UserPublic]:
        """Every user, by name."""
        with self.db.read() as session:
            names = dict(session.exec(select(Group.id, Group.name)).all())
            return [self._public(session, user, names)
                    for user in session.exec(select(User).order_by(User.name))]

    def get(self, name: str) -> UserPublic:
        """One user; ``NotFound`` otherwise."""
        with self.db.read() as session:
            return self._public(session, user_row(session, name))

    def user_id(self, name: str) -> int:
        """The id of user ``name``; ``NotFound`` otherwise."""
        with self.db.read() as session:
            return user_row(session, name).id

    def update(self, name: str, body: UserUpdate,
               principal: Principal) -> tuple[UserPublic, dict[str, Any]]:
        """Apply the fields sent; returns the user and what changed (for the audit log).

        A user may change their own display name and default group; anything else, or any
        other user, needs a platform admin. The default group must be one the user is a member
        of (platform admins: any group). The last active platform admin stays one (409).
        """
        sent = body.model_dump(exclude_unset=True)
        sent = {key: value for key, value in sent.items() if value is not None or key == "display_name"}
        if name != principal.name:
            require_platform_admin(principal, "changing another user")
        elif not SELF_SERVICE.issuperset(sent):
            fields = ", ".join(sorted(set(sent) - SELF_SERVICE))
            require_platform_admin(principal, f"changing your own {fields}")
        with self.db.write() as session:
            user = user_row(session, name)
            changed = self._apply(session, user, sent)
            session.add(user)
            session.flush()
            return self._public(session, user), changed

    def me(self, principal: Principal) -> Me:
        """The caller with their groups, as ``/api/v1/auth/me`` shows them."""
        with self.db.read() as session:
            user = session.get(User, principal.user_id)
            rows = session.exec(
                select(Group, GroupMember.permission)
                .join(GroupMember, col(GroupMember.group_id) == Group.id)
                .where(GroupMember.user_id == principal.user_id).order_by(Group.name)).all()
        groups = [Membership(name=group.name, permission=permission,
                             personal=group.personal_of is not None) for group, permission in rows]
        return Me(name=principal.name, display_name=user.display_name if user else None,
                  token=principal.token_name, platform_admin=principal.platform_admin,
                  code_execution=principal.code_execution,
                  default_group=principal.default_group.name if principal.default_group else None,
                  groups=groups)

    # --- helpers --------------------------------------------------------------------

    @staticmethod
    def _refuse_taken(session: Session, name: str) -> None:
        if session.exec(select(User.id).where(User.name == name)).first() is not None:
            raise Conflict(f"a user named {name!r} already exists", details={"field": "name"})

    def _apply(self, session: Session, user: User, sent: dict[str, Any]) -> dict[str, Any]:
        """Set the fields of ``sent`` that differ; returns them as the API names them."""
        changed: dict[str, Any] = {}
        if "display_name" in sent and sent["display_name"] != user.display_name:
            user.display_name = changed["display_name"] = sent["display_name"]
        if "default_group" in sent:
            group = group_row(session, sent["default_group"])
            if group.id != user.default_group_id:
                member = session.exec(select(GroupMember.id).where(
                    GroupMember.group_id == group.id, GroupMember.user_id == user.id)).first()
                admin_after = sent.get("platform_admin", user.platform_admin)
                if member is None and not admin_after:
                    raise InvalidInput(f"user {user.name!r} is not a member of group "
                                       f"{group.name!r}", field="default_group")
                user.default_group_id = group.id
                changed["default_group"] = group.name
        losing_admin = (sent.get("platform_admin") is False and user.platform_admin) or \
            (sent.get("disabled") is True and user.platform_admin and user.disabled is None)
        if losing_admin:
            self._keep_an_admin(session, user)
        if "disabled" in sent and sent["disabled"] != (user.disabled is not None):
            user.disabled = utcnow() if sent["disabled"] else None
            changed["disabled"] = sent["disabled"]
        for flag in ("platform_admin", "code_execution"):
            if flag in sent and sent[flag] != getattr(user, flag):
                setattr(user, flag, sent[flag])
                changed[flag] = sent[flag]
        return changed

    @staticmethod
    def _keep_an_admin(session: Session, user: User) -> None:
        others = session.exec(select(func.count()).select_from(User).where(
            User.platform_admin == True,  # noqa: E712  (SQL, not Python truth)
            col(User.disabled).is_(None), User.id != user.id)).one()
        if not others:
            raise Conflict(f"user {user.name!r} is the last active platform admin: make another "
                           "user a platform admin first")

    @staticmethod
    def _public(session: Session, user: User, names: dict[int, str] | None = None) -> UserPublic:
        if names is not None:
            default = names.get(user.default_group_id)
        else:
            group = session.get(Group, user.default_group_id) if user.default_group_id else None
            default = group.name if group else None
        return UserPublic(name=user.name, display_name=user.display_name, created=user.created,
                          disabled=user.disabled, platform_admin=user.platform_admin,
                          code_execution=user.code_execution, default_group=default)

