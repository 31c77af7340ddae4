"""API tokens: create, list and revoke them (admin only)."""

from __future__ import annotations

from urllib.parse import quote

from daas.client.transport import Transport
from daas.client.types import NewToken, TokenInfo


class TokensClient(Transport):
    """Create, list and revoke API tokens."""

    def create_token(self, name: str, role: str) -> NewToken:
        """Create an API token; the secret is only returned this once."""
        return self._json("POST", "/api/v1/tokens", json={"name": name, "role": role})

    def list_tokens(self) -> list[TokenInfo]:
        """All API tokens, without their secrets."""
        return self._json("GET", "/api/v1/tokens")

    def revoke_token(self, token_id: int) -> None:
        """Revoke an API token; requests using it fail from now on."""
        self._send("DELETE", f"/api/v1/tokens/{quote(str(token_id), safe='')}")
