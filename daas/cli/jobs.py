"""``daas jobs ...``: batch predict, evaluate and script jobs, on demand or on a schedule."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from daas.cli.output import JsonOption, cell, key_values, print_json, short_time, stderr, stdout, table
from daas.cli.state import state_of
from daas.client import DaasClient
from daas.client_jobs import Job, Run, RunFailed

app = typer.Typer(help="Batch predict, evaluate and script jobs, on demand or on a schedule.",
                  no_args_is_help=True)

#: Seconds between two polls while following a run.
POLL_INTERVAL_S = 1.0
#: How to pass that time (tests swap it for a step of their fake driver).
pause_between_polls: Callable[[float], None] = time.sleep

STATUS_STYLES = {"succeeded": "green", "running": "yellow", "pending": "yellow",
                 "pausing": "blue", "paused": "blue", "stopping": "magenta", "stopped": "magenta",
                 "failed": "red"}


class Kind(str, Enum):
    predict = "predict"
    evaluate = "evaluate"
    script = "script"


NameArgument = Annotated[str, typer.Argument(help="Job name.")]
RunIdArgument = Annotated[int, typer.Argument(metavar="RUN_ID", help="From `daas jobs runs NAME`.")]
FollowOption = Annotated[bool, typer.Option(
    "--follow", "-f", help="Show progress until the run succeeds, fails, stops or pauses.")]

_Model = "Predict and evaluate"
_Script = "Script"
_Schedule = "Schedule"


def _styled(status: str | None) -> Text:
    return Text(status or "", style=STATUS_STYLES.get(status or "", ""))


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, separator, rest = value.partition("=")
        if not separator or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint=flag)
        pairs[key] = rest
    return pairs


def _names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


# -- definitions ---------------------------------------------------------------------------

@app.command()
def create(
    ctx: typer.Context,
    name: NameArgument,
    kind: Annotated[Kind, typer.Option("--kind", "-k", help="What the job does.")] = Kind.predict,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", show_default=False, rich_help_panel=_Model, help="Model to score with.")] = None,
    version: Annotated[int | None, typer.Option(
        "--version", "-v", min=1, show_default=False, rich_help_panel=_Model,
        help="Model version (default: the latest when a run starts).")] = None,
    service: Annotated[str | None, typer.Option(
        "--service", show_default=False, rich_help_panel=_Model,
        help="Score with the model version this service serves when a run starts.")] = None,
    input_dataset: Annotated[str | None, typer.Option(
        "--input", "-i", show_default=False, rich_help_panel=_Model, help="Dataset to score.")] = None,
    output_dataset: Annotated[str | None, typer.Option(
        "--output", "-o", show_default=False, rich_help_panel=_Model,
        help="New dataset of predictions; {run} and {date} are filled in per run.")] = None,
    passthrough: Annotated[str | None, typer.Option(
        "--passthrough", show_default=False, rich_help_panel=_Model,
        help="Input columns to copy to the output, comma-separated.")] = None,
    label: Annotated[str | None, typer.Option(
        "--label", show_default=False, rich_help_panel=_Model,
        help="evaluate: the column holding the true values.")] = None,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", min=1, show_default=False, rich_help_panel=_Model,
        help="Rows per model call.")] = None,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", min=1, show_default=False, rich_help_panel=_Model,
        help="Model copies scoring in parallel.")] = None,
    cpus: Annotated[float | None, typer.Option(
        "--cpus", min=0, show_default=False, rich_help_panel=_Model,
        help="CPUs per model copy.")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", exists=True, dir_okay=False, readable=True, show_default=False,
        rich_help_panel=_Script, help="script: the Python file to run.")] = None,
    args: Annotated[list[str] | None, typer.Option(
        "--arg", show_default=False, rich_help_panel=_Script,
        help="script: a command-line argument (repeat for more).")] = None,
    env: Annotated[list[str] | None, typer.Option(
        "--env", show_default=False, rich_help_panel=_Script,
        help="script: an environment variable KEY=VALUE (repeat for more).")] = None,
    pip: Annotated[list[str] | None, typer.Option(
        "--pip", show_default=False, rich_help_panel=_Script,
        help="script: a package to install for the run (repeat for more).")] = None,
    schedule: Annotated[str | None, typer.Option(
        "--schedule", show_default=False, rich_help_panel=_Schedule,
        help='Cron expression, e.g. "*/5 * * * *" (default: run on demand only).')] = None,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", show_default=False, rich_help_panel=_Schedule,
        help="IANA time zone of the schedule, e.g. Europe/Paris (default: UTC).")] = None,
    disabled: Annotated[bool, typer.Option(
        "--disabled", rich_help_panel=_Schedule, help="Create with the schedule switched off.")] = False,
    allow_overlap: Annotated[bool, typer.Option(
        "--allow-overlap", rich_help_panel=_Schedule,
        help="Let a run start while another is active.")] = False,
    no_catch_up: Annotated[bool, typer.Option(
        "--no-catch-up", rich_help_panel=_Schedule,
        help="Skip runs missed while the platform was down.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Create a job: batch predict, evaluate against labels, or run a Python script."""
    if kind is Kind.script:
        if file is None:
            raise typer.BadParameter("a script job needs --file", param_hint="--file")
        config: dict[str, Any] = {"source": file.read_text(encoding="utf-8"), "args": args or [],
                                  "env": _pairs(env or [], "--env"), "pip": pip or []}
    else:
        if file is not None or args or env or pip:
            raise typer.BadParameter("--file, --arg, --env and --pip are for script jobs",
                                     param_hint="--kind")
        config = {key: value for key, value in {
            "model": model, "version": version, "service": service,
            "input_dataset": input_dataset, "output_dataset": output_dataset,
            "passthrough": _names(passthrough) or None, "label_column": label,
            "batch_size": batch_size, "concurrency": concurrency, "num_cpus": cpus,
        }.items() if value is not None}
    with state_of(ctx).client() as client:
        job = client.create_job(name, kind.value, config, schedule=schedule, timezone=timezone,
                                enabled=False if disabled else None,
                                allow_overlap=True if allow_overlap else None,
                                catch_up=False if no_catch_up else None)
    if state_of(ctx).wants_json(json_output):
        print_json(job)
        return
    when = f"; next run {short_time(job['next_run'])} UTC" if job.get("next_run") else ""
    stdout().print(f"Created {job['kind']} job {name}{when}.", markup=False)


