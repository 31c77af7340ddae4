"""Users and their tokens: create, list, change and disable users; issue and revoke tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from daas.client.transport import Transport, without_none
from daas.client.types import NewToken, TokenInfo, User

#: Stands for the caller in ``/api/v1/users/{name}/...`` paths.
ME = "me"


def user_path(name: str) -> str:
    """The API path of a user (``me``: the caller)."""
    return f"/api/v1/users/{quote(name, safe='')}"


class UsersClient(Transport):
    """Users (platform admins manage them; a user may change their own name and group) and
    the tokens of a user (the user themselves or a platform admin)."""

    def create_user(self, name: str, *, display_name: str | None = None,
                    platform_admin: bool | None = None,
                    code_execution: bool | None = None) -> User:
        """Create a user with a personal group named after them, their default group."""
        body = {"name": name, "display_name": display_name, "platform_admin": platform_admin,
                "code_execution": code_execution}
        return self._json("POST", "/api/v1/users", json=without_none(body))

    def list_users(self) -> list[User]:
        """Every user."""
        return self._json("GET", "/api/v1/users")

    def get_user(self, name: str = ME) -> User:
        """One user (default: the caller)."""
        return self._json("GET", user_path(name))

    def update_user(self, name: str = ME, **changes: Any) -> User:
        """Change a user: display_name, disabled, platform_admin, code_execution,
        default_group (unset keywords omitted)."""
        return self._json("PATCH", user_path(name), json=without_none(changes))

    def create_user_token(self, name: str, user: str = ME, *,
                          expires_in_days: int | None = None,
                          expires: datetime | str | None = None) -> NewToken:
        """Issue a token of ``user`` (default: the caller); the secret is shown this once."""
        if isinstance(expires, datetime):
            expires = expires.isoformat()
        body = {"name": name, "expires_in_days": expires_in_days, "expires": expires}
        return self._json("POST", f"{user_path(user)}/tokens", json=without_none(body))

    def user_tokens(self, user: str = ME) -> list[TokenInfo]:
        """The tokens of ``user`` (default: the caller), revoked ones included."""
        return self._json("GET", f"{user_path(user)}/tokens")

    def revoke_user_token(self, token_id: int, user: str = ME) -> None:
        """Revoke a token of ``user`` (default: the caller); it stops working at once."""
        self._send("DELETE", f"{user_path(user)}/tokens/{int(token_id)}")
