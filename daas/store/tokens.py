"""Token secrets and their stored form, shared by the API and the replicas that check keys."""

from __future__ import annotations

import hashlib
import secrets

_TOKEN_PREFIX = "daas_"


def new_secret() -> str:
    """A fresh random token string."""
    return _TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token (tokens are random, so a plain SHA-256 suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()
