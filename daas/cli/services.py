"""``daas services ...``: deploy models as services, operate them, and call them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from daas.cli.output import (
    JsonOption,
    parse_data,
    predictions_table,
    cell,
    key_values,
    print_json,
    short_time,
    stderr,
    stdout,
    table,
)
from daas.cli.state import state_of
from daas.client import DaasClient, Service, ServiceSpec
from daas.errors import DaasError, Timeout

app = typer.Typer(help="Deploy models as services, operate them and call them.",
                  no_args_is_help=True)

#: Seconds between two polls while waiting for a service or a request.
POLL_INTERVAL_S = 1.0
#: How to pass that time (tests swap it for a step of their fake platform).
pause_between_polls: Callable[[float], None] = time.sleep

STATE_STYLES = {"running": "green", "deploying": "yellow", "failed": "red", "paused": "blue",
                "deleting": "magenta", "queued": "yellow", "succeeded": "green"}


class Window(str, Enum):
    minute = "minute"
    hour = "hour"


class SnippetLanguage(str, Enum):
    curl = "curl"
    python = "python"
    serve_handle = "serve_handle"


NameArgument = Annotated[str, typer.Argument(help="Service name.")]
WaitOption = Annotated[bool, typer.Option(
    "--wait/--no-wait", help="Wait until the platform has made the change.")]
WaitTimeoutOption = Annotated[float, typer.Option(
    "--wait-timeout", min=0, help="Give up waiting after this many seconds.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
ApiKeyOption = Annotated[str | None, typer.Option(
    "--api-key", envvar="DAAS_SERVICE_KEY", show_default=False,
    help="Call with the service's own API key (default: the API token in use); "
         "async results are still read with the API token.")]

_ScalingPanel = "Replicas"
_ResourcePanel = "Resources per replica"
ReplicasOption = Annotated[int | None, typer.Option(
    "--replicas", "-r", min=1, show_default=False, rich_help_panel=_ScalingPanel,
    help="A fixed number of replicas.")]
MinReplicasOption = Annotated[int | None, typer.Option(
    "--min-replicas", min=0, show_default=False, rich_help_panel=_ScalingPanel,
    help="Autoscaling: fewest replicas (0 scales to zero when idle).")]
MaxReplicasOption = Annotated[int | None, typer.Option(
    "--max-replicas", min=1, show_default=False, rich_help_panel=_ScalingPanel,
    help="Autoscaling: most replicas.")]
TargetOngoingOption = Annotated[float | None, typer.Option(
    "--target-ongoing", min=0, show_default=False, rich_help_panel=_ScalingPanel,
    help="Autoscaling: ongoing requests per replica to aim for.")]
CpusOption = Annotated[float | None, typer.Option(
    "--cpus", min=0, show_default=False, rich_help_panel=_ResourcePanel,
    help="CPUs reserved per replica.")]
MemoryOption = Annotated[str | None, typer.Option(
    "--memory", show_default=False, rich_help_panel=_ResourcePanel,
    help="Memory reserved per replica: bytes, or a size like 512Mi or 2Gi.")]
GpusOption = Annotated[float | None, typer.Option(
    "--gpus", min=0, show_default=False, rich_help_panel=_ResourcePanel,
    help="GPUs per replica.")]
MaxOngoingOption = Annotated[int | None, typer.Option(
    "--max-ongoing", min=1, show_default=False, rich_help_panel=_ResourcePanel,
    help="Requests one replica handles at once.")]
MaxQueuedOption = Annotated[int | None, typer.Option(
    "--max-queued", min=0, show_default=False, rich_help_panel=_ResourcePanel,
    help="Requests queued before callers get 503.")]
BatchSizeOption = Annotated[int | None, typer.Option(
    "--batch-size", min=1, show_default=False, rich_help_panel=_ResourcePanel,
    help="Batch up to this many requests per model call.")]
BatchWaitOption = Annotated[float | None, typer.Option(
    "--batch-wait-ms", min=0, show_default=False, rich_help_panel=_ResourcePanel,
    help="Wait at most this long to fill a batch.")]
TimeoutOption = Annotated[float | None, typer.Option(
    "--timeout", min=0, show_default=False, rich_help_panel=_ResourcePanel,
    help="Seconds a request may take before it fails with 504.")]


# -- the deploy form -----------------------------------------------------------------------

@dataclass
class Resources:
    """Replica and resource flags as given on the command line (None: not given)."""

    replicas: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    target_ongoing: float | None = None
    cpus: float | None = None
    memory: str | None = None
    gpus: float | None = None
    max_ongoing: int | None = None
    max_queued: int | None = None
    batch_size: int | None = None
    batch_wait_ms: float | None = None
    timeout: float | None = None

    def form(self, current: ServiceSpec | None = None) -> dict[str, Any]:
        """The API fields these flags set; nested settings are merged into ``current``."""
        autoscaling = _given(min_replicas=self.min_replicas, max_replicas=self.max_replicas,
                             target_ongoing_requests=self.target_ongoing)
        if self.replicas is not None and autoscaling:
            raise typer.BadParameter(
                "give --replicas, or --min-replicas/--max-replicas/--target-ongoing, not both",
                param_hint="--replicas")
        batching = _given(max_batch_size=self.batch_size, max_wait_ms=self.batch_wait_ms)
        current = current or {}
        form = _given(
            replicas=self.replicas, num_cpus=self.cpus, memory=_memory_value(self.memory),
            num_gpus=self.gpus, max_ongoing_requests=self.max_ongoing,
            max_queued_requests=self.max_queued, timeout_s=self.timeout)
        if autoscaling:
            form["autoscaling"] = {**(current.get("autoscaling") or {}), **autoscaling}
        if batching:
            form["batching"] = {**(current.get("batching") or {}), **batching}
        return form


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _memory_value(text: str | None) -> int | str | None:
    if text is None:
        return None
    return int(text) if text.strip().isdigit() else text.strip()


# -- how services look ---------------------------------------------------------------------

def _styled_state(state: str | None) -> Text:
    return Text(state or "", style=STATE_STYLES.get((state or "").lower(), ""))


def _binary_size(size: int | None) -> str:
    """Bytes the way they are given to the deploy form: ``512Mi``, ``1.5Gi``."""
    if not size:
        return ""
    for unit, factor in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if size >= factor:
            return f"{size / factor:.4g}{unit}"
    return str(size)


def _replica_count(service: Service) -> str:
    """``2/3`` (running/wanted), or ``1/1-4 auto`` for an autoscaled service."""
    spec = service.get("spec") or {}
    scaling = spec.get("autoscaling")
    wanted = (f"{scaling.get('min_replicas')}-{scaling.get('max_replicas')} auto" if scaling
              else cell(spec.get("replicas")))
    running = service.get("replicas_running")
    return wanted if running is None else f"{running}/{wanted}"


def _details(service: Service) -> list[tuple[str, Any]]:
    spec = service.get("spec") or {}
    scaling = spec.get("autoscaling")
    previous = service.get("previous_version")
    return [
        ("URL", service.get("url")),
        ("Model", f"{service['model']} version {service['version']}"
                  + (f" (previous: {previous})" if previous else "")),
        ("Desired", service.get("desired")),
        ("Replicas", _replica_count(service)),
        ("Target ongoing", cell(scaling.get("target_ongoing_requests")) if scaling else ""),
        ("CPUs", cell(spec.get("num_cpus"))),
        ("Memory", _binary_size(spec.get("memory"))),
        ("GPUs", cell(spec.get("num_gpus")) if spec.get("num_gpus") else ""),
        ("Max ongoing", cell(spec.get("max_ongoing_requests"))),
        ("Max queued", cell(spec.get("max_queued_requests"))),
        ("Batching", cell(spec.get("batching"))),
        ("Timeout", f"{spec['timeout_s']:g} s" if spec.get("timeout_s") else ""),
        ("Generation", cell(service.get("generation"))),
        ("Created", f"{short_time(service.get('created'))} by {service.get('created_by')}"
                    if service.get("created_by") else short_time(service.get("created"))),
        ("Updated", short_time(service.get("updated"))),
    ]


def _print_service(service: Service) -> None:
    console = stdout()
    console.print(Text.assemble((service["name"], "bold"), "  ",
                                _styled_state(service.get("state"))))
    if service.get("reason"):
        style = "red" if service.get("state") == "failed" else "yellow"
        console.print(service["reason"], style=style, markup=False, highlight=False)
    console.print(key_values(_details(service)))


def _finish(ctx: typer.Context, json_output: bool, service: Service, message: str) -> None:
    """Print the outcome of a change: the service as JSON, or one line for people."""
    if state_of(ctx).wants_json(json_output):
        print_json(service)
        return
    style = "red" if service.get("state") == "failed" else "green"
    stdout().print(message, style=style, markup=False, highlight=False)


# -- waiting -------------------------------------------------------------------------------

def _progress_line(service: Service) -> str:
    line = f"{service['name']}: {service['state']}"
    running = service.get("replicas_running")
    if running is not None and service["state"] in ("deploying", "running"):
        line += f", {_replica_count(service)} replicas"
    if service.get("reason"):
        line += f" ({service['reason']})"
    return line


@contextmanager
def _spinner(text: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr if it is a terminal; yields a function that changes its text."""
    console = stderr()
    if not console.is_terminal:
        yield lambda _text: None
        return
    with console.status(text) as status:
        yield status.update


