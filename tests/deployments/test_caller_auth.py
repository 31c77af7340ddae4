"""Service callers: the service key or an active user token, answers cached for a while."""

from __future__ import annotations

import pytest

from daas.deployments.caller_auth import (
    SERVICE_KEY_CALLER,
    CallerAuth,
    bearer_token,
    user_token_lookup,
)
from daas.errors import Unauthenticated
from daas.platform.tokens.service import TokenService
from daas.store.tokens import hash_token
from tests.deployments.fakes import SERVICE_KEY, run, temporary_database, user_token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path):
    return temporary_database(tmp_path)


@pytest.fixture
def lookups(db):
    """The real database lookup, counting its calls."""
    lookup = user_token_lookup(db)
    calls: list[str] = []

    def counted(token_hash: str):
        calls.append(token_hash)
        return lookup(token_hash)

    counted.calls = calls
    return counted


def make_auth(lookup, clock=None) -> CallerAuth:
    return CallerAuth(hash_token(SERVICE_KEY), lookup, ttl_s=10, clock=clock or Clock())


def test_service_key_is_accepted_without_the_database(lookups):
    auth = make_auth(lookups)
    assert run(auth.authenticate(f"Bearer {SERVICE_KEY}")) == SERVICE_KEY_CALLER
    assert lookups.calls == []


def test_user_token_is_accepted_and_looked_up_once_per_ttl(db, lookups):
    _, secret = user_token(db, name="alice")
    clock = Clock()
    auth = make_auth(lookups, clock)

    async def three_calls():
        return [await auth.authenticate(f"Bearer {secret}") for _ in range(3)]

    assert run(three_calls()) == ["alice"] * 3
    assert len(lookups.calls) == 1
    clock.now += 11
    assert run(auth.authenticate(f"bearer {secret}")) == "alice"
    assert len(lookups.calls) == 2


def test_revoked_token_is_refused_once_the_cached_answer_expires(db, lookups):
    token_id, secret = user_token(db)
    clock = Clock()
    auth = make_auth(lookups, clock)
    assert run(auth.authenticate(f"Bearer {secret}")) == "alice"
    TokenService(db).revoke(token_id)
    clock.now += 5
    assert run(auth.authenticate(f"Bearer {secret}")) == "alice"  # still within the TTL
    clock.now += 6
    with pytest.raises(Unauthenticated, match="invalid or revoked"):
        run(auth.authenticate(f"Bearer {secret}"))


def test_unknown_tokens_are_cached_too(lookups):
    auth = make_auth(lookups)

    async def twice():
        for _ in range(2):
            with pytest.raises(Unauthenticated):
                await auth.authenticate("Bearer daas_unknown")

    run(twice())
    assert len(lookups.calls) == 1


def test_concurrent_misses_share_one_lookup(db, lookups):
    import asyncio

    _, secret = user_token(db)
    auth = make_auth(lookups)

    async def many():
        return await asyncio.gather(*(auth.authenticate(f"Bearer {secret}") for _ in range(20)))

    assert run(many()) == ["alice"] * 20
    assert len(lookups.calls) == 1


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic abc", "token"])
def test_missing_token_is_unauthenticated(lookups, header):
    with pytest.raises(Unauthenticated, match="missing bearer token"):
        run(make_auth(lookups).authenticate(header))
    assert lookups.calls == []


def test_bearer_token_parsing():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("  bearer   abc ") == "abc"
    assert bearer_token("Basic abc") is None


def test_cache_size_is_bounded():
    clock = Clock()
    auth = CallerAuth("0" * 64, lambda _h: None, ttl_s=10, clock=clock, max_entries=5)

    async def many():
        for index in range(20):
            with pytest.raises(Unauthenticated):
                await auth.authenticate(f"Bearer token-{index}")

    run(many())
    assert len(auth._cache) <= 5
