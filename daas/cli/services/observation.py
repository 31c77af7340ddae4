"""Watching services: list and show them, their replicas, logs, events and traffic."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import typer
from rich.text import Text

from daas.cli.answers import show_answer
from daas.cli.output import (
    JsonOption,
    binary_size,
    cell,
    key_values,
    print_heading,
    short_time,
    stdout,
    table,
)
from daas.cli.services.display import print_service, replica_count, styled_state
from daas.cli.services.form import NameArgument
from daas.client import Replica, ReplicaLogs, Service, ServiceEvent, ServiceMetrics


class Window(str, Enum):
    minute = "minute"
    hour = "hour"


TailOption = Annotated[int, typer.Option("--tail", "-n", min=1, help="Lines per replica.")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1,
                                          help="How many events, newest first.")]


def list_services(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List services with their state, model and replicas."""
    show_answer(ctx, json_output, lambda client: client.list_services(), _print_services,
                empty="No services.")


def _print_services(services: list[Service]) -> None:
    listing = table(None, ("Name", "Group", "State", "Model", "Replicas", "CPUs", "Memory",
                           "URL", "Updated"), ())
    for service in services:
        spec = service.get("spec") or {}
        listing.add_row(
            Text(service["name"]), Text(service.get("group") or ""),
            styled_state(service.get("state")),
            Text(f"{service['model']} v{service['version']}"), Text(replica_count(service)),
            Text(cell(spec.get("num_cpus"))), Text(binary_size(spec.get("memory"))),
            Text(service.get("url") or ""), Text(short_time(service.get("updated"))))
    stdout().print(listing)


def show(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """Show a service: state, model version, replicas and resources."""
    show_answer(ctx, json_output, lambda client: client.get_service(name), print_service)


def _epoch_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


def replicas(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """List the replicas serving a service: state, node, process and requests served."""
    show_answer(ctx, json_output, lambda client: client.service_replicas(name), _print_replicas,
                empty=f"No replicas of {name} are running.")


def _print_replicas(found: list[Replica]) -> None:
    listing = table(None, ("Replica", "State", "Node", "PID", "Started", "Requests"), ())
    for replica in found:
        node = replica.get("node_ip") or (replica.get("node_id") or "")[:12]
        listing.add_row(Text(replica["replica_id"]), styled_state(replica.get("state")),
                        Text(node), Text(cell(replica.get("pid"))),
                        Text(_epoch_time(replica.get("started"))),
                        Text(cell(replica.get("requests"))))
    stdout().print(listing)


def logs(ctx: typer.Context, name: NameArgument, tail: TailOption = 100,
         json_output: JsonOption = False) -> None:
    """Print the latest log lines of each replica."""
    show_answer(ctx, json_output, lambda client: client.service_logs(name, tail=tail),
                lambda found: _print_replica_logs(name, found.get("replicas") or []))


def _print_replica_logs(name: str, replicas: list[ReplicaLogs]) -> None:
    if not replicas:
        stdout().print(f"No replicas of {name} are running.", markup=False)
        return
    for index, replica in enumerate(replicas):
        print_heading(index, f"==> {replica['replica_id']} <==")
        for line in replica.get("lines") or []:
            typer.echo(line)


def events(ctx: typer.Context, name: NameArgument, limit: LimitOption = 50,
           json_output: JsonOption = False) -> None:
    """Show what happened to a service: deploys, updates, failures, replica changes."""
    show_answer(ctx, json_output, lambda client: client.service_events(name, limit=limit),
                _print_events, empty=f"No events for {name}.")


def _print_events(found: list[ServiceEvent]) -> None:
    listing = table(None, ("Time", "Kind", "State", "Message"), ())
    for event in found:
        listing.add_row(Text(short_time(event.get("created"))), Text(event.get("kind") or ""),
                        styled_state(event.get("state")), Text(event.get("message") or ""))
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


def metrics(
    ctx: typer.Context,
    name: NameArgument,
    window: Annotated[Window, typer.Option(
        "--window", "-w", help="Time span to sum.")] = Window.minute,
    json_output: JsonOption = False,
) -> None:
    """Show traffic, errors and latency over the last minute or hour."""
    show_answer(ctx, json_output, lambda client: client.service_metrics(name, window=window.value),
                lambda found: _print_metrics(name, window, found))


def _print_metrics(name: str, window: Window, found: ServiceMetrics) -> None:
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
