"""Who may call a service: its own key, or any live user token, checked through a short cache.

The cache holds positive and negative answers for ``ttl_s`` seconds, keyed by the token's
hash, so the database is asked at most once per token per TTL (and a revoked token stops
working within that time). The service key is compared in memory and never cached.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from daas.errors import Unauthenticated, Unavailable
from daas.store.db import Database
from daas.store.tables import ApiToken
from daas.store.tokens import hash_token

#: The caller name recorded for requests made with the service's own key.
SERVICE_KEY_CALLER = "service-key"
CACHE_TTL_S = 10.0
_MAX_CACHED = 10_000

#: Token hash -> the token's name, or ``None`` when it is unknown or revoked.
TokenLookup = Callable[[str], str | None]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or ``None``."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def user_token_lookup(db: Database) -> TokenLookup:
    """Look a token hash up among the platform's active (not revoked) API tokens."""

    def lookup(token_hash: str) -> str | None:
        try:
            with db.read() as session:
                return session.exec(select(ApiToken.name).where(
                    ApiToken.token_hash == token_hash, col(ApiToken.revoked).is_(None))).first()
        except SQLAlchemyError as exc:
            raise Unavailable("cannot check the token: the database is not available") from exc

    return lookup


class CallerAuth:
    """Checks bearer tokens against the service key and the platform's user tokens."""

    def __init__(self, key_hash: str, lookup: TokenLookup, *, ttl_s: float = CACHE_TTL_S,
                 clock: Callable[[], float] = time.monotonic,
                 max_entries: int = _MAX_CACHED) -> None:
        self._key_hash = key_hash
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._clock = clock
        self._max_entries = max_entries
        self._cache: dict[str, tuple[str | None, float]] = {}
        self._pending: dict[str, asyncio.Future[str | None]] = {}

    async def authenticate(self, authorization: str | None) -> str:
        """The caller's name for an ``Authorization`` header value, or ``Unauthenticated``."""
        token = bearer_token(authorization)
        if token is None:
            raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <token>'")
        token_hash = hash_token(token)
        if hmac.compare_digest(token_hash, self._key_hash):
            return SERVICE_KEY_CALLER
        cached = self._cache.get(token_hash)
        if cached is not None and cached[1] > self._clock():
            caller = cached[0]
        else:
            caller = await self._look_up_once(token_hash)
        if caller is None:
            raise Unauthenticated("invalid or revoked token")
        return caller

    async def _look_up_once(self, token_hash: str) -> str | None:
        """One database query per token at a time, however many requests carry it."""
        pending = self._pending.get(token_hash)
        if pending is None:
            pending = asyncio.ensure_future(self._look_up(token_hash))
            self._pending[token_hash] = pending
            pending.add_done_callback(lambda _done: self._pending.pop(token_hash, None))
        return await asyncio.shield(pending)

    async def _look_up(self, token_hash: str) -> str | None:
        caller = await asyncio.to_thread(self._lookup, token_hash)
        self._remember(token_hash, caller)
        return caller

    def _remember(self, token_hash: str, caller: str | None) -> None:
        now = self._clock()
        self._cache.pop(token_hash, None)
        if len(self._cache) >= self._max_entries:
            self._cache = {key: entry for key, entry in self._cache.items() if entry[1] > now}
            while len(self._cache) >= self._max_entries:
                del self._cache[next(iter(self._cache))]
        self._cache[token_hash] = (caller, now + self._ttl_s)
