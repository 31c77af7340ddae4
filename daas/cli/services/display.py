"""How services look on the command line: their details, replica counts and progress."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from daas.cli.output import (
    SERVICE_STATE_STYLES,
    binary_size,
    cell,
    key_values,
    short_time,
    stdout,
    styled,
)
from daas.client import Service


def styled_state(state: str | None) -> Text:
    """A service or replica state in its colour."""
    return styled(state, SERVICE_STATE_STYLES)


def replica_count(service: Service) -> str:
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
        ("Group", service.get("group")),
        ("Model", f"{service['model']} version {service['version']}"
                  + (f" (previous: {previous})" if previous else "")),
        ("Desired", service.get("desired")),
        ("Replicas", replica_count(service)),
        ("Target ongoing", cell(scaling.get("target_ongoing_requests")) if scaling else ""),
        ("CPUs", cell(spec.get("num_cpus"))),
        ("Memory", binary_size(spec.get("memory"))),
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


def print_service(service: Service) -> None:
    """A service's name, state, reason and details."""
    console = stdout()
    console.print(Text.assemble((service["name"], "bold"), "  ",
                                styled_state(service.get("state"))))
    if service.get("reason"):
        style = "red" if service.get("state") == "failed" else "yellow"
        console.print(service["reason"], style=style, markup=False, highlight=False)
    console.print(key_values(_details(service)))


def progress_line(service: Service) -> str:
    """One line on how a change is going: state, replicas, reason."""
    line = f"{service['name']}: {service['state']}"
    running = service.get("replicas_running")
    if running is not None and service["state"] in ("deploying", "scaling", "running"):
        line += f", {replica_count(service)} replicas"
    if service.get("reason"):
        line += f" ({service['reason']})"
    return line
