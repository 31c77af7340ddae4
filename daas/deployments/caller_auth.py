"""Who may call a service: its own key, or the live token of a user who may read the
service's group (a platform admin, or a member with read or more), checked through a short cache.

The cache holds positive and negative answers for ``ttl_s`` seconds (1 s by default),
keyed by the token's hash, so a replica asks the database at most once per token per TTL,
and a revoked token is refused by every replica within the TTL of its revocation (an
answer's lifetime counts from the moment its database read started). With a ``key_check`` the service's own key
is treated the same way: a rotated key is refused within the TTL, at one read per TTL.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from daas.errors import Forbidden, Unauthenticated, Unavailable
from daas.store.db import Database
from daas.store.tables import ApiToken, GroupMember, Service, User
from daas.store.tokens import hash_token

#: The caller name recorded for requests made with the service's own key.
SERVICE_KEY_CALLER = "service-key"
#: How long a replica trusts a token check: the bound on how late a revocation takes effect.
CACHE_TTL_S = 1.0
_MAX_CACHED = 10_000

#: Token hash -> the caller's name; ``None`` when the token is unknown, revoked or expired or
#: its user disabled; a ``Forbidden`` when the user may not call the service.
TokenLookup = Callable[[str], "str | Forbidden | None"]
#: Service key hash -> whether it is still the service's key.
KeyCheck = Callable[[str], bool]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or ``None``."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def user_token_lookup(db: Database, service: str) -> TokenLookup:
    """Look a token hash up among the live API tokens of enabled users, and check that the
    user may read the group ``service`` belongs to."""

    def lookup(token_hash: str) -> str | Forbidden | None:
        try:
            with db.read() as session:
                found = session.exec(
                    select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(
                        ApiToken.token_hash == token_hash, col(ApiToken.revoked).is_(None),
                        col(User.disabled).is_(None))).first()
                if found is None or _expired(found[0].expires):
                    return None
                user = found[1]
                if user.platform_admin:
                    return user.name
                group_id = session.exec(select(Service.group_id).where(Service.name == service)).first()
                member = session.exec(select(GroupMember.id).where(
                    GroupMember.group_id == group_id, GroupMember.user_id == user.id)).first()
        except SQLAlchemyError as exc:
            raise Unavailable("cannot check the token: the database is not available") from exc
        if member is None:
            return Forbidden(f"calling service {service!r} needs the read permission on its group; "
                             f"user {user.name!r} has no access to it", details={"permission": "read"})
        return user.name

    return lookup


def _expired(expires: datetime | None) -> bool:
    if expires is None:
        return False
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=timezone.utc)
    return expires <= datetime.now(timezone.utc)


def service_key_check(db: Database, service: str) -> KeyCheck:
    """Whether a key hash is still ``service``'s key: false once the key has been rotated.

    A missing row keeps the key valid: the service is being deleted and its replicas go too.
    """

    def check(key_hash: str) -> bool:
        try:
            with db.read() as session:
                current = session.exec(select(Service.key_hash).where(Service.name == service)).first()
        except SQLAlchemyError as exc:
            raise Unavailable("cannot check the service key: the database is not available") from exc
        return current is None or hmac.compare_digest(current, key_hash)

    return check


class CallerAuth:
    """Checks bearer tokens against the service key and the platform's user tokens.

    Without ``key_check`` the key is compared with ``key_hash`` in memory only, so a rotated
    key works until the replica is replaced.
    """

    def __init__(self, key_hash: str, lookup: TokenLookup, *, key_check: KeyCheck | None = None,
                 ttl_s: float = CACHE_TTL_S, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = _MAX_CACHED) -> None:
        self._key_hash = key_hash
        self._lookup = lookup
        self._key_check = key_check
        self._ttl_s = ttl_s
        self._clock = clock
        self._max_entries = max_entries
        self._cache: dict[str, tuple[str | Forbidden | None, float]] = {}
        self._pending: dict[str, asyncio.Future[str | Forbidden | None]] = {}

    def set_key_hash(self, key_hash: str) -> None:
        """Take a rotated service key: the new one works at once, the old one no longer."""
        if key_hash != self._key_hash:
            self._cache.pop(self._key_hash, None)
            self._key_hash = key_hash

    async def authenticate(self, authorization: str | None) -> str:
        """The caller's name for an ``Authorization`` header value, or ``Unauthenticated``."""
        token = bearer_token(authorization)
        if token is None:
            raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'")
        token_hash = hash_token(token)
        is_key = hmac.compare_digest(token_hash, self._key_hash)
        if is_key and self._key_check is None:
            return SERVICE_KEY_CALLER
        cached = self._cache.get(token_hash)
        if cached is not None and cached[1] > self._clock():
            caller = cached[0]
        else:
            caller = await self._look_up_once(token_hash, is_key)
        if caller is None:
            raise Unauthenticated("invalid, expired or revoked token")
        if isinstance(caller, Forbidden):
            raise Forbidden(caller.message, details=caller.details)  # a fresh traceback per call
        return caller

    async def _look_up_once(self, token_hash: str, is_key: bool) -> str | Forbidden | None:
        """One database query per token at a time, however many requests carry it."""
        pending = self._pending.get(token_hash)
        if pending is None:
            pending = asyncio.ensure_future(self._look_up(token_hash, is_key))
            self._pending[token_hash] = pending
            pending.add_done_callback(lambda _done: self._pending.pop(token_hash, None))
        return await asyncio.shield(pending)

    async def _look_up(self, token_hash: str, is_key: bool) -> str | Forbidden | None:
        started = self._clock()
        if is_key:
            current = await asyncio.to_thread(self._key_check, token_hash)
            caller = SERVICE_KEY_CALLER if current else None
        else:
            caller = await asyncio.to_thread(self._lookup, token_hash)
        self._remember(token_hash, caller, started)
        return caller

    def _remember(self, token_hash: str, caller: str | Forbidden | None, started: float) -> None:
        now = self._clock()
        self._cache.pop(token_hash, None)
        if len(self._cache) >= self._max_entries:
            self._cache = {key: entry for key, entry in self._cache.items() if entry[1] > now}
            while len(self._cache) >= self._max_entries:
                del self._cache[next(iter(self._cache))]
        self._cache[token_hash] = (caller, started + self._ttl_s)
