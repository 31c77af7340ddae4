"""Calling services: predictions, async requests, and ready-to-run snippets."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from daas.cli import waiting
from daas.cli.answers import show_answer
from daas.cli.output import (
    DataOption,
    JsonOption,
    cell,
    key_values,
    parse_data,
    print_heading,
    print_json,
    print_predictions,
    short_time,
    stdout,
)
from daas.cli.services.form import ApiKeyOption, NameArgument, WaitTimeoutOption
from daas.cli.state import state_of
from daas.client import DaasClient


class SnippetLanguage(str, Enum):
    curl = "curl"
    python = "python"
    serve_handle = "serve_handle"


def _print_result(ctx: typer.Context, json_output: bool, name: str, result: Any) -> None:
    """Predictions as a table, CSV text as is, anything else as JSON."""
    if isinstance(result, str):
        typer.echo(result, nl=not result.endswith("\n"))
        return
    if (state_of(ctx).wants_json(json_output) or not isinstance(result, dict)
            or "predictions" not in result):
        print_json(result)
        return
    print_predictions(f"{name}: {result.get('model', '')} version {result.get('version', '')}",
                      result)


def predict(
    ctx: typer.Context,
    name: NameArgument,
    data: DataOption = None,
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
    with waiting.spinner(f"Request {request_id}: queued") as show:
        finished = client.wait_for_request(
            request_id, timeout=timeout, **waiting.poll_pace(),
            on_poll=lambda request: show(f"Request {request_id}: {request['status']}"))
    return dict(finished)


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


_SNIPPET_TITLES = {"curl": "curl", "python": "Python", "serve_handle": "Ray Serve handle"}


def snippets(
    ctx: typer.Context,
    name: NameArgument,
    lang: Annotated[SnippetLanguage | None, typer.Option(
        "--lang", show_default=False, help="Print only this snippet, as is.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Print ready-to-run examples that call the service."""
    show_answer(ctx, json_output,
                lambda client: _chosen(client.service_snippets(name), lang),
                lambda chosen: _print_snippets(chosen, lang))


def _chosen(found: dict[str, str], lang: SnippetLanguage | None) -> dict[str, str | None]:
    return dict(found) if lang is None else {lang.value: found.get(lang.value)}


def _print_snippets(chosen: dict[str, str | None], lang: SnippetLanguage | None) -> None:
    if lang is not None:
        typer.echo(chosen[lang.value] or "")
        return
    for index, (key, text) in enumerate(chosen.items()):
        print_heading(index, f"# {_SNIPPET_TITLES.get(key, key)}")
        typer.echo(text)
