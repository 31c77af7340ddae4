"""Where the CLI finds the platform and its credentials, and how it builds a client."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from daas.client import DaasClient
from daas.errors import BadRequest

if TYPE_CHECKING:
    from daas.settings import Settings


def local_settings() -> Settings:
    """This machine's platform settings (``DAAS_*``), read afresh for every command."""
    from pydantic import ValidationError

    from daas.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        # Never the values themselves: DAAS_DATABASE_URL may carry a password.
        problems = "; ".join(f"DAAS_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                             for e in exc.errors())
        raise BadRequest(f"invalid DAAS_* environment variable: {problems}") from None


def default_url() -> str:
    """Where ``daas up`` serves the API on this machine (``DAAS_HOST``/``DAAS_PORT``)."""
    return local_settings().url


def saved_admin_token() -> str | None:
    """The admin token ``daas up`` saved in ``$DAAS_HOME/admin-token``, if any."""
    try:
        return local_settings().admin_token_path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def make_client(url: str, token: str | None, group: str | None = None) -> DaasClient:
    """The one place CLI commands get their API client from (tests replace it)."""
    return DaasClient(url, token, group)


@dataclass
class CliState:
    """Options given before the sub-command (``daas --url ... models list``).

    ``group`` is the group object commands act in (``--group``/``DAAS_GROUP``); None leaves
    the choice to the server: the caller's default group, or every group for lists.
    """

    url: str
    token: str | None
    json: bool = False
    group: str | None = None

    def wants_json(self, flag: bool) -> bool:
        """Whether to print JSON: ``--json`` given before or after the sub-command."""
        return flag or self.json

    def client(self) -> DaasClient:
        """A client for this platform; use it as a context manager."""
        return make_client(self.url, self.token or saved_admin_token(), self.group)


def state_of(ctx: typer.Context) -> CliState:
    """The global options of the running command."""
    state = ctx.find_object(CliState)
    if state is None:  # a sub-app invoked on its own, e.g. from a test
        state = CliState(url=os.environ.get("DAAS_URL") or default_url(),
                         token=os.environ.get("DAAS_TOKEN"),
                         group=os.environ.get("DAAS_GROUP") or None)
    return state
