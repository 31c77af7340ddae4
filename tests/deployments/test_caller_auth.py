"""Service callers: the service key, or a live token of a user who may read the service's group;
answers cached for at most 1 s."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from daas.deployments.caller_auth import (
    SERVICE_KEY_CALLER,
    CallerAuth,
    bearer_token,
    service_key_check,
    user_token_lookup,
)
from daas.errors import Forbidden, Unauthenticated
from daas.platform.tokens.service import TokenService
from daas.store.tables import ApiToken, GroupMember, Service, User
from daas.store.tokens import hash_token, new_secret
from tests.conftest import both_backends
from tests.deployments.fakes import SERVICE_KEY, default_group_id, run, user_token

pytestmark = both_backends


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(database):
    return database


@pytest.fixture
def lookups(db):
    """The real database lookup, counting its calls."""
    add_service(db)
    return counting(user_token_lookup(db, "adder"))


def make_auth(lookup, clock=None, key_check=None) -> CallerAuth:
    """A CallerAuth with the default TTL: the tests below prove its 1 s guarantee."""
    return CallerAuth(hash_token(SERVICE_KEY), lookup, key_check=key_check, clock=clock or Clock())


def counting(check):
    """``check``, recording each call in ``.calls``."""
    calls: list[str] = []

    def counted(value: str):
        calls.append(value)
        return check(value)

    counted.calls = calls
    return counted


def add_service(db, name: str = "adder") -> None:
    with db.write() as session:
        session.add(Service(group_id=default_group_id(db), name=name, model_name="m", model_version=1, spec={},
                            key_hash=hash_token(SERVICE_KEY)))


def rotate_key(db, name: str = "adder") -> None:
    """What ``ServiceManager.rotate_key`` writes: a new key hash on the service's row."""
    with db.write() as session:
        row = session.exec(select(Service).where(Service.name == name)).one()
        row.key_hash = hash_token(new_secret())
        session.add(row)



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
    clock.now += 0.9
    assert run(auth.authenticate(f"Bearer {secret}")) == "alice"
    assert len(lookups.calls) == 1
    clock.now += 0.1
    assert run(auth.authenticate(f"bearer {secret}")) == "alice"
    assert len(lookups.calls) == 2


def test_revoked_token_is_refused_within_one_second(db, lookups):
    token_id, secret = user_token(db)
    clock = Clock()
    auth = make_auth(lookups, clock)
    assert run(auth.authenticate(f"Bearer {secret}")) == "alice"
    clock.now += 0.5
    TokenService(db).revoke(token_id)
    assert run(auth.authenticate(f"Bearer {secret}")) == "alice"  # the cached answer, 0.5 s old
    clock.now += 0.5
    with pytest.raises(Unauthenticated, match="invalid, expired or revoked"):
        run(auth.authenticate(f"Bearer {secret}"))


def test_an_answer_lives_one_ttl_from_when_its_read_started(db):
    """A slow database read does not stretch the time a revoked token keeps working."""
    _, secret = user_token(db)
    clock = Clock()
    add_service(db)
    lookup = user_token_lookup(db, "adder")

    def slow_lookup(token_hash: str):
        clock.now += 0.8
        return lookup(token_hash)

    auth = make_auth(counting(slow_lookup), clock)
    run(auth.authenticate(f"Bearer {secret}"))
    clock.now += 0.2
    run(auth.authenticate(f"Bearer {secret}"))
    assert len(auth._lookup.calls) == 2


def test_rotated_service_key_is_refused_within_one_second(db):
    add_service(db)
    clock = Clock()
    checks = counting(service_key_check(db, "adder"))
    auth = make_auth(lambda _h: None, clock, key_check=checks)
    for _ in range(3):
        assert run(auth.authenticate(f"Bearer {SERVICE_KEY}")) == SERVICE_KEY_CALLER
    assert len(checks.calls) == 1  # one read per TTL, not per request
    rotate_key(db)
    clock.now += 0.5
    assert run(auth.authenticate(f"Bearer {SERVICE_KEY}")) == SERVICE_KEY_CALLER
    clock.now += 0.5
    with pytest.raises(Unauthenticated, match="invalid, expired or revoked"):
        run(auth.authenticate(f"Bearer {SERVICE_KEY}"))


def test_service_key_check_needs_the_current_key_of_that_service(db):
    add_service(db)
    check = service_key_check(db, "adder")
    assert check(hash_token(SERVICE_KEY))
    assert not check(hash_token("another-key"))
    assert service_key_check(db, "gone")(hash_token(SERVICE_KEY))  # being deleted: row gone
    rotate_key(db)
    assert not check(hash_token(SERVICE_KEY))



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
    auth = CallerAuth("0" * 64, lambda _h: None, clock=clock, max_entries=5)

    async def many():
        for index in range(20):
            with pytest.raises(Unauthenticated):
                await auth.authenticate(f"Bearer token-{index}")

    run(many())
    assert len(auth._cache) <= 5


def test_a_user_outside_the_services_group_is_forbidden_naming_the_permission(db, lookups):
    _, secret = user_token(db, name="stranger", permission=None)
    with pytest.raises(Forbidden, match="read permission") as refused:
        run(make_auth(lookups).authenticate(f"Bearer {secret}"))
    assert refused.value.details == {"permission": "read"}


def test_unsharing_the_group_refuses_the_member_within_one_second(db, lookups):
    _, secret = user_token(db, name="bob", permission="read")
    clock = Clock()
    auth = make_auth(lookups, clock)
    assert run(auth.authenticate(f"Bearer {secret}")) == "bob"
    with db.write() as session:
        user = session.exec(select(User).where(User.name == "bob")).one()
        session.delete(session.exec(select(GroupMember).where(GroupMember.user_id == user.id)).one())
    clock.now += 1.0
    with pytest.raises(Forbidden):
        run(auth.authenticate(f"Bearer {secret}"))


@pytest.mark.parametrize("change", ["expired", "disabled"])
def test_expired_tokens_and_disabled_users_are_refused(db, lookups, change):
    token_id, secret = user_token(db, name="carol")
    with db.write() as session:
        if change == "expired":
            token = session.get(ApiToken, token_id)
            token.expires = datetime.now(timezone.utc) - timedelta(seconds=1)
            session.add(token)
        else:
            user = session.exec(select(User).where(User.name == "carol")).one()
            user.disabled = datetime.now(timezone.utc)
            session.add(user)
    with pytest.raises(Unauthenticated):
        run(make_auth(lookups).authenticate(f"Bearer {secret}"))