@contextmanager
def _watching(what: str) -> Iterator[Callable[[Service], None]]:
    """Show a service's progress on stderr: a spinner on a terminal, else each change once."""
    console = stderr()
    if console.is_terminal:
        with _spinner(f"Waiting for {what}...") as show:
            yield lambda service: show(_progress_line(service))
        return
    last: list[str] = []

    def note(service: Service) -> None:
        line = _progress_line(service)
        if last != [line]:
            last[:] = [line]
            console.print(line, markup=False, highlight=False)

    yield note


def _settle(client: DaasClient, name: str, states: tuple[str, ...], timeout: float,
            on_poll: Callable[[Service], None] | None = None) -> Service:
    """Wait, with progress shown, until the service reaches one of ``states``."""
    with _watching(name) as note:
        def seen(service: Service) -> None:
            note(service)
            if on_poll is not None:
                on_poll(service)

        try:
            return client.wait_for_service(name, states, timeout=timeout,
                                           interval=POLL_INTERVAL_S, on_poll=seen,
                                           sleep=pause_between_polls)
        except Timeout as error:
            raise Timeout(f"{error.message}; the platform carries on "
                          f"(see `daas services show {name}`)", details=error.details) from None


# -- lifecycle -----------------------------------------------------------------------------

@app.command()
def deploy(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Service name: lowercase letters, digits, '-'.")],
    model: Annotated[str, typer.Option("--model", "-m", help="The model to serve.")],
    version: Annotated[int | None, typer.Option(
        "--version", "-v", min=1, show_default=False,
        help="Model version (default: latest).")] = None,
    replicas: ReplicasOption = None,
    min_replicas: MinReplicasOption = None,
    max_replicas: MaxReplicasOption = None,
    target_ongoing: TargetOngoingOption = None,
    preset: Annotated[str | None, typer.Option(
        "--preset", show_default=False, rich_help_panel=_ResourcePanel,
        help="Instance preset, e.g. small, medium, large; other flags override it.")] = None,
    cpus: CpusOption = None,
    memory: MemoryOption = None,
    gpus: GpusOption = None,
    max_ongoing: MaxOngoingOption = None,
    max_queued: MaxQueuedOption = None,
    batch_size: BatchSizeOption = None,
    batch_wait_ms: BatchWaitOption = None,
    timeout: TimeoutOption = None,
    wait: WaitOption = True,
    wait_timeout: WaitTimeoutOption = 600.0,
    json_output: JsonOption = False,
) -> None:
    """Deploy a model version as a REST service; print its API key, then wait until it runs."""
    resources = Resources(replicas, min_replicas, max_replicas, target_ongoing, cpus, memory,
                          gpus, max_ongoing, max_queued, batch_size, batch_wait_ms, timeout)
    form = {"name": name, "model": model, "version": version, "preset": preset,
            **resources.form()}
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


