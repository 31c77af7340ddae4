"""Job definitions: create, change, list, show, export and delete jobs."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from daas.cli.answers import ask, show_answer
from daas.cli.jobs.display import print_job, schedule_text, styled_status
from daas.cli.output import JsonOption, short_time, stdout, table
from daas.client import Job, JobDetail


class Kind(str, Enum):
    predict = "predict"
    evaluate = "evaluate"
    script = "script"


NameArgument = Annotated[str, typer.Argument(help="Job name.")]

_Model = "Predict and evaluate"
_Script = "Script"
_Schedule = "Schedule"


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


def create(
    ctx: typer.Context,
    name: NameArgument,
    kind: Annotated[Kind, typer.Option(
        "--kind", "-k",
        help="What the job does (script: needs the code-execution permission).")] = Kind.predict,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", show_default=False, rich_help_panel=_Model,
        help="Model to score with.")] = None,
    version: Annotated[int | None, typer.Option(
        "--version", "-v", min=1, show_default=False, rich_help_panel=_Model,
        help="Model version (default: the latest when a run starts).")] = None,
    service: Annotated[str | None, typer.Option(
        "--service", show_default=False, rich_help_panel=_Model,
        help="Score with the model version this service serves when a run starts.")] = None,
    input_dataset: Annotated[str | None, typer.Option(
        "--input", "-i", show_default=False, rich_help_panel=_Model,
        help="Dataset to score.")] = None,
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
        help="script: an environment variable KEY=VALUE (repeat for more); write-only: "
        "shown as *** afterwards.")] = None,
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
        "--disabled", rich_help_panel=_Schedule,
        help="Create with the schedule switched off.")] = False,
    allow_overlap: Annotated[bool, typer.Option(
        "--allow-overlap", rich_help_panel=_Schedule,
        help="Let a run start while another is active.")] = False,
    no_catch_up: Annotated[bool, typer.Option(
        "--no-catch-up", rich_help_panel=_Schedule,
        help="Skip runs missed while the platform was down.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Create a job: batch predict, evaluate against labels, or run a Python script.

    Script jobs run your own code on the cluster, so they need the code-execution permission:
    platform admins and users granted code execution have it, and so does anyone with change
    on the job's group when the platform runs with DAAS_CODE_EXECUTION_ROLE=editor.
    Their --env values are write-only secrets: every answer shows them as ***.
    """
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
    options = {"schedule": schedule, "timezone": timezone,
               "enabled": False if disabled else None,
               "allow_overlap": True if allow_overlap else None,
               "catch_up": False if no_catch_up else None}
    show_answer(ctx, json_output,
                lambda client: client.create_job(name, kind.value, config, **options),
                lambda job: _print_created(name, job))


def _print_created(name: str, job: JobDetail) -> None:
    when = f"; next run {short_time(job['next_run'])} UTC" if job.get("next_run") else ""
    stdout().print(f"Created {job['kind']} job {name}{when}.", markup=False)


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
    """Change a job's schedule, time zone or switches.

    Changing a script job needs the code-execution permission (platform admins, users granted
    code execution, or change on the group with DAAS_CODE_EXECUTION_ROLE=editor).
    """
    if schedule is not None and unschedule:
        raise typer.BadParameter("give --schedule or --unschedule, not both",
                                 param_hint="--schedule")
    changes: dict[str, Any] = {key: value for key, value in {
        "schedule": schedule, "timezone": timezone, "enabled": enabled,
        "allow_overlap": allow_overlap}.items() if value is not None}
    if unschedule:
        changes["schedule"] = None
    if not changes:
        raise typer.BadParameter("nothing to change")
    show_answer(ctx, json_output, lambda client: client.update_job(name, **changes), print_job)


def delete(ctx: typer.Context, name: NameArgument,
           yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False) -> None:
    """Delete a job and its run history (its output datasets stay)."""
    if not yes:
        typer.confirm(f"Delete job {name} and its run history?", abort=True)
    ask(ctx, lambda client: client.delete_job(name))
    stdout().print(f"Deleted job {name}.", markup=False)


def list_jobs(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List jobs with their schedule, next run and latest run."""
    show_answer(ctx, json_output, lambda client: client.list_jobs(), _print_jobs,
                empty="No jobs yet; create one with `daas jobs create`.")


def _print_jobs(found: list[Job]) -> None:
    listing = table(None, ("Name", "Group", "Kind", "Schedule", "Next run (UTC)", "Last run"),
                    ())
    for job in found:
        last = job.get("last_run")
        listing.add_row(Text(job["name"]), Text(job.get("group") or ""), Text(job["kind"]),
                        Text(schedule_text(job)),
                        Text(short_time(job.get("next_run"))),
                        Text.assemble(f"{last['id']} ", styled_status(last["status"]))
                        if last else Text(""))
    stdout().print(listing)


def show(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """Show a job's configuration, schedule and next run times."""
    show_answer(ctx, json_output, lambda client: client.get_job(name), print_job)


def script(
    ctx: typer.Context,
    name: NameArgument,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False, show_default=False,
        help="Write the script to this file instead of printing it.")] = None,
) -> None:
    """Print the job as a standalone Python script (a script job's own source).

    A script job's source is shown only to callers with the code-execution permission
    (platform admins, users granted code execution, or change on the group with
    DAAS_CODE_EXECUTION_ROLE=editor).
    """
    text = ask(ctx, lambda client: client.job_script(name))
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    output.write_text(text, encoding="utf-8")
    stdout().print(f"Wrote {output}.", markup=False)
