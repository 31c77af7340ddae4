"""API tokens across users, the platform admins' view; a user's own tokens are in
:mod:`daas.client.users`."""

from __future__ import annotations

from daas.client.transport import Transport
from daas.client.types import NewToken, TokenInfo


class TokensClient(Transport):
    """Every token of the platform, and the legacy "token with a role" shortcut."""

    def create_token(self, name: str, role: str) -> NewToken:
        """Create user ``name`` in group ``default`` with a role's permission, and its first
        token (viewer -> read, editor -> change, admin -> manage + platform admin).

        Kept for scripts written before users and groups; the secret is returned this once.
        """
        return self._json("POST", "/api/v1/tokens", json={"name": name, "role": role})

    def list_tokens(self) -> list[TokenInfo]:
        """Every token of every user, without their secrets (platform admins)."""
        return self._json("GET", "/api/v1/tokens")

    def revoke_token(self, token_id: int) -> None:
        """Revoke any token by id (platform admins); requests using it fail from now on."""
        self._send("DELETE", f"/api/v1/tokens/{int(token_id)}")
