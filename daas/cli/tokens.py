"""``daas tokens ...``: create, list and revoke API tokens (admin only)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from daas.cli.answers import ask, show_answer
from daas.cli.output import JsonOption, key_values, short_time, stdout, table
from daas.client import NewToken, TokenInfo

app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


class Role(str, Enum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. ci-pipeline.")],
    role: Annotated[Role, typer.Option("--role", "-r", help="What the token may do.")],
    json_output: JsonOption = False,
) -> None:
    """Create an API token and print its secret (shown only this once)."""
    show_answer(ctx, json_output, lambda client: client.create_token(name, role.value),
                _print_created)


def _print_created(created: NewToken) -> None:
    console = stdout()
    console.print(key_values([("Id", str(created["id"])), ("Name", created["name"]),
                              ("Role", created["role"])]))
    console.print("Token (store it now, it is not shown again):", style="yellow")
    console.print(created["token"], markup=False, highlight=False, soft_wrap=True)


@app.command("list")
def list_tokens(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List API tokens (never their secrets)."""
    show_answer(ctx, json_output, lambda client: client.list_tokens(), _print_tokens)


def _print_tokens(found: list[TokenInfo]) -> None:
    stdout().print(table(
        None,
        ("Id", "Name", "Role", "Created", "Last used", "Revoked"),
        ((str(token["id"]), token["name"], token["role"], short_time(token.get("created")),
          short_time(token.get("last_used")), short_time(token.get("revoked")))
         for token in found),
    ))


@app.command()
def revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(
        metavar="ID", help="Token id, from `daas tokens list`.")],
) -> None:
    """Revoke an API token; requests using it are refused from now on."""
    ask(ctx, lambda client: client.revoke_token(token_id))
    stdout().print(f"Revoked token {token_id}.", markup=False)
