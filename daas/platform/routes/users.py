"""Users and their tokens, and who the caller is.

Platform admins create, list and change users and manage anyone's tokens; every user sees
themselves, changes their own display name and default group, and manages their own tokens.
``me`` in a path stands for the caller. Users are disabled, never deleted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from daas.errors import Conflict, InvalidInput, NotFound
from daas.platform.access.schemas import Me, UserCreate, UserPublic, UserUpdate
from daas.platform.access.users import ME, UserService
from daas.platform.deps import Audit, Caller, Db, PlatformAdmin, PositiveId, Tokens
from daas.platform.tokens.schemas import TokenCreated, TokenPublic, UserTokenCreate
from daas.platform.tokens.service import expiry, public

router = APIRouter(prefix="/api/v1", tags=["users"])


async def _users(db: Db) -> UserService:
    return UserService(db)


Users = Annotated[UserService, Depends(_users)]
UserName = Annotated[str, Path(min_length=1, max_length=64,
                               description=f"User name; {ME!r} for the caller")]


@router.get("/auth/me", response_model=Me, tags=["auth"], summary="Who the caller is")
def me(principal: Caller, users: Users) -> Me:
    """The caller's user, token, default group, and each of their groups with their permission."""
    return users.me(principal)


@router.post("/users", status_code=201, response_model=UserPublic, summary="Create a user")
def create_user(body: UserCreate, principal: PlatformAdmin, users: Users, audit: Audit) -> UserPublic:
    """A new user with a personal group named after them, their default group, which they
    manage. Give them a token with ``POST /api/v1/users/{name}/tokens``."""
    user = users.create(body, created_by=principal.name)
    audit.record(principal, None, "user_created", "user", user.name,
                 platform_admin=user.platform_admin, code_execution=user.code_execution,
                 group=user.default_group)
    return user


@router.get("/users", response_model=list[UserPublic], summary="List users")
def list_users(_principal: PlatformAdmin, users: Users) -> list[UserPublic]:
    """Every user, disabled ones included."""
    return users.list()


@router.get("/users/{name}", response_model=UserPublic, summary="Show a user")
def get_user(name: UserName, principal: Caller, users: Users) -> UserPublic:
    """A user: yourself (``me``), or anyone for platform admins."""
    return users.get(users.resolve(name, principal, "seeing another user"))


@router.patch("/users/{name}", response_model=UserPublic, summary="Change a user")
def update_user(name: UserName, body: UserUpdate, principal: Caller, users: Users,
                audit: Audit) -> UserPublic:
    """Change the fields sent. Anyone may change their own display name and default group
    (to a group they are a member of); the rest needs a platform admin. ``disabled: true``
    refuses every token of the user at once; users are never deleted."""
    target = principal.name if name == ME else name
    user, changed = users.update(target, body, principal)
    if changed:
        audit.record(principal, None, "user_changed", "user", user.name, **changed)
    return user


@router.get("/users/{name}/tokens", response_model=list[TokenPublic], summary="List a user's tokens")
def list_user_tokens(name: UserName, principal: Caller, users: Users,
                     tokens: Tokens) -> list[TokenPublic]:
    """Your own tokens (``me``), or any user's for platform admins; revoked ones included,
    never their secrets."""
    target = users.resolve(name, principal, "seeing another user's tokens")
    return tokens.listed(users.user_id(target))


@router.post("/users/{name}/tokens", status_code=201, response_model=TokenCreated,
             summary="Issue a token")
def create_user_token(name: UserName, body: UserTokenCreate, principal: Caller, users: Users,
                      tokens: Tokens, audit: Audit) -> TokenCreated:
    """A new token of yourself (``me``), or of any user for platform admins, optionally
    expiring (``expires_in_days`` or a future ``expires``). The secret is shown this once."""
    target = users.resolve(name, principal, "issuing another user's tokens")
    expires = expiry(body.expires_in_days, body.expires)
    user = users.get(target)
    if user.disabled is not None:
        raise Conflict(f"user {target!r} is disabled: enable them before issuing tokens")
    label = body.name.strip()
    if not label:
        raise InvalidInput("a token's name must not be blank", field="name")
    row, secret = tokens.create(users.user_id(target), label, expires=expires,
                                created_by=principal.name)
    audit.record(principal, None, "token_created", "token", row.name, user=target, id=row.id,
                 expires=expires.isoformat() if expires else None)
    return TokenCreated(**public(row, target).model_dump(), token=secret)


@router.delete("/users/{name}/tokens/{token_id}", status_code=204, summary="Revoke a token")
def revoke_user_token(name: UserName, token_id: PositiveId, principal: Caller, users: Users,
                      tokens: Tokens, audit: Audit) -> Response:
    """Revoke one of your own tokens (``me``), or any user's for platform admins; requests
    with it fail with 401 from now on."""
    target = users.resolve(name, principal, "revoking another user's tokens")
    row, owner = tokens.get(token_id)
    if owner != target:
        raise NotFound(f"user {target!r} has no token with id {token_id}")
    if row.revoked is None:
        tokens.revoke(token_id)
        audit.record(principal, None, "token_revoked", "token", row.name, user=owner, id=token_id)
    return Response(status_code=204)
