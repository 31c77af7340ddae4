"""Changing services: deploy, pause, resume, delete, scale, update, roll back, rotate keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from daas.cli import waiting
from daas.cli.answers import show_answer
from daas.cli.output import JsonOption, print_json, print_outcome, stderr, stdout
from daas.cli.services.display import progress_line, replica_count
from daas.cli.services.form import (
    RESOURCE_PANEL,
    NameArgument,
    ReplicaResources,
    Scaling,
    WaitOption,
    WaitTimeoutOption,
    YesOption,
    service_form,
    takes_flag_groups,
)
from daas.cli.state import state_of
from daas.client import DaasClient, Service
from daas.errors import DaasError, Timeout


def _finish(ctx: typer.Context, json_output: bool, service: Service, message: str) -> None:
    """Print the outcome of a change: the service as JSON, or one line for people."""
    print_outcome(state_of(ctx).wants_json(json_output), service, message,
                  "red" if service.get("state") == "failed" else "green")


@contextmanager
def _watching(what: str) -> Iterator[Callable[[Service], None]]:
    """Show a service's progress on stderr: a spinner on a terminal, else each change once."""
    if stderr().is_terminal:
        with waiting.spinner(f"Waiting for {what}...") as show:
            yield lambda service: show(progress_line(service))
        return
    yield waiting.each_change_once(progress_line)


def _settle(client: DaasClient, name: str, states: tuple[str, ...], timeout: float,
            on_poll: Callable[[Service], None] | None = None) -> Service:
    """Wait, with progress shown, until the service reaches one of ``states``."""
    with _watching(name) as note:
        def seen(service: Service) -> None:
            note(service)
            if on_poll is not None:
                on_poll(service)

        try:
            return client.wait_for_service(name, states, timeout=timeout, on_poll=seen,
                                           **waiting.poll_pace())
        except Timeout as error:
            raise Timeout(f"{error.message}; the platform carries on "
                          f"(see `daas services show {name}`)", details=error.details) from None


@takes_flag_groups
def deploy(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Service name: lowercase letters, digits, '-'.")],
    model: Annotated[str, typer.Option("--model", "-m", help="The model to serve.")],
    version: Annotated[int | None, typer.Option(
        "--version", "-v", min=1, show_default=False,
        help="Model version (default: latest).")] = None,
    *,
    scaling: Scaling,
    preset: Annotated[str | None, typer.Option(
        "--preset", show_default=False, rich_help_panel=RESOURCE_PANEL,
        help="Instance preset, e.g. small, medium, large; other flags override it.")] = None,
    resources: ReplicaResources,
    wait: WaitOption = True,
    wait_timeout: WaitTimeoutOption = 600.0,
    json_output: JsonOption = False,
) -> None:
    """Deploy a model version as a REST service; print its API key, then wait until it runs."""
    form = {"name": name, "model": model, "version": version, "preset": preset,
            **service_form(scaling, resources)}
    as_json = state_of(ctx).wants_json(json_output)
    with state_of(ctx).client() as client:
        created = client.create_service(form)
        if not as_json:
            console = stdout()
            console.print(f"Created service {name} ({created['model']} version "
                          f"{created['version']}).", markup=False)
            console.print("API key (store it now, it is not shown again):", style="yellow")
            console.print(created["api_key"], markup=False, highlight=False, soft_wrap=True)
        latest: list[Service] = [created]
        failure: DaasError | None = None
        if wait:
            try:
                _settle(client, name, ("running",), wait_timeout, on_poll=latest.append)
            except DaasError as error:  # the key must still reach a JSON reader
                failure = error
    if as_json:
        print_json({**latest[-1], "api_key": created["api_key"]})
    elif failure is None:
        service = latest[-1]
        message = (f"Service {name} is running at {service['url']}" if wait
                   else f"Service {name} is {service['state']}; it will be at {service['url']}")
        stdout().print(message, style="green", markup=False, highlight=False)
    if failure is not None:
        raise failure


def pause(ctx: typer.Context, name: NameArgument, wait: WaitOption = True,
          wait_timeout: WaitTimeoutOption = 600.0, json_output: JsonOption = False) -> None:
    """Stop a service's replicas; it keeps its name, key and URL (callers get 503)."""
    _switch(ctx, name, lambda client: client.pause_service(name), "paused", wait, wait_timeout,
            json_output)


def resume(ctx: typer.Context, name: NameArgument, wait: WaitOption = True,
           wait_timeout: WaitTimeoutOption = 600.0, json_output: JsonOption = False) -> None:
    """Start a paused service again at the same URL."""
    _switch(ctx, name, lambda client: client.resume_service(name), "running", wait,
            wait_timeout, json_output)


