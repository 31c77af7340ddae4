"""The API's public shapes of tokens (never their secrets, except once when created)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Field, SQLModel

#: The old global roles, still accepted by the legacy ``POST /api/v1/tokens``.
Role = Literal["viewer", "editor", "admin"]


class TokenCreate(SQLModel):
    """Body of the legacy ``POST /api/v1/tokens``: a new user in group ``default`` with the
    role's permission (viewer: read, editor: change, admin: manage + platform admin)."""

    name: str = Field(min_length=1, max_length=64, description="Name of the new user and its token")
    role: Role


class UserTokenCreate(SQLModel):
    """Body of ``POST /api/v1/users/{name}/tokens``; without an expiry the token never expires."""

    name: str = Field(min_length=1, max_length=64, description="What the token is for")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    expires: datetime | None = Field(default=None, description="An ISO 8601 moment in the future")


class TokenPublic(SQLModel):
    """A token as listed."""

    id: int
    name: str
    user: str
    created: datetime
    created_by: str | None
    expires: datetime | None
    last_used: datetime | None
    revoked: datetime | None


class TokenCreated(TokenPublic):
    """A new token, with its secret shown this once."""

    token: str


class LegacyTokenCreated(TokenCreated):
    """A token made by the legacy route, with the role it was asked for."""

    role: Role
