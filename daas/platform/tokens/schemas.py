"""The API's public shapes of tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class TokenCreate(SQLModel):
    """Body of ``POST /api/v1/tokens``."""

    name: str = Field(min_length=1, max_length=64)
    role: str = Field(description="viewer, editor or admin")


class TokenPublic(SQLModel):
    """A token as listed (never its secret)."""

    id: int
    name: str
    role: str
    created: datetime
    created_by: str | None
    last_used: datetime | None
    revoked: datetime | None


class TokenCreated(TokenPublic):
    """A new token, with its secret shown this once."""

    token: str
