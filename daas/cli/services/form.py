"""The options services commands share, and the deploy form built from the resource flags."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from daas.client import ServiceSpec

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

SCALING_PANEL = "Replicas"
RESOURCE_PANEL = "Resources per replica"


def _flag(panel: str, *names: str, help: str, **limits: Any) -> Any:
    """An optional flag of the deploy form, listed in ``panel`` of the help."""
    return typer.Option(*names, show_default=False, rich_help_panel=panel, help=help, **limits)


@dataclass
class Scaling:
    """How many replicas to run: a fixed number or an autoscaling range (None: not given)."""

    replicas: Annotated[int | None, _flag(
        SCALING_PANEL, "--replicas", "-r", min=1, help="A fixed number of replicas.")] = None
    min_replicas: Annotated[int | None, _flag(
        SCALING_PANEL, "--min-replicas", min=0,
        help="Autoscaling: fewest replicas (0 scales to zero when idle).")] = None
    max_replicas: Annotated[int | None, _flag(
        SCALING_PANEL, "--max-replicas", min=1, help="Autoscaling: most replicas.")] = None
    target_ongoing: Annotated[float | None, _flag(
        SCALING_PANEL, "--target-ongoing", min=0,
        help="Autoscaling: ongoing requests per replica to aim for.")] = None


@dataclass
class ReplicaResources:
    """What each replica reserves and how it takes requests (None: not given)."""

    cpus: Annotated[float | None, _flag(
        RESOURCE_PANEL, "--cpus", min=0, help="CPUs reserved per replica.")] = None
    memory: Annotated[str | None, _flag(
        RESOURCE_PANEL, "--memory",
        help="Memory reserved per replica: bytes, or a size like 512Mi or 2Gi.")] = None
    gpus: Annotated[float | None, _flag(
        RESOURCE_PANEL, "--gpus", min=0, help="GPUs per replica.")] = None
    max_ongoing: Annotated[int | None, _flag(
        RESOURCE_PANEL, "--max-ongoing", min=1,
        help="Requests one replica handles at once.")] = None
    max_queued: Annotated[int | None, _flag(
        RESOURCE_PANEL, "--max-queued", min=0,
        help="Requests queued before callers get 503.")] = None
    batch_size: Annotated[int | None, _flag(
        RESOURCE_PANEL, "--batch-size", min=1,
        help="Batch up to this many requests per model call.")] = None
    batch_wait_ms: Annotated[float | None, _flag(
        RESOURCE_PANEL, "--batch-wait-ms", min=0,
        help="Wait at most this long to fill a batch.")] = None
    timeout: Annotated[float | None, _flag(
        RESOURCE_PANEL, "--timeout", min=0,
        help="Seconds a request may take before it fails with 504.")] = None


def takes_flag_groups(command: Callable[..., None]) -> Callable[..., None]:
    """Let ``command`` take :class:`Scaling` and :class:`ReplicaResources` parameters.

    On the command line each such parameter stands for the flags of its fields, in its place
    among the other options; the command gets them back as one dataclass.
    """
    hints = typing.get_type_hints(command, include_extras=True)
    groups = {name: kind for name, kind in hints.items() if kind in (Scaling, ReplicaResources)}
    parameters: list[inspect.Parameter] = []
    for parameter in inspect.signature(command).parameters.values():
        if parameter.name not in groups:
            parameters.append(parameter.replace(annotation=hints[parameter.name]))
            continue
        flags = typing.get_type_hints(groups[parameter.name], include_extras=True)
        parameters += [inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY,
                                         default=field.default, annotation=flags[field.name])
                       for field in dataclasses.fields(groups[parameter.name])]

    @functools.wraps(command)
    def run(**values: Any) -> None:
        for name, kind in groups.items():
            values[name] = kind(**{field.name: values.pop(field.name)
                                   for field in dataclasses.fields(kind)})
        command(**values)

    run.__signature__ = inspect.Signature(parameters)  # what Typer reads the options from
    run.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    return run


def service_form(scaling: Scaling, resources: ReplicaResources,
                 current: ServiceSpec | None = None) -> dict[str, Any]:
    """The API fields the flags set; nested settings are merged into ``current``."""
    autoscaling = _given(min_replicas=scaling.min_replicas, max_replicas=scaling.max_replicas,
                         target_ongoing_requests=scaling.target_ongoing)
    if scaling.replicas is not None and autoscaling:
        raise typer.BadParameter(
            "give --replicas, or --min-replicas/--max-replicas/--target-ongoing, not both",
            param_hint="--replicas")
    batching = _given(max_batch_size=resources.batch_size, max_wait_ms=resources.batch_wait_ms)
    current = current or {}
    form = _given(
        replicas=scaling.replicas, num_cpus=resources.cpus,
        memory=_memory_value(resources.memory), num_gpus=resources.gpus,
        max_ongoing_requests=resources.max_ongoing, max_queued_requests=resources.max_queued,
        timeout_s=resources.timeout)
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
