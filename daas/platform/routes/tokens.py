"""Tokens across users (platform admins), and the legacy "token with a role" route.

A user's own tokens live under ``/api/v1/users/{name}/tokens`` (``routes/users.py``).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from daas.platform.access.policy import require_platform_admin
from daas.platform.access.users import UserService
from daas.platform.deps import Audit, Caller, Db, PlatformAdmin, PositiveId, Tokens
from daas.platform.tokens.schemas import LegacyTokenCreated, TokenCreate, TokenPublic
from daas.platform.tokens.service import DEFAULT_GROUP, public

router = APIRouter(prefix="/api/v1", tags=["tokens"])


@router.post("/tokens", status_code=201, response_model=LegacyTokenCreated,
             summary="Create a user with a role's permission, and its token (legacy)")
def create_token(body: TokenCreate, principal: PlatformAdmin, db: Db, tokens: Tokens,
                 audit: Audit) -> LegacyTokenCreated:
    """Kept for scripts written before users and groups: creates user ``name`` as a member of
    group ``default`` (viewer: read, editor: change, admin: manage and platform admin), its
    default group, and a first token named like it. 409 when the user exists. The secret is
    returned only in this response."""
    user_id = UserService(db).create_in_default(body.name, body.role, created_by=principal.name)
    audit.record(principal, None, "user_created", "user", body.name, role=body.role,
                 member_of=DEFAULT_GROUP, platform_admin=body.role == "admin")
    row, secret = tokens.create(user_id, body.name, created_by=principal.name)
    audit.record(principal, None, "token_created", "token", row.name, user=body.name, id=row.id,
                 expires=None)
    return LegacyTokenCreated(**public(row, body.name).model_dump(), token=secret, role=body.role)


@router.get("/tokens", response_model=list[TokenPublic], summary="List every token")
def list_tokens(_principal: PlatformAdmin, tokens: Tokens) -> list[TokenPublic]:
    """Every token of every user with its user, revoked ones included (never their secrets)."""
    return tokens.listed()


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a token")
def revoke_token(token_id: PositiveId, principal: Caller, tokens: Tokens, audit: Audit) -> Response:
    """Revoke any token (platform admins) or one of your own; requests with it fail with 401
    from now on."""
    row, owner = tokens.get(token_id)
    if owner != principal.name:
        require_platform_admin(principal, "revoking another user's token")
    if row.revoked is None:
        tokens.revoke(token_id)
        audit.record(principal, None, "token_revoked", "token", row.name, user=owner, id=token_id)
    return Response(status_code=204)