def _switch(ctx: typer.Context, name: str, switch: Callable[[DaasClient], Service], state: str,
            wait: bool, wait_timeout: float, json_output: bool) -> None:
    """Pause or resume a service, wait (if asked) until it is in ``state``, say how it is."""
    with state_of(ctx).client() as client:
        service = switch(client)
        if wait:
            service = _settle(client, name, (state,), wait_timeout)
    _finish(ctx, json_output, service, f"Service {name} is {service['state']}.")


def delete(ctx: typer.Context, name: NameArgument, yes: YesOption = False,
           wait: WaitOption = True, wait_timeout: WaitTimeoutOption = 600.0,
           json_output: JsonOption = False) -> None:
    """Delete a service: its replicas, URL and API key."""
    if not yes:
        typer.confirm(f"Delete service {name}? Its URL and API key stop working.", abort=True)
    with state_of(ctx).client() as client:
        service = client.delete_service(name)
        if wait:
            with _watching(name) as note:
                client.wait_until_deleted(name, timeout=wait_timeout, on_poll=note,
                                          **waiting.poll_pace())
    message = f"Deleted service {name}." if wait else f"Deleting service {name}."
    _finish(ctx, json_output, service, message)


@takes_flag_groups
def scale(ctx: typer.Context, name: NameArgument, *, scaling: Scaling, wait: WaitOption = True,
          wait_timeout: WaitTimeoutOption = 600.0, json_output: JsonOption = False) -> None:
    """Set a fixed number of replicas, or the autoscaling range."""
    _change(ctx, name, None, scaling, ReplicaResources(), wait, wait_timeout, json_output)


@takes_flag_groups
def update(
    ctx: typer.Context,
    name: NameArgument,
    version: Annotated[int | None, typer.Option(
        "--version", "-v", min=1, show_default=False,
        help="Switch to this model version.")] = None,
    *,
    scaling: Scaling,
    resources: ReplicaResources,
    wait: WaitOption = True,
    wait_timeout: WaitTimeoutOption = 600.0,
    json_output: JsonOption = False,
) -> None:
    """Switch the model version or change resources: a rolling update."""
    _change(ctx, name, version, scaling, resources, wait, wait_timeout, json_output)


def _change(ctx: typer.Context, name: str, version: int | None, scaling: Scaling,
            resources: ReplicaResources, wait: bool, wait_timeout: float,
            json_output: bool) -> None:
    """Apply an update (version and/or resources) and wait for the rollout."""
    if version is None and not service_form(scaling, resources):
        raise typer.BadParameter("nothing to change: give a new version or resource flags")
    with state_of(ctx).client() as client:
        current = client.get_service(name)
        service = client.update_service(name, version=version,
                                        **service_form(scaling, resources, current.get("spec")))
        if wait and service.get("desired") == "running":
            service = _settle(client, name, ("running",), wait_timeout)
    _finish(ctx, json_output, service,
            f"Service {name} is {service['state']}: {service['model']} version "
            f"{service['version']}, {replica_count(service)} replicas.")


def rollback(ctx: typer.Context, name: NameArgument, wait: WaitOption = True,
             wait_timeout: WaitTimeoutOption = 600.0, json_output: JsonOption = False) -> None:
    """Switch back to the model version served before the last switch."""
    with state_of(ctx).client() as client:
        service = client.rollback_service(name)
        if wait and service.get("desired") == "running":
            service = _settle(client, name, ("running",), wait_timeout)
    _finish(ctx, json_output, service,
            f"Service {name} is {service['state']} on version {service['version']}.")


def rotate_key(ctx: typer.Context, name: NameArgument, yes: YesOption = False,
               json_output: JsonOption = False) -> None:
    """Issue a new API key for a service; the old key stops working at once."""
    if not yes:
        typer.confirm(f"Rotate the API key of {name}? Callers using the old key get 401.",
                      abort=True)
    show_answer(ctx, json_output,
                lambda client: {"api_key": client.rotate_service_key(name)},
                lambda answer: _print_new_key(name, answer["api_key"]))


def _print_new_key(name: str, key: str) -> None:
    console = stdout()
    console.print(f"New API key of {name} (store it now, it is not shown again):",
                  style="yellow", markup=False)
    console.print(key, markup=False, highlight=False, soft_wrap=True)


def restart_replica(
    ctx: typer.Context,
    name: NameArgument,
    replica_id: Annotated[str, typer.Argument(
        metavar="REPLICA_ID", help="From `daas services replicas NAME`.")],
    json_output: JsonOption = False,
) -> None:
    """Replace one replica with a fresh one (the others keep serving)."""
    show_answer(ctx, json_output, lambda client: client.restart_replica(name, replica_id),
                lambda _answer: stdout().print(
                    f"Restarting replica {replica_id} of {name}; a new replica takes its place.",
                    markup=False))
