"""The caller: who the token belongs to, their groups, and the permission table."""

from __future__ import annotations

from daas.client.transport import Transport
from daas.client.types import Me, Permissions


class MeClient(Transport):
    """Who is calling and what each permission allows."""

    def me(self) -> Me:
        """The caller's user, default group, and each group with their permission in it."""
        return self._json("GET", "/api/v1/auth/me")

    def permissions(self) -> Permissions:
        """What each action needs: ``rules`` (action -> own/other permission), ``permissions``."""
        return self._json("GET", "/api/v1/permissions")
