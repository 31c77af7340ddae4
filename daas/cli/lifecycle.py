"""``daas up``, ``daas down``, ``daas status`` and ``daas whoami``."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer

from daas.cli.answers import show_answer
from daas.cli.output import JsonOption, key_values, print_json, stderr, stdout, table
from daas.cli.state import local_settings, state_of
from daas.client import Me
from daas.errors import DaasError, Unavailable, exit_code_for


def up(
    ctx: typer.Context,
    num_cpus: Annotated[int | None, typer.Option(
        "--num-cpus", min=1, show_default=False,
        help="CPUs for a new local Ray head (default: DAAS_NUM_CPUS).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Start Ray (unless one is running) and the platform; print its URL and admin token."""
    from daas.platform.launcher import start_platform

    with stderr().status("Starting the platform..."):
        info = start_platform(local_settings(), num_cpus=num_cpus)
    if state_of(ctx).wants_json(json_output):
        print_json(dataclasses.asdict(info))
        return
    ray = f"{info.ray_address} ({'started' if info.started_ray else 'already running'})"
    console = stdout()
    console.print("The platform is up.", style="green")
    rows = [("Web UI", info.url), ("API docs", f"{info.url}/docs"),
            ("Admin token", info.token), ("Ray", ray)]
    if info.ray_token_file:
        rows.append(("Ray auth token", info.ray_token_file))
    console.print(key_values(rows))
    console.print("Open the web UI and sign in with the admin token.", markup=False)


def down(
    keep_ray: Annotated[bool, typer.Option(
        "--keep-ray", help="Stop the platform but leave the Ray cluster running.")] = False,
) -> None:
    """Stop the platform, and the local Ray head unless --keep-ray."""
    from daas.platform.launcher import stop_platform

    with stderr().status("Stopping the platform..."):
        stop_platform(local_settings(), stop_ray=not keep_ray)
    stdout().print("The platform is stopped" + (" (Ray left running)." if keep_ray else "."))


def _probe(ctx: typer.Context) -> tuple[dict[str, Any] | None, DaasError | None]:
    """The API's readiness answer, or why there was none."""
    with state_of(ctx).client() as client:
        try:
            answer = client.ready()
        except DaasError as error:
            return None, error
    if answer.get("status") != "ready":
        return answer, Unavailable("the platform is not ready", details=answer.get("checks"))
    return answer, None


def status(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Show the local platform's Ray and Serve state and whether its API is ready."""
    from daas.platform.launcher import platform_status

    state = state_of(ctx)
    local = platform_status(local_settings())
    answer, problem = _probe(ctx)
    if state.wants_json(json_output):
        print_json({"platform": local, "api": {"url": state.url, "ready": problem is None,
                                               "readyz": answer,
                                               "error": problem and problem.message}})
    else:
        console = stdout()
        console.print(key_values(sorted(local.items())))
        if problem is None:
            console.print(f"API ready at {state.url}", style="green", markup=False)
        else:
            console.print(f"API not ready at {state.url}: {problem.message}", style="red",
                          markup=False)
            for check, outcome in ((answer or {}).get("checks") or {}).items():
                console.print(f"  {check}: {outcome}", markup=False)
    if problem is not None:
        raise typer.Exit(exit_code_for(problem))


def whoami(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Show who the token in use belongs to, their default group and their groups."""
    show_answer(ctx, json_output, lambda client: client.me(),
                lambda me: _print_me(me, state_of(ctx).url))


def _print_me(me: Me, url: str) -> None:
    console = stdout()
    shown = f"{me['name']} ({me['display_name']})" if me.get("display_name") else me["name"]
    console.print(f"{shown} at {url}", style="bold", markup=False, highlight=False)
    powers = [power for power, held in (("platform admin", me.get("platform_admin")),
                                        ("code execution", me.get("code_execution"))) if held]
    console.print(key_values([("Default group", me.get("default_group") or "none"),
                              ("Also", ", ".join(powers))]))
    console.print(table(
        None, ("Group", "Permission", "Personal", "Default"),
        ((group["name"], group["permission"], bool(group.get("personal")),
          "*" if group["name"] == me.get("default_group") else "")
         for group in me.get("groups") or [])))


def register(app: typer.Typer) -> None:
    """Add these commands at the top level of ``app``."""
    for command in (up, down, status, whoami):
        app.command()(command)
