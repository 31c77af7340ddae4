"""``daas jobs ...``: batch predict, evaluate and script jobs, on demand or on a schedule."""

from __future__ import annotations

import typer

from daas.cli.jobs import definitions, runs

app = typer.Typer(help="Batch predict, evaluate and script jobs, on demand or on a schedule.",
                  no_args_is_help=True)

#: The commands, in the order ``daas jobs --help`` lists them.
COMMANDS = (
    ("create", definitions.create),
    ("update", definitions.update),
    ("delete", definitions.delete),
    ("list", definitions.list_jobs),
    ("show", definitions.show),
    ("script", definitions.script),
    ("run", runs.run),
    ("continue", runs.continue_run),
    ("runs", runs.runs),
    ("status", runs.status),
    ("stop", runs.stop),
    ("pause", runs.pause),
    ("logs", runs.logs),
)

for _name, _command in COMMANDS:
    app.command(_name)(_command)
