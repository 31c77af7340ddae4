"""Runs of jobs: start, follow, list, stop, pause and continue them, and read their logs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from daas.cli import waiting
from daas.cli.answers import show_answer
from daas.cli.jobs.definitions import NameArgument
from daas.cli.jobs.display import run_line, styled_status
from daas.cli.output import (
    JsonOption,
    cell,
    print_heading,
    print_outcome,
    short_time,
    stderr,
    stdout,
    table,
)
from daas.cli.state import state_of
from daas.client import DaasClient, Run, RunFailed, RunLogs

RunIdArgument = Annotated[int, typer.Argument(metavar="RUN_ID", help="From `daas jobs runs NAME`.")]
FollowOption = Annotated[bool, typer.Option(
    "--follow", "-f", help="Show progress until the run succeeds, fails, stops or pauses.")]
TailOption = Annotated[int | None, typer.Option(
    "--tail", "-n", min=1, show_default=False, help="Only the last lines of each submission.")]


@contextmanager
def _progress_bar(run_id: int) -> Iterator[Callable[[Run], None]]:
    """A progress bar of rows scored on stderr (one line per change when not a terminal)."""
    console = stderr()
    if not console.is_terminal:
        yield waiting.each_change_once(run_line)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("rows"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"run {run_id}: pending", total=None)

        def show(run: Run) -> None:
            progress.update(task, description=f"run {run_id}: {run['status']}",
                            total=run.get("rows_total"), completed=run.get("rows_done") or 0)

        yield show


def _follow(client: DaasClient, run_id: int) -> Run:
    with _progress_bar(run_id) as show:
        return client.wait_for_run(run_id, on_poll=show, **waiting.poll_pace())


def _report(ctx: typer.Context, json_output: bool, run: Run) -> None:
    print_outcome(state_of(ctx).wants_json(json_output), run, run_line(run),
                  {"failed": "red", "succeeded": "green"}.get(run["status"]))


def _start_or_follow(ctx: typer.Context, json_output: bool, client: DaasClient, run: Run,
                     follow: bool) -> None:
    if follow and run["status"] != "failed":
        try:
            run = _follow(client, run["id"])
        except RunFailed as failure:
            _report(ctx, json_output, failure.run)
            raise typer.Exit(1) from None
    _report(ctx, json_output, run)
    if run["status"] == "failed":
        raise typer.Exit(1)


def run(ctx: typer.Context, name: NameArgument, follow: FollowOption = False,
        json_output: JsonOption = False) -> None:
    """Start a run of a job now.

    Running a script job needs the code-execution permission (platform admins, users granted
    code execution, or change on the group when the platform runs with
    DAAS_CODE_EXECUTION_ROLE=editor).
    """
    with state_of(ctx).client() as client:
        started = client.run_job(name)
        _start_or_follow(ctx, json_output, client, started, follow)


def continue_run(ctx: typer.Context, run_id: RunIdArgument, follow: FollowOption = False,
                 json_output: JsonOption = False) -> None:
    """Continue a paused run where it stopped."""
    with state_of(ctx).client() as client:
        continued = client.continue_run(run_id)
        _start_or_follow(ctx, json_output, client, continued, follow)


def runs(
    ctx: typer.Context,
    name: NameArgument,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1,
                                       help="How many, newest first.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """List a job's runs, newest first."""
    show_answer(ctx, json_output, lambda client: client.job_runs(name, limit=limit), _print_runs,
                empty=f"Job {name} has not run yet.")


def _print_runs(found: list[Run]) -> None:
    listing = table(None, ("Run", "Status", "Trigger", "Created", "Duration", "Rows", "Output",
                           "Error"), ())
    for item in found:
        rows = (f"{item['rows_done']}/{item['rows_total']}" if item.get("rows_total")
                else cell(item.get("rows_done") or None))
        duration = f"{item['duration_s']:.1f} s" if item.get("duration_s") is not None else ""
        listing.add_row(Text(str(item["id"])), styled_status(item["status"]), Text(item["trigger"]),
                        Text(short_time(item["created"])), Text(duration), Text(rows),
                        Text(item.get("output_dataset") or ""
                             if item["status"] == "succeeded" else ""),
                        Text(item.get("error") or ""))
    stdout().print(listing)


def status(ctx: typer.Context, run_id: RunIdArgument, follow: FollowOption = False,
           json_output: JsonOption = False) -> None:
    """Show one run (and follow it with --follow)."""
    with state_of(ctx).client() as client:
        _start_or_follow(ctx, json_output, client, client.get_run(run_id), follow)


def stop(ctx: typer.Context, run_id: RunIdArgument, json_output: JsonOption = False) -> None:
    """Stop a run; its partial output is deleted."""
    with state_of(ctx).client() as client:
        _report(ctx, json_output, client.stop_run(run_id))


def pause(ctx: typer.Context, run_id: RunIdArgument, json_output: JsonOption = False) -> None:
    """Pause a run after its in-flight chunks; `daas jobs continue` picks it up again."""
    with state_of(ctx).client() as client:
        _report(ctx, json_output, client.pause_run(run_id))


def logs(ctx: typer.Context, run_id: RunIdArgument, tail: TailOption = None,
         json_output: JsonOption = False) -> None:
    """Print what a run's Ray job printed."""
    show_answer(ctx, json_output, lambda client: client.run_logs(run_id, tail=tail),
                lambda found: _print_logs(run_id, found))


def _print_logs(run_id: int, found: RunLogs) -> None:
    entries = found.get("logs") or []
    if not entries:
        stdout().print(f"Run {run_id} has no Ray job (it never started).", markup=False)
        return
    for index, entry in enumerate(entries):
        if len(entries) > 1:
            print_heading(index, f"==> {entry['submission_id']} <==")
        typer.echo(entry["text"], nl=not entry["text"].endswith("\n"))
