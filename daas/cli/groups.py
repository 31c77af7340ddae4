"""``daas groups ...``: groups (projects), who is in them with which permission, their audit log."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer

from daas.cli.answers import ask, show_answer
from daas.cli.output import JsonOption, key_values, print_outcome, short_time, stdout, table
from daas.cli.state import state_of
from daas.client import AuditEntry, DaasClient, Group, GroupMember

app = typer.Typer(help="Create groups, share them with users, and read what was done in them.",
                  no_args_is_help=True)


class Permission(str, Enum):
    read = "read"
    change = "change"
    manage = "manage"


NameArgument = Annotated[str, typer.Argument(help="Group name.")]
UserArgument = Annotated[str, typer.Argument(help="User name.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
OptionalGroupArgument = Annotated[str | None, typer.Argument(
    show_default=False,
    help="Group name (default: the global --group, else your default group).")]


def _group_or_default(ctx: typer.Context, client: DaasClient, name: str | None) -> str:
    """``name``, else the global ``--group``, else the caller's default group."""
    chosen = name or state_of(ctx).group or client.me().get("default_group")
    if not chosen:
        raise typer.BadParameter("you have no default group: name one", param_hint="GROUP")
    return chosen


@app.command("list")
def list_groups(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List your groups and your permission in each (every group for platform admins)."""
    show_answer(ctx, json_output, lambda client: client.list_groups(), _print_groups,
                empty="No groups.")


def _print_groups(found: list[Group]) -> None:
    stdout().print(table(
        None, ("Name", "Permission", "Personal", "Created", "By"),
        ((group["name"], group.get("permission"), group.get("personal"),
          short_time(group.get("created")), group.get("created_by")) for group in found)))


@app.command()
def create(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """Create a group; you manage it."""
    group = ask(ctx, lambda client: client.create_group(name))
    print_outcome(state_of(ctx).wants_json(json_output), group,
                  f"Created group {group['name']}; you manage it.", "green")


@app.command()
def show(ctx: typer.Context, name: OptionalGroupArgument = None,
         json_output: JsonOption = False) -> None:
    """Show a group and its members."""
    def question(client: DaasClient) -> dict:
        chosen = _group_or_default(ctx, client, name)
        return {**client.get_group(chosen), "members": client.group_members(chosen)}

    show_answer(ctx, json_output, question, _print_group)


def _print_group(group: dict) -> None:
    console = stdout()
    console.print(key_values([
        ("Group", group["name"]),
        ("Your permission", group.get("permission")),
        ("Personal", "yes" if group.get("personal") else "no"),
        ("Created", f"{short_time(group.get('created'))} by {group.get('created_by')}"
                    if group.get("created_by") else short_time(group.get("created"))),
    ]))
    console.print(_members_table("Members", group.get("members") or []))


def _members_table(title: str | None, members: list[GroupMember]):
    return table(title, ("User", "Display name", "Permission", "Added", "By"),
                 ((member["user"], member.get("display_name"), member["permission"],
                   short_time(member.get("added")), member.get("added_by"))
                  for member in members))


@app.command()
def rename(
    ctx: typer.Context,
    name: NameArgument,
    new_name: Annotated[str, typer.Argument(metavar="NEW_NAME", help="The new name.")],
    json_output: JsonOption = False,
) -> None:
    """Rename a group (needs manage); what it holds moves with it."""
    group = ask(ctx, lambda client: client.rename_group(name, new_name))
    print_outcome(state_of(ctx).wants_json(json_output), group,
                  f"Renamed group {name} to {group['name']}.", "green")


@app.command()
def delete(ctx: typer.Context, name: NameArgument, yes: YesOption = False) -> None:
    """Delete an empty group (needs manage); a personal group cannot be deleted."""
    if not yes:
        typer.confirm(f"Delete group {name}?", abort=True)
    ask(ctx, lambda client: client.delete_group(name))
    stdout().print(f"Deleted group {name}.", markup=False)


@app.command()
def members(ctx: typer.Context, name: OptionalGroupArgument = None,
            json_output: JsonOption = False) -> None:
    """List who is in a group, with which permission."""
    show_answer(ctx, json_output,
                lambda client: client.group_members(_group_or_default(ctx, client, name)),
                lambda found: stdout().print(_members_table(None, found)),
                empty="No members.")


@app.command()
def share(
    ctx: typer.Context,
    name: NameArgument,
    user: UserArgument,
    permission: Annotated[Permission, typer.Option(
        "--permission", "-p",
        help="read: see and call; change: also create and redeploy, stop and delete their "
             "own; manage: also anyone's, and share the group.")],
    json_output: JsonOption = False,
) -> None:
    """Give a user a permission in a group, or change it (needs manage)."""
    member = ask(ctx, lambda client: client.share_group(name, user, permission.value))
    print_outcome(state_of(ctx).wants_json(json_output), member,
                  f"User {user} now has {permission.value} on group {name}.", "green")


@app.command()
def unshare(ctx: typer.Context, name: NameArgument, user: UserArgument,
            yes: YesOption = False) -> None:
    """Take a user out of a group (needs manage; the last manager stays)."""
    if not yes:
        typer.confirm(f"Remove {user} from group {name}?", abort=True)
    ask(ctx, lambda client: client.unshare_group(name, user))
    stdout().print(f"User {user} is no longer in group {name}.", markup=False)


@app.command()
def audit(
    ctx: typer.Context,
    name: OptionalGroupArgument = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", show_default=False,
        help="Only acts on this kind of object: model, service, dataset, job, run, group, "
             "user, token.")] = None,
    action: Annotated[str | None, typer.Option(
        "--action", show_default=False,
        help="Only this act, e.g. deploy, delete, share, token_created.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000,
                                       help="How many entries, newest first.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    everything: Annotated[bool, typer.Option(
        "--all", help="The whole platform's log, users and tokens included "
                      "(platform admins).")] = False,
    json_output: JsonOption = False,
) -> None:
    """Show who did what in a group, newest first."""
    if everything and name:
        raise typer.BadParameter("give a group or --all, not both", param_hint="--all")

    def question(client: DaasClient) -> list[AuditEntry]:
        if everything:
            return client.audit(kind=kind, action=action, offset=offset, limit=limit)
        return client.group_audit(_group_or_default(ctx, client, name), kind=kind,
                                  action=action, offset=offset, limit=limit)

    show_answer(ctx, json_output, question, lambda found: _print_audit(found, everything),
                empty="Nothing recorded.")


def _print_audit(found: list[AuditEntry], with_group: bool) -> None:
    columns = ("Time", *(("Group",) if with_group else ()), "Actor", "Action", "Kind",
               "Object", "Details")
    stdout().print(table(None, columns, (
        (short_time(entry.get("created")), *((entry.get("group"),) if with_group else ()),
         entry.get("actor"), entry.get("action"), entry.get("kind"),
         entry.get("name"),
         json.dumps(entry["details"], default=str) if entry.get("details") else "")
        for entry in found)))
