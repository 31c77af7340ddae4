"""Bearer tokens of users: create, authenticate (user, memberships), list, revoke.

Only token hashes are stored. A token is refused once revoked, expired, or its user disabled.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import select

from daas.errors import InvalidInput, NotFound, Unauthenticated
from daas.platform.access.policy import GroupRef, Principal
from daas.platform.tokens.schemas import TokenPublic
from daas.store.db import Database
from daas.store.tables import ApiToken, Group, GroupMember, User, utcnow
from daas.store.tokens import hash_token, new_secret

_LAST_USED_EVERY = timedelta(minutes=1)
#: The longest a token may be made to live.
MAX_LIFETIME = timedelta(days=3650)
#: The group every platform has; the bootstrap admin and migrated users default to it.
DEFAULT_GROUP = "default"


class TokenService:
    """Creates, verifies, lists and revokes tokens."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._last_touch: dict[int, float] = {}
        self._lock = threading.Lock()

    def create(self, user_id: int, name: str, expires: datetime | None = None,
               created_by: str | None = None) -> tuple[ApiToken, str]:
        """Store a new token of a user; returns the row and the secret (shown once)."""
        secret = new_secret()
        row = ApiToken(user_id=user_id, name=name, token_hash=hash_token(secret),
                       expires=expires, created_by=created_by)
        with self.db.write() as session:
            if session.get(User, user_id) is None:
                raise NotFound(f"no user with id {user_id}")
            session.add(row)
        return row, secret

    def authenticate(self, secret: str | None) -> Principal:
        """The principal for a bearer secret, with the user's memberships as of now."""
        if not secret:
            raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'")
        with self.db.read() as session:
            row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
            if row is None or row.revoked is not None:
                raise Unauthenticated("invalid or revoked token")
            if row.expires is not None and _aware(row.expires) <= utcnow():
                raise Unauthenticated(f"token {row.name!r} expired at {_aware(row.expires).isoformat()}")
            user = session.get(User, row.user_id)
            if user is None or user.disabled is not None:
                raise Unauthenticated("the token's user is disabled")
            memberships = dict(session.exec(select(GroupMember.group_id, GroupMember.permission)
                                            .where(GroupMember.user_id == user.id)).all())
            default = session.get(Group, user.default_group_id) if user.default_group_id else None
        self._touch(row.id)
        return Principal(user_id=user.id, name=user.name, token_id=row.id, token_name=row.name,
                         platform_admin=user.platform_admin, code_execution=user.code_execution,
                         default_group=GroupRef(default.id, default.name) if default else None,
                         memberships=memberships)

    def list(self, user_id: int | None = None) -> list[ApiToken]:
        """Tokens of one user (or of everyone), revoked ones included, oldest first."""
        query = select(ApiToken).order_by(ApiToken.id)
        if user_id is not None:
            query = query.where(ApiToken.user_id == user_id)
        with self.db.read() as session:
            return list(session.exec(query))

    def listed(self, user_id: int | None = None) -> list[TokenPublic]:
        """Tokens as the API lists them, each with its user's name (never a secret)."""
        query = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if user_id is not None:
            query = query.where(ApiToken.user_id == user_id)
        with self.db.read() as session:
            return [public(row, user) for row, user in session.exec(query).all()]

    def get(self, token_id: int) -> tuple[ApiToken, str]:
        """A token and its user's name; ``NotFound`` otherwise."""
        with self.db.read() as session:
            found = session.exec(select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
                                 .where(ApiToken.id == token_id)).first()
        if found is None:
            raise NotFound(f"no token with id {token_id}")
        return found[0], found[1]

    def revoke(self, token_id: int) -> ApiToken:
        """Revoke a token; it stops working at once."""
        with self.db.write() as session:
            row = session.get(ApiToken, token_id)
            if row is None:
                raise NotFound(f"no token with id {token_id}")
            if row.revoked is None:
                row.revoked = utcnow()
                session.add(row)
        return row

    def ensure_admin_token(self, path: Path) -> str:
        """Make sure the token in ``path`` is a live token of a platform admin.

        On first start this creates user ``admin`` (platform admin, manager of group
        ``default``, which is its default group) and a token for it.
        """
        if path.exists():
            secret = path.read_text().strip()
            try:
                if self.authenticate(secret).platform_admin:
                    return secret
            except Unauthenticated:
                pass
        _row, secret = self.create(self._admin_user_id(), "admin", created_by="bootstrap")
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret + "\n")
        os.replace(temporary, path)
        return secret

    def _admin_user_id(self) -> int:
        """User ``admin``, created (or re-enabled as platform admin) when needed."""
        with self.db.write() as session:
            group = session.exec(select(Group).where(Group.name == DEFAULT_GROUP)).first()
            if group is None:
                group = Group(name=DEFAULT_GROUP, created_by="bootstrap")
                session.add(group)
                session.flush()
            user = session.exec(select(User).where(User.name == "admin")).first()
            if user is None:
                user = User(name="admin", display_name="Administrator", default_group_id=group.id)
            user.platform_admin = user.code_execution = True
            user.disabled = None
            session.add(user)
            session.flush()
            member = session.exec(select(GroupMember).where(
                GroupMember.group_id == group.id, GroupMember.user_id == user.id)).first()
            if member is None:
                session.add(GroupMember(group_id=group.id, user_id=user.id, permission="manage",
                                        added_by="bootstrap"))
            return user.id

    def _touch(self, token_id: int) -> None:
        """Record use, at most once a minute per token, to keep reads cheap."""
        now = time.monotonic()
        with self._lock:
            if now - self._last_touch.get(token_id, -1e9) < _LAST_USED_EVERY.total_seconds():
                return
            self._last_touch[token_id] = now
        with self.db.write() as session:
            row = session.get(ApiToken, token_id)
            if row is not None:
                row.last_used = utcnow()
                session.add(row)


def public(row: ApiToken, user: str) -> TokenPublic:
    """A token row as the API shows it."""
    return TokenPublic(id=row.id, name=row.name, user=user, created=row.created,
                       created_by=row.created_by, expires=row.expires, last_used=row.last_used,
                       revoked=row.revoked)


def expiry(expires_in_days: int | None, expires: datetime | None) -> datetime | None:
    """When a new token expires (UTC): in so many days, at a given future moment, or never.

    A moment in the past, or further than ``MAX_LIFETIME`` ahead, or both ways at once, is
    ``InvalidInput`` naming the field.
    """
    now = utcnow()
    if expires_in_days is not None and expires is not None:
        raise InvalidInput("give expires_in_days or expires, not both", field="expires")
    if expires_in_days is not None:
        return now + timedelta(days=expires_in_days)
    if expires is None:
        return None
    try:
        moment = _aware(expires).astimezone(timezone.utc)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-14:00 is past the last datetime in UTC
        raise InvalidInput(f"expires {expires.isoformat()} is out of range", field="expires") from None
    if moment <= now:
        raise InvalidInput(f"expires must be in the future, not {moment.isoformat()}", field="expires")
    if moment > now + MAX_LIFETIME:
        raise InvalidInput(f"expires may be at most {MAX_LIFETIME.days} days ahead", field="expires")
    return moment


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
