"""How the CLI prints: rich tables for people, plain JSON for scripts, red errors on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from daas.errors import DaasError

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
DataOption = Annotated[str | None, typer.Option(
    "--data", show_default=False,
    help='JSON: one record, a list of records, or {"data": ...}/{"inputs": ...}.')]


# Consoles are built per call so they follow the streams and terminal of the moment.
def stdout() -> Console:
    """The console for results."""
    return Console()


def stderr() -> Console:
    """The console for progress and errors."""
    return Console(stderr=True)


def print_json(value: Any) -> None:
    """Print a value as indented JSON, unstyled so it can be piped into other tools."""
    typer.echo(json.dumps(value, indent=2, default=str))


def print_outcome(as_json: bool, value: Any, line: str, style: str | None) -> None:
    """The outcome of a command: ``value`` as JSON for scripts, else one ``line`` for people."""
    if as_json:
        print_json(value)
        return
    stdout().print(line, style=style, markup=False, highlight=False)


#: Details an error names on lines of their own: the input at fault, or the permission
#: a refused caller needs and the group it is needed on.
_LOCATING_DETAILS = ("field", "row", "permission", "group")


def report_error(error: DaasError) -> None:
    """Print an error's message, and the field, row or permission it names, in red on stderr."""
    console = stderr()

    def say(text: str) -> None:
        console.print(text, style="red", markup=False, highlight=False, soft_wrap=True)

    say(f"error: {error.message}")
    details = error.details
    if isinstance(details, Mapping):
        located = {key: details[key] for key in _LOCATING_DETAILS
                   if details.get(key) is not None}
        for key, value in located.items():
            say(f"  {key}: {value}")
        rest = {key: value for key, value in details.items() if key not in located}
        if rest:
            say(f"  details: {json.dumps(rest, default=str)}")
    elif details not in (None, "", [], {}):
        say(f"  details: {json.dumps(details, default=str)}")


def cell(value: Any) -> str:
    """A value as table text: blanks for missing values, short floats, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={cell(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(item) for item in value)
    return str(value)


def short_time(value: str | None) -> str:
    """An ISO timestamp to the second, e.g. ``2025-01-31 12:00:05``."""
    if not value:
        return ""
    return value.replace("T", " ")[:19]


def human_size(size: int | None) -> str:
    """A byte count for people: ``5.2 kB``."""
    if size is None:
        return ""
    amount = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1000
    return f"{size} B"


def binary_size(size: int | None) -> str:
    """Bytes the way they are given to the deploy form: ``512Mi``, ``1.5Gi``."""
    if not size:
        return ""
    for unit, factor in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if size >= factor:
            return f"{size / factor:.4g}{unit}"
    return str(size)


#: Colours of a service's states.
SERVICE_STATE_STYLES = {"running": "green", "deploying": "yellow", "scaling": "yellow", "failed": "red",
                        "paused": "blue", "deleting": "magenta", "queued": "yellow",
                        "succeeded": "green"}
#: Colours of a batch run's statuses.
RUN_STATUS_STYLES = {"succeeded": "green", "running": "yellow", "pending": "yellow",
                     "pausing": "blue", "paused": "blue", "stopping": "magenta",
                     "stopped": "magenta", "failed": "red"}


def styled(state: str | None, styles: Mapping[str, str]) -> Text:
    """A state (or status) as text in its colour from ``styles``."""
    return Text(state or "", style=styles.get((state or "").lower(), ""))


def table(title: str | None, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> Table:
    """A rich table whose cells are rendered with :func:`cell`."""
    result = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, overflow="fold")
    for row in rows:
        result.add_row(*(Text(value if isinstance(value, str) else cell(value)) for value in row))
    return result


def print_page(page: Mapping[str, Any], what: str, columns: Sequence[str],
               row: Callable[[Any], Iterable[Any]]) -> None:
    """One page of a listing as a table of ``row(item)``, saying which part of the whole it is."""
    items = page["items"]
    console = stdout()
    if not items:
        console.print(f"No {what}." if page["total"] == 0 else f"No {what} on this page.")
        return
    console.print(table(None, columns, (row(item) for item in items)))
    if page["total"] > len(items):
        first = page["offset"] + 1
        console.print(f"{what.capitalize()} {first}-{first + len(items) - 1} of {page['total']}.",
                      style="dim")


def key_values(rows: Iterable[tuple[str, Any]]) -> Table:
    """A two-column table of labelled values (blank values are left out)."""
    result = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    result.add_column(style="bold")
    result.add_column(overflow="fold")
    for key, value in rows:
        text = value if isinstance(value, str) else cell(value)
        if text:
            result.add_row(key, Text(text))
    return result


@contextmanager
def upload_progress(path: Path, finishing: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for sending ``path``; once all bytes are sent it shows ``finishing``
    (what the server does next, e.g. "Checking"). Yields the client's progress callback."""
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    console = stderr()
    with Progress(*columns, console=console, transient=True,
                  disable=not console.is_terminal) as progress:
        task = progress.add_task(f"Uploading {path.name}", total=path.stat().st_size)

        def report(done: int, total: int) -> None:
            verb = finishing if done >= total else "Uploading"
            progress.update(task, completed=done, total=total, description=f"{verb} {path.name}")

        yield report


def parse_data(text: str) -> Any:
    """The JSON given to ``--data``, or a usage error naming the option."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not valid JSON: {exc}", param_hint="--data") from None


def print_predictions(heading: str, result: Mapping[str, Any]) -> None:
    """A scoring answer: ``heading`` and the task, dimmed, then the predictions as a table."""
    console = stdout()
    console.print(f"{heading} ({result.get('task') or 'predictions'})", style="dim", markup=False)
    console.print(predictions_table(result["predictions"]))


def print_heading(index: int, heading: str) -> None:
    """The bold ``heading`` of section ``index``, after a blank line unless it is the first."""
    if index:
        typer.echo()
    stdout().print(heading, style="bold", markup=False)


def predictions_table(predictions: list[dict[str, Any]]) -> Any:
    """Prediction rows as a table: task-level fields, else the raw outputs."""
    task_fields = [key for key in ("label", "value", "cluster", "components", "probabilities")
                   if any(key in prediction for prediction in predictions)]
    output_names: list[str] = []
    if not task_fields:
        for prediction in predictions:
            for key in prediction.get("outputs") or {}:
                if key not in output_names:
                    output_names.append(key)
    columns = ["#", *(field.capitalize() for field in task_fields), *output_names]
    rows = [
        [str(index), *(prediction.get(field) for field in task_fields),
         *((prediction.get("outputs") or {}).get(key) for key in output_names)]
        for index, prediction in enumerate(predictions)
    ]
    return table(None, columns, rows)
