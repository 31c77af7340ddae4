"""``daas tokens ...``: issue, list and revoke API tokens of users (your own by default)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from daas.cli.answers import ask, show_answer
from daas.cli.output import JsonOption, key_values, short_time, stdout, table
from daas.client import DaasClient, NewToken, TokenInfo
from daas.client.users import ME

app = typer.Typer(help="Issue, list and revoke API tokens.", no_args_is_help=True)


class Role(str, Enum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


UserOption = Annotated[str | None, typer.Option(
    "--user", "-u", show_default=False,
    help="Whose tokens (default: yours; another user's needs the platform admin permission).")]


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. ci-pipeline.")],
    expires_in_days: Annotated[int | None, typer.Option(
        "--expires-in-days", min=1, show_default=False,
        help="The token stops working after this many days (default: never).")] = None,
    user: UserOption = None,
    role: Annotated[Role | None, typer.Option(
        "--role", "-r", show_default=False,
        help="Legacy shortcut (platform admins): create user NAME in group default with "
             "this role (viewer: read, editor: change, admin: manage + platform admin) "
             "and its first token.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Issue a token and print its secret (shown only this once)."""
    if role is not None and (user is not None or expires_in_days is not None):
        raise typer.BadParameter("--role creates a new user: it goes without --user and "
                                 "--expires-in-days", param_hint="--role")

    def question(client: DaasClient) -> NewToken:
        if role is not None:
            return client.create_token(name, role.value)
        return client.create_user_token(name, user or ME, expires_in_days=expires_in_days)

    show_answer(ctx, json_output, question, _print_created)


def _print_created(created: NewToken) -> None:
    console = stdout()
    console.print(key_values([
        ("Id", str(created["id"])), ("Name", created["name"]), ("User", created.get("user")),
        ("Role", created.get("role")), ("Expires", short_time(created.get("expires")) or "never"),
    ]))
    console.print("Token (store it now, it is not shown again):", style="yellow")
    console.print(created["token"], markup=False, highlight=False, soft_wrap=True)


@app.command("list")
def list_tokens(
    ctx: typer.Context,
    user: UserOption = None,
    every_user: Annotated[bool, typer.Option(
        "--all", help="Every user's tokens (platform admins).")] = False,
    json_output: JsonOption = False,
) -> None:
    """List your tokens, a user's, or everyone's (never their secrets)."""
    if every_user and user is not None:
        raise typer.BadParameter("give --user or --all, not both", param_hint="--all")
    show_answer(ctx, json_output,
                lambda client: client.list_tokens() if every_user
                else client.user_tokens(user or ME),
                _print_tokens, empty="No tokens.")


def _print_tokens(found: list[TokenInfo]) -> None:
    stdout().print(table(
        None,
        ("Id", "Name", "User", "Created", "Expires", "Last used", "Revoked"),
        ((str(token["id"]), token["name"], token.get("user"), short_time(token.get("created")),
          short_time(token.get("expires")), short_time(token.get("last_used")),
          short_time(token.get("revoked")))
         for token in found),
    ))


@app.command()
def revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(
        metavar="ID", help="Token id, from `daas tokens list`.")],
    user: UserOption = None,
) -> None:
    """Revoke a token; requests using it are refused from now on.

    Platform admins revoke any token by id; others revoke their own.
    """
    def revoke_it(client: DaasClient) -> None:
        if user is not None:
            client.revoke_user_token(token_id, user)
        elif client.me().get("platform_admin"):
            client.revoke_token(token_id)
        else:
            client.revoke_user_token(token_id, ME)

    ask(ctx, revoke_it)
    stdout().print(f"Revoked token {token_id}.", markup=False)
