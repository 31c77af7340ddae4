"""``daas users ...``: create, list, show and change users (platform admins; anyone for
their own display name and default group)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from daas.cli.answers import show_answer
from daas.cli.output import JsonOption, key_values, short_time, stdout, table
from daas.client import User

app = typer.Typer(help="Create, list, show and change users.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="User name (lowercase letters, digits, '-').")]


def _summary(user: User) -> list[tuple[str, Any]]:
    return [
        ("User", user["name"]),
        ("Display name", user.get("display_name")),
        ("Default group", user.get("default_group")),
        ("Platform admin", "yes" if user.get("platform_admin") else "no"),
        ("Code execution", "yes" if user.get("code_execution") else "no"),
        ("Disabled", short_time(user["disabled"]) if isinstance(user.get("disabled"), str)
         else ("yes" if user.get("disabled") else "")),
        ("Created", short_time(user.get("created"))),
    ]


def _print_user(user: User) -> None:
    stdout().print(key_values(_summary(user)))


@app.command("list")
def list_users(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List users (platform admins)."""
    show_answer(ctx, json_output, lambda client: client.list_users(), _print_users,
                empty="No users.")


def _print_users(found: list[User]) -> None:
    stdout().print(table(
        None, ("Name", "Display name", "Default group", "Admin", "Code execution", "Disabled",
               "Created"),
        ((user["name"], user.get("display_name"), user.get("default_group"),
          bool(user.get("platform_admin")), bool(user.get("code_execution")),
          bool(user.get("disabled")), short_time(user.get("created"))) for user in found)))


@app.command()
def create(
    ctx: typer.Context,
    name: NameArgument,
    display_name: Annotated[str | None, typer.Option(
        "--display-name", show_default=False, help="A name for people, e.g. 'Ada Lovelace'.")
    ] = None,
    admin: Annotated[bool, typer.Option(
        "--admin", help="Make them a platform admin: they manage every group and user.")
    ] = False,
    code_execution: Annotated[bool, typer.Option(
        "--code-execution", help="Let them run their own code (script jobs).")] = False,
    json_output: JsonOption = False,
) -> None:
    """Create a user with a personal group named after them (platform admins).

    Give them a token with `daas tokens create NAME --user USER`, and share groups with
    `daas groups share GROUP USER --permission ...`.
    """
    show_answer(ctx, json_output,
                lambda client: client.create_user(name, display_name=display_name,
                                                  platform_admin=admin or None,
                                                  code_execution=code_execution or None),
                _print_created)


def _print_created(user: User) -> None:
    stdout().print(f"Created user {user['name']} with default group "
                   f"{user.get('default_group')}.", style="green", markup=False)
    _print_user(user)


@app.command()
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (default: you).")] = "me",
    json_output: JsonOption = False,
) -> None:
    """Show a user (you, unless named)."""
    show_answer(ctx, json_output, lambda client: client.get_user(name), _print_user)


@app.command()
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name; 'me' for yourself.")],
    display_name: Annotated[str | None, typer.Option(
        "--display-name", show_default=False, help="A name for people.")] = None,
    disabled: Annotated[bool | None, typer.Option(
        "--disable/--enable", show_default=False,
        help="Refuse (or accept again) every token of the user.")] = None,
    admin: Annotated[bool | None, typer.Option(
        "--admin/--no-admin", show_default=False, help="Platform admin or not.")] = None,
    code_execution: Annotated[bool | None, typer.Option(
        "--code-execution/--no-code-execution", show_default=False,
        help="May run their own code (script jobs) or not.")] = None,
    default_group: Annotated[str | None, typer.Option(
        "--default-group", show_default=False,
        help="The group commands act in when no --group is given.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Change a user. Platform admins change anything; a user their own display name and
    default group."""
    changes = {key: value for key, value in {
        "display_name": display_name, "disabled": disabled, "platform_admin": admin,
        "code_execution": code_execution, "default_group": default_group}.items()
        if value is not None}
    if not changes:
        raise typer.BadParameter("nothing to change")
    show_answer(ctx, json_output, lambda client: client.update_user(name, **changes),
                _print_user)