@app.command("list")
def list_services(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List services with their state, model and replicas."""
    with state_of(ctx).client() as client:
        services = client.list_services()
    if state_of(ctx).wants_json(json_output):
        print_json(services)
        return
    if not services:
        stdout().print("No services.")
        return
    listing = table(None, ("Name", "State", "Model", "Replicas", "CPUs", "Memory", "URL",
                           "Updated"), ())
    for service in services:
        spec = service.get("spec") or {}
        listing.add_row(
            Text(service["name"]), _styled_state(service.get("state")),
            Text(f"{service['model']} v{service['version']}"), Text(_replica_count(service)),
            Text(cell(spec.get("num_cpus"))), Text(_binary_size(spec.get("memory"))),
            Text(service.get("url") or ""), Text(short_time(service.get("updated"))))
    stdout().print(listing)


@app.command()
def show(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """Show a service: state, model version, replicas and resources."""
    with state_of(ctx).client() as client:
        service = client.get_service(name)
    if state_of(ctx).wants_json(json_output):
        print_json(service)
    else:
        _print_service(service)


@app.command()
def pause(ctx: typer.Context, name: NameArgument, wait: WaitOption = True,
          wait_timeout: WaitTimeoutOption = 600.0, json_output: JsonOption = False) -> None:
    """Stop a service's replicas; it keeps its name, key and URL (callers get 503)."""
    with state_of(ctx).client() as client:
        service = client.pause_service(name)
        if wait:
            service = _settle(client, name, ("paused",), wait_timeout)
    _finish(ctx, json_output, service, f"Service {name} is {service['state']}.")


@app.command()
def resume(ctx: typer.Context, name: NameArgument, wait: WaitOption = True,
           wait_timeout: WaitTimeoutOption = 600.0, json_output: JsonOption = False) -> None:
    """Start a paused service again at the same URL."""
    with state_of(ctx).client() as client:
        service = client.resume_service(name)
        if wait:
            service = _settle(client, name, ("running",), wait_timeout)
    _finish(ctx, json_output, service, f"Service {name} is {service['state']}.")


@app.command()
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
                client.wait_until_deleted(name, timeout=wait_timeout, interval=POLL_INTERVAL_S,
                                          on_poll=note, sleep=pause_between_polls)
    message = f"Deleted service {name}." if wait else f"Deleting service {name}."
    _finish(ctx, json_output, service, message)


@app.command()
def scale(
    ctx: typer.Context,
    name: NameArgument,
    replicas: ReplicasOption = None,
    min_replicas: MinReplicasOption = None,
    max_replicas: MaxReplicasOption = None,
    target_ongoing: TargetOngoingOption = None,
    wait: WaitOption = True,
    wait_timeout: WaitTimeoutOption = 600.0,
    json_output: JsonOption = False,
) -> None:
    """Set a fixed number of replicas, or the autoscaling range."""
    _change(ctx, name, None, Resources(replicas, min_replicas, max_replicas, target_ongoing),
            wait, wait_timeout, json_output)


@app.command()
def update(
    ctx: typer.Context,
    name: NameArgument,
    version: Annotated[int | None, typer.Option(
        "--version", "-v", min=1, show_default=False,
        help="Switch to this model version.")] = None,
    replicas: ReplicasOption = None,
    min_replicas: MinReplicasOption = None,
    max_replicas: MaxReplicasOption = None,
    target_ongoing: TargetOngoingOption = None,
    cpus: CpusOption = None,
    memory: MemoryOption = None,
    gpus: GpusOption = None,
    max_ongoing: MaxOngoingOption = None,
    max_queued: MaxQueuedOption = None,
    batch_size: BatchSizeOption = None,
    batch_wait_ms: BatchWaitOption = None,
    timeout: TimeoutOption = None,
    wait: WaitOption = True,
    wait_timeout: WaitTimeoutOption = 600.0,
    json_output: JsonOption = False,
) -> None:
    """Switch the model version or change resources: a rolling update."""
    resources = Resources(replicas, min_replicas, max_replicas, target_ongoing, cpus, memory,
                          gpus, max_ongoing, max_queued, batch_size, batch_wait_ms, timeout)
    _change(ctx, name, version, resources, wait, wait_timeout, json_output)


def _change(ctx: typer.Context, name: str, version: int | None, resources: Resources,
            wait: bool, wait_timeout: float, json_output: bool) -> None:
    """Apply an update (version and/or resources) and wait for the rollout."""
    if version is None and not resources.form():
        raise typer.BadParameter("nothing to change: give a new version or resource flags")
    with state_of(ctx).client() as client:
        current = client.get_service(name)
        service = client.update_service(name, version=version,
                                        **resources.form(current.get("spec")))
        if wait and service.get("desired") == "running":
            service = _settle(client, name, ("running",), wait_timeout)
    _finish(ctx, json_output, service,
            f"Service {name} is {service['state']}: {service['model']} version "
            f"{service['version']}, {_replica_count(service)} replicas.")


@app.command()
def rollback(ctx: typer.Context, name: NameArgument, wait: WaitOption = True,
             wait_timeout: WaitTimeoutOption = 600.0, json_output: JsonOption = False) -> None:
    """Switch back to the model version served before the last switch."""
    with state_of(ctx).client() as client:
        service = client.rollback_service(name)
        if wait and service.get("desired") == "running":
            service = _settle(client, name, ("running",), wait_timeout)
    _finish(ctx, json_output, service,
            f"Service {name} is {service['state']} on version {service['version']}.")


@app.command("rotate-key")
def rotate_key(ctx: typer.Context, name: NameArgument, yes: YesOption = False,
               json_output: JsonOption = False) -> None:
    """Issue a new API key for a service; the old key stops working at once."""
    if not yes:
        typer.confirm(f"Rotate the API key of {name}? Callers using the old key get 401.",
                      abort=True)
    with state_of(ctx).client() as client:
        key = client.rotate_service_key(name)
    if state_of(ctx).wants_json(json_output):
        print_json({"api_key": key})
        return
    console = stdout()
    console.print(f"New API key of {name} (store it now, it is not shown again):",
                  style="yellow", markup=False)
    console.print(key, markup=False, highlight=False, soft_wrap=True)


# -- watching ------------------------------------------------------------------------------

def _epoch_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


@app.command()
def replicas(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """List the replicas serving a service: state, node, process and requests served."""
    with state_of(ctx).client() as client:
        found = client.service_replicas(name)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    if not found:
        stdout().print(f"No replicas of {name} are running.", markup=False)
        return
    listing = table(None, ("Replica", "State", "Node", "PID", "Started", "Requests"), ())
    for replica in found:
        node = replica.get("node_ip") or (replica.get("node_id") or "")[:12]
        listing.add_row(Text(replica["replica_id"]), _styled_state(replica.get("state")),
                        Text(node), Text(cell(replica.get("pid"))),
                        Text(_epoch_time(replica.get("started"))),
                        Text(cell(replica.get("requests"))))
    stdout().print(listing)


@app.command("restart-replica")
def restart_replica(
    ctx: typer.Context,
    name: NameArgument,
    replica_id: Annotated[str, typer.Argument(
        metavar="REPLICA_ID", help="From `daas services replicas NAME`.")],
    json_output: JsonOption = False,
) -> None:
    """Replace one replica with a fresh one (the others keep serving)."""
    with state_of(ctx).client() as client:
        answer = client.restart_replica(name, replica_id)
    if state_of(ctx).wants_json(json_output):
        print_json(answer)
        return
    stdout().print(f"Restarting replica {replica_id} of {name}; a new replica takes its place.",
                   markup=False)


@app.command()
def logs(
    ctx: typer.Context,
    name: NameArgument,
    tail: Annotated[int, typer.Option("--tail", "-n", min=1,
                                      help="Lines per replica.")] = 100,
    json_output: JsonOption = False,
) -> None:
    """Print the latest log lines of each replica."""
    with state_of(ctx).client() as client:
        found = client.service_logs(name, tail=tail)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    replica_logs = found.get("replicas") or []
    if not replica_logs:
        stdout().print(f"No replicas of {name} are running.", markup=False)
        return
    for index, replica in enumerate(replica_logs):
        if index:
            typer.echo()
        stdout().print(f"==> {replica['replica_id']} <==", style="bold", markup=False)
        for line in replica.get("lines") or []:
            typer.echo(line)


@app.command()
def events(
    ctx: typer.Context,
    name: NameArgument,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1,
                                       help="How many events, newest first.")] = 50,
    json_output: JsonOption = False,
) -> None:
    """Show what happened to a service: deploys, updates, failures, replica changes."""
    with state_of(ctx).client() as client:
        found = client.service_events(name, limit=limit)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    if not found:
        stdout().print(f"No events for {name}.", markup=False)
        return
    listing = table(None, ("Time", "Kind", "State", "Message"), ())
    for event in found:
        listing.add_row(Text(short_time(event.get("created"))), Text(event.get("kind") or ""),
                        _styled_state(event.get("state")), Text(event.get("message") or ""))
    stdout().print(listing)