@app.command()
def update(
    ctx: typer.Context,
    name: NameArgument,
    schedule: Annotated[str | None, typer.Option(
        "--schedule", show_default=False, help="New cron expression.")] = None,
    unschedule: Annotated[bool, typer.Option(
        "--unschedule", help="Remove the schedule: run on demand only.")] = False,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", show_default=False, help="IANA time zone of the schedule.")] = None,
    enabled: Annotated[bool | None, typer.Option(
        "--enable/--disable", show_default=False, help="Switch the schedule on or off.")] = None,
    allow_overlap: Annotated[bool | None, typer.Option(
        "--allow-overlap/--no-overlap", show_default=False,
        help="Whether a run may start while another is active.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Change a job's schedule, time zone or switches."""
    if schedule is not None and unschedule:
        raise typer.BadParameter("give --schedule or --unschedule, not both", param_hint="--schedule")
    changes: dict[str, Any] = {key: value for key, value in {
        "schedule": schedule, "timezone": timezone, "enabled": enabled,
        "allow_overlap": allow_overlap}.items() if value is not None}
    if unschedule:
        changes["schedule"] = None
    if not changes:
        raise typer.BadParameter("nothing to change")
    with state_of(ctx).client() as client:
        job = client.update_job(name, **changes)
    if state_of(ctx).wants_json(json_output):
        print_json(job)
        return
    _print_job(job)


@app.command()
def delete(ctx: typer.Context, name: NameArgument,
           yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False) -> None:
    """Delete a job and its run history (its output datasets stay)."""
    if not yes:
        typer.confirm(f"Delete job {name} and its run history?", abort=True)
    with state_of(ctx).client() as client:
        client.delete_job(name)
    stdout().print(f"Deleted job {name}.", markup=False)


@app.command("list")
def list_jobs(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List jobs with their schedule, next run and latest run."""
    with state_of(ctx).client() as client:
        found = client.list_jobs()
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    if not found:
        stdout().print("No jobs yet; create one with `daas jobs create`.", markup=False)
        return
    listing = table(None, ("Name", "Kind", "Schedule", "Next run (UTC)", "Last run"), ())
    for job in found:
        last = job.get("last_run")
        listing.add_row(Text(job["name"]), Text(job["kind"]), Text(_schedule_text(job)),
                        Text(short_time(job.get("next_run"))),
                        Text.assemble(f"{last['id']} ", _styled(last["status"])) if last else Text(""))
    stdout().print(listing)


def _schedule_text(job: Job) -> str:
    if not job.get("schedule"):
        return "on demand"
    text = f"{job['schedule']} ({job['timezone']})"
    return text if job.get("enabled") else f"{text}, disabled"


def _print_job(job: Job) -> None:
    console = stdout()
    console.print(Text.assemble((job["name"], "bold"), "  ", job["kind"]))
    config = job.get("config") or {}
    rows: list[tuple[str, Any]] = [("Schedule", _schedule_text(job)),
                                   ("Overlap", "allowed" if job.get("allow_overlap") else "no"),
                                   ("Catch up", cell(job.get("catch_up")))]
    if job["kind"] == "script":
        lines = len((config.get("source") or "").splitlines())
        rows += [("Script", f"{lines} lines"), ("Args", cell(config.get("args"))),
                 ("Env", cell(config.get("env"))), ("Pip", cell(config.get("pip")))]
    else:
        model = (f"{config['model']} version {config.get('version') or 'latest'}"
                 if config.get("model") else f"served by {config.get('service')}")
        rows += [("Model", model), ("Input", config.get("input_dataset")),
                 ("Output", config.get("output_dataset")),
                 ("Passthrough", cell(config.get("passthrough"))),
                 ("Label", config.get("label_column")),
                 ("Batch size", cell(config.get("batch_size"))),
                 ("Concurrency", cell(config.get("concurrency"))),
                 ("CPUs", cell(config.get("num_cpus")))]
    last = job.get("last_run")
    rows += [("Last run", f"{last['id']} {last['status']} ({short_time(last['created'])})" if last else ""),
             ("Created", f"{short_time(job.get('created'))} by {job.get('created_by') or '?'}")]
    console.print(key_values(rows))
    upcoming = job.get("next_runs") or []
    if upcoming:
        console.print("Next runs (UTC):", style="bold")
        for moment in upcoming:
            console.print(f"  {short_time(moment)}", markup=False)


@app.command()
def show(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """Show a job's configuration, schedule and next run times."""
    with state_of(ctx).client() as client:
        job = client.get_job(name)
    if state_of(ctx).wants_json(json_output):
        print_json(job)
        return
    _print_job(job)


@app.command()
def script(
    ctx: typer.Context,
    name: NameArgument,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False, show_default=False,
        help="Write the script to this file instead of printing it.")] = None,
) -> None:
    """Print the job as a standalone Python script (a script job's own source)."""
    with state_of(ctx).client() as client:
        text = client.job_script(name)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    output.write_text(text, encoding="utf-8")
    stdout().print(f"Wrote {output}.", markup=False)


# -- runs ----------------------------------------------------------------------------------

def _run_line(run: Run) -> str:
    line = f"Run {run['id']} of {run['job']} {run['status']}"
    if run.get("rows_total"):
        line += f": {run['rows_done']}/{run['rows_total']} rows"
    if run.get("output_dataset") and run["status"] == "succeeded":
        line += f" -> dataset {run['output_dataset']}"
    if run.get("duration_s") is not None and run["status"] in ("succeeded", "failed", "stopped"):
        line += f" in {run['duration_s']:.1f} s"
    if run.get("error"):
        line += f" ({run['error']})"
    return line + "."


@contextmanager
def _progress_bar(run_id: int) -> Iterator[Callable[[Run], None]]:
    """A progress bar of rows scored on stderr (one line per change when not a terminal)."""
    console = stderr()
    if not console.is_terminal:
        last: list[str] = []

        def note(run: Run) -> None:
            line = _run_line(run)
            if last != [line]:
                last[:] = [line]
                console.print(line, markup=False, highlight=False)

        yield note
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
        return client.wait_for_run(run_id, interval=POLL_INTERVAL_S, on_poll=show,
                                   sleep=pause_between_polls)


def _report(ctx: typer.Context, json_output: bool, run: Run) -> None:
    if state_of(ctx).wants_json(json_output):
        print_json(run)
        return
    style = {"failed": "red", "succeeded": "green"}.get(run["status"])
    stdout().print(_run_line(run), style=style, markup=False, highlight=False)


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


@app.command()
def run(ctx: typer.Context, name: NameArgument, follow: FollowOption = False,
        json_output: JsonOption = False) -> None:
    """Start a run of a job now."""
    with state_of(ctx).client() as client:
        started = client.run_job(name)
        _start_or_follow(ctx, json_output, client, started, follow)


@app.command("continue")
def continue_run(ctx: typer.Context, run_id: RunIdArgument, follow: FollowOption = False,
                 json_output: JsonOption = False) -> None:
    """Continue a paused run where it stopped."""
    with state_of(ctx).client() as client:
        continued = client.continue_run(run_id)
        _start_or_follow(ctx, json_output, client, continued, follow)


@app.command()
def runs(
    ctx: typer.Context,
    name: NameArgument,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many, newest first.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """List a job's runs, newest first."""
    with state_of(ctx).client() as client:
        found = client.job_runs(name, limit=limit)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    if not found:
        stdout().print(f"Job {name} has not run yet.", markup=False)
        return
    listing = table(None, ("Run", "Status", "Trigger", "Created", "Duration", "Rows", "Output", "Error"), ())
    for item in found:
        rows = (f"{item['rows_done']}/{item['rows_total']}" if item.get("rows_total")
                else cell(item.get("rows_done") or None))
        duration = f"{item['duration_s']:.1f} s" if item.get("duration_s") is not None else ""
        listing.add_row(Text(str(item["id"])), _styled(item["status"]), Text(item["trigger"]),
                        Text(short_time(item["created"])), Text(duration), Text(rows),
                        Text(item.get("output_dataset") or "" if item["status"] == "succeeded" else ""),
                        Text(item.get("error") or ""))
    stdout().print(listing)


@app.command()
def status(ctx: typer.Context, run_id: RunIdArgument, follow: FollowOption = False,
           json_output: JsonOption = False) -> None:
    """Show one run (and follow it with --follow)."""
    with state_of(ctx).client() as client:
        _start_or_follow(ctx, json_output, client, client.get_run(run_id), follow)


@app.command()
def stop(ctx: typer.Context, run_id: RunIdArgument, json_output: JsonOption = False) -> None:
    """Stop a run; its partial output is deleted."""
    with state_of(ctx).client() as client:
        _report(ctx, json_output, client.stop_run(run_id))


@app.command()
def pause(ctx: typer.Context, run_id: RunIdArgument, json_output: JsonOption = False) -> None:
    """Pause a run after its in-flight chunks; `daas jobs continue` picks it up again."""
    with state_of(ctx).client() as client:
        _report(ctx, json_output, client.pause_run(run_id))


@app.command()
def logs(
    ctx: typer.Context,
    run_id: RunIdArgument,
    tail: Annotated[int | None, typer.Option(
        "--tail", "-n", min=1, show_default=False, help="Only the last lines of each submission.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Print what a run's Ray job printed."""
    with state_of(ctx).client() as client:
        found = client.run_logs(run_id, tail=tail)
    if state_of(ctx).wants_json(json_output):
        print_json(found)
        return
    entries = found.get("logs") or []
    if not entries:
        stdout().print(f"Run {run_id} has no Ray job (it never started).", markup=False)
        return
    for index, entry in enumerate(entries):
        if len(entries) > 1:
            if index:
                typer.echo()
            stdout().print(f"==> {entry['submission_id']} <==", style="bold", markup=False)
        typer.echo(entry["text"], nl=not entry["text"].endswith("\n"))
