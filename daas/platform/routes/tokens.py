"""API tokens: who am I, create, list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response

from daas.platform.deps import Admin, PositiveId, Tokens, Viewer
from daas.platform.tokens.schemas import TokenCreate, TokenCreated, TokenPublic

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.get("/auth/me", summary="The caller's token name and role")
def me(principal: Viewer) -> dict[str, str]:
    """Who the bearer token belongs to."""
    return {"name": principal.name, "role": principal.role}


@router.post("/tokens", status_code=201, response_model=TokenCreated, summary="Create a token")
def create_token(body: TokenCreate, principal: Admin, tokens: Tokens) -> TokenCreated:
    """Create a token with a role; the secret is returned only in this response."""
    row, secret = tokens.create(body.name, body.role, created_by=principal.name)
    return TokenCreated(**TokenPublic.model_validate(row, from_attributes=True).model_dump(), token=secret)


@router.get("/tokens", response_model=list[TokenPublic], summary="List tokens")
def list_tokens(_principal: Admin, tokens: Tokens) -> list[TokenPublic]:
    """Every token, revoked ones included (never their secrets)."""
    return [TokenPublic.model_validate(row, from_attributes=True) for row in tokens.list()]


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a token")
def revoke_token(token_id: PositiveId, _principal: Admin, tokens: Tokens) -> Response:
    """Revoke a token; requests with it fail with 401 from now on."""
    tokens.revoke(token_id)
    return Response(status_code=204)
