"""How jobs and runs look on the command line."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from daas.cli.output import (
    RUN_STATUS_STYLES,
    cell,
    key_values,
    short_time,
    stdout,
    styled,
)
from daas.client import Job, Run


def styled_status(status: str | None) -> Text:
    """A run status in its colour."""
    return styled(status, RUN_STATUS_STYLES)


def schedule_text(job: Job) -> str:
    """A job's schedule in words: ``on demand``, or its cron expression and time zone."""
    if not job.get("schedule"):
        return "on demand"
    text = f"{job['schedule']} ({job['timezone']})"
    return text if job.get("enabled") else f"{text}, disabled"


def print_job(job: Job) -> None:
    """A job's kind, schedule, configuration, last run and next run times."""
    console = stdout()
    console.print(Text.assemble((job["name"], "bold"), "  ", job["kind"]))
    config = job.get("config") or {}
    rows: list[tuple[str, Any]] = [("Group", job.get("group")),
                                   ("Schedule", schedule_text(job)),
                                   ("Overlap", "allowed" if job.get("allow_overlap") else "no"),
                                   ("Catch up", cell(job.get("catch_up")))]
    if job["kind"] == "script":
        lines = len((config.get("source") or "").splitlines())
        script = ("hidden: needs the code-execution permission"
                  if "source" in (job.get("withheld") or []) else f"{lines} lines")
        rows += [("Script", script), ("Args", cell(config.get("args"))),
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
    rows += [("Last run", f"{last['id']} {last['status']} ({short_time(last['created'])})"
              if last else ""),
             ("Created", f"{short_time(job.get('created'))} by {job.get('created_by') or '?'}")]
    console.print(key_values(rows))
    upcoming = job.get("next_runs") or []
    if upcoming:
        console.print("Next runs (UTC):", style="bold")
        for moment in upcoming:
            console.print(f"  {short_time(moment)}", markup=False)


def run_line(run: Run) -> str:
    """One line on a run: status, rows, output, duration and error."""
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