_SPARKS = "▁▂▃▄▅▆▇█"


def _sparkline(values: list[float | None]) -> str:
    """A one-line chart of a series; gaps for missing points."""
    known = [value for value in values if value is not None]
    top = max(known, default=0) or 1
    return "".join(" " if value is None else _SPARKS[round(value / top * (len(_SPARKS) - 1))]
                   for value in values)


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.3g} ms"


@app.command()
def metrics(
    ctx: typer.Context,
    name: NameArgument,
    window: Annotated[Window, typer.Option(
        "--window", "-w", help="Time span to sum.")] = Window.minute,
    json_output: JsonOption = False,
) -> None:
    """Show traffic, errors and latency over the last minute or hour."""
    with state_of(ctx).client() as client:
        found = client.service_metrics(name, window=window.value)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    summary = found.get("summary") or {}
    requests = summary.get("requests") or 0
    errors = summary.get("errors") or 0
    error_rate = f" ({errors / requests:.1%})" if requests else ""
    series = found.get("series") or []
    console = stdout()
    console.print(f"{name}, last {found.get('window', window.value)}", style="dim", markup=False)
    console.print(key_values([
        ("Requests", str(requests)),
        ("Errors", f"{errors}{error_rate}"),
        ("Requests/s", cell(summary.get("requests_per_second"))),
        ("Latency mean", _ms(summary.get("latency_ms_mean"))),
        ("Latency p50", _ms(summary.get("latency_ms_p50"))),
        ("Latency p95", _ms(summary.get("latency_ms_p95"))),
        ("Latency p99", _ms(summary.get("latency_ms_p99"))),
        ("Requests/s over time", _sparkline([p.get("requests_per_second") for p in series])
         if series else ""),
        ("p95 over time", _sparkline([p.get("latency_ms_p95") for p in series])
         if series else ""),
    ]))


