"""Bearer tokens with roles viewer < editor < admin. Only token hashes are stored."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from daas.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from daas.store.db import Database
from daas.store.tables import ApiToken, utcnow
from daas.store.tokens import hash_token, new_secret

ROLES = ("viewer", "editor", "admin")
_LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name and role."""

    token_id: int
    name: str
    role: str

    def allows(self, role: str) -> bool:
        """Whether this principal's role includes ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


def check_role(role: str) -> str:
    """Validate a role name."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}", field="role")
    return role


class TokenService:
    """Creates, verifies, lists and revokes tokens."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._last_touch: dict[int, float] = {}
        self._lock = threading.Lock()

    def create(self, name: str, role: str, created_by: str | None = None) -> tuple[ApiToken, str]:
        """Store a new token; returns the row and the secret (shown once)."""
        check_role(role)
        secret = new_secret()
        row = ApiToken(name=name, role=role, token_hash=hash_token(secret), created_by=created_by)
        with self.db.write() as session:
            session.add(row)
        return row, secret

    def authenticate(self, secret: str | None) -> Principal:
        """The principal for a bearer secret, or ``Unauthenticated``."""
        if not secret:
            raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'")
        with self.db.read() as session:
            row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
        if row is None or row.revoked is not None:
            raise Unauthenticated("invalid or revoked token")
        self._touch(row.id)
        return Principal(row.id, row.name, row.role)

    def list(self) -> list[ApiToken]:
        """Every token, revoked ones included, oldest first."""
        with self.db.read() as session:
            return list(session.exec(select(ApiToken).order_by(ApiToken.id)))

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
        """Make sure the token in ``path`` is a live admin token; create it on first start."""
        if path.exists():
            secret = path.read_text().strip()
            try:
                if self.authenticate(secret).role == "admin":
                    return secret
            except Unauthenticated:
                pass
        _row, secret = self.create("admin", "admin", created_by="bootstrap")
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret + "\n")
        os.replace(temporary, path)
        return secret

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


def require(principal: Principal, role: str) -> Principal:
    """Raise ``Forbidden`` unless ``principal`` holds ``role``."""
    if not principal.allows(role):
        raise Forbidden(f"this action needs the {role} role; token '{principal.name}' is {principal.role}")
    return principal
