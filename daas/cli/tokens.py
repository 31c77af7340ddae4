"""``daas tokens ...``: create, list and revoke API tokens (admin only)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from daas.cli.output import JsonOption, key_values, print_json, short_time, stdout, table
from daas.cli.state import state_of

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
    state = state_of(ctx)
    with state.client() as client:
        created = client.create_token(name, role.value)
    if state.wants_json(json_output):
        print_json(created)
        return
    console = stdout()
    console.print(key_values([("Id", str(created["id"])), ("Name", created["name"]),
                              ("Role", created["role"])]))
    console.print("Token (store it now, it is not shown again):", style="yellow")
    console.print(created["token"], markup=False, highlight=False, soft_wrap=True)


@app.command("list")
def list_tokens(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List API tokens (never their secrets)."""
    state = state_of(ctx)
    with state.client() as client:
        found = client.list_tokens()
    if state.wants_json(json_output):
        print_json(found)
        return
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
    with state_of(ctx).client() as client:
        client.revoke_token(token_id)
    stdout().print(f"Revoked token {token_id}.", markup=False)