_SNIPPET_TITLES = {"curl": "curl", "python": "Python", "serve_handle": "Ray Serve handle"}


@app.command()
def snippets(
    ctx: typer.Context,
    name: NameArgument,
    lang: Annotated[SnippetLanguage | None, typer.Option(
        "--lang", show_default=False, help="Print only this snippet, as is.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Print ready-to-run examples that call the service."""
    with state_of(ctx).client() as client:
        found = client.service_snippets(name)
    if state_of(ctx).wants_json(json_output):
        print_json(found if lang is None else {lang.value: found.get(lang.value)})
        return
    if lang is not None:
        typer.echo(found.get(lang.value, ""))
        return
    for index, (key, text) in enumerate(found.items()):
        if index:
            typer.echo()
        stdout().print(f"# {_SNIPPET_TITLES.get(key, key)}", style="bold", markup=False)
        typer.echo(text)


# -- calling -------------------------------------------------------------------------------

def _print_result(ctx: typer.Context, json_output: bool, name: str, result: Any) -> None:
    """Predictions as a table, CSV text as is, anything else as JSON."""
    if isinstance(result, str):
        typer.echo(result, nl=not result.endswith("\n"))
        return
    if (state_of(ctx).wants_json(json_output) or not isinstance(result, dict)
            or "predictions" not in result):
        print_json(result)
        return
    console = stdout()
    console.print(f"{name}: {result.get('model', '')} version {result.get('version', '')}"
                  f" ({result.get('task') or 'predictions'})", style="dim", markup=False)
    console.print(predictions_table(result["predictions"]))


@app.command()
def predict(
    ctx: typer.Context,
    name: NameArgument,
    data: Annotated[str | None, typer.Option(
        "--data", show_default=False,
        help='JSON: one record, a list of records, or {"data": ...}/{"inputs": ...}.')] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", exists=True, dir_okay=False, readable=True, show_default=False,
        help="A CSV file (sent as text/csv) or a JSON file of records.")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Ask for the predictions as CSV.")] = False,
    run_async: Annotated[bool, typer.Option(
        "--async", help="Queue the request and print its id (the wait-return API).")] = False,
    wait: Annotated[bool, typer.Option(
        "--wait", help="With --async: poll the request and print its result.")] = False,
    wait_timeout: WaitTimeoutOption = 600.0,
    api_key: ApiKeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Score records with a deployed service."""
    if (data is None) == (file is None):
        raise typer.BadParameter("give exactly one of --data or --file",
                                 param_hint="--data/--file")
    if wait and not run_async:
        raise typer.BadParameter("--wait goes with --async", param_hint="--wait")
    payload: Any = file if file is not None else parse_data(data or "")
    with state_of(ctx).client() as client:
        if not run_async:
            _print_result(ctx, json_output, name,
                          client.predict(name, payload, csv=csv, api_key=api_key))
            return
        queued = client.predict(name, payload, csv=csv, mode="async", api_key=api_key)
        if wait:
            finished = _wait_for_request(client, queued["id"], wait_timeout)
            _print_result(ctx, json_output, name, finished.get("result"))
            return
    if state_of(ctx).wants_json(json_output):
        print_json(queued)
        return
    stdout().print(f"Queued request {queued['id']}; get its result with "
                   f"`daas services request {queued['id']} --wait`.", markup=False)


def _wait_for_request(client: DaasClient, request_id: str, timeout: float) -> dict[str, Any]:
    with _spinner(f"Request {request_id}: queued") as show:
        finished = client.wait_for_request(
            request_id, timeout=timeout, interval=POLL_INTERVAL_S, sleep=pause_between_polls,
            on_poll=lambda request: show(f"Request {request_id}: {request['status']}"))
    return dict(finished)


@app.command()
def request(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(metavar="ID", help="From `predict --async`.")],
    wait: Annotated[bool, typer.Option(
        "--wait", help="Poll until the request finished and print its result.")] = False,
    wait_timeout: WaitTimeoutOption = 600.0,
    json_output: JsonOption = False,
) -> None:
    """Show an async prediction request, or wait for its result."""
    with state_of(ctx).client() as client:
        if wait:
            finished = _wait_for_request(client, request_id, wait_timeout)
            _print_result(ctx, json_output, finished.get("service", ""), finished.get("result"))
            return
        found = client.get_request(request_id)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    error = found.get("error") or {}
    console = stdout()
    console.print(key_values([
        ("Id", found["id"]), ("Service", found.get("service")), ("Status", found["status"]),
        ("Created", short_time(found.get("created"))),
        ("Started", short_time(found.get("started"))),
        ("Finished", short_time(found.get("finished"))),
        ("Error", error.get("message") if isinstance(error, dict) else cell(error)),
    ]))
    if found["status"] == "succeeded":
        _print_result(ctx, json_output, found.get("service", ""), found.get("result"))
