"""``daas services ...``: deploy models as services, operate them, and call them."""

from __future__ import annotations

import typer

from daas.cli.services import calls, lifecycle, observation

app = typer.Typer(help="Deploy models as services, operate them and call them.",
                  no_args_is_help=True)

#: The commands, in the order ``daas services --help`` lists them.
COMMANDS = (
    ("deploy", lifecycle.deploy),
    ("list", observation.list_services),
    ("show", observation.show),
    ("pause", lifecycle.pause),
    ("resume", lifecycle.resume),
    ("delete", lifecycle.delete),
    ("scale", lifecycle.scale),
    ("update", lifecycle.update),
    ("rollback", lifecycle.rollback),
    ("rotate-key", lifecycle.rotate_key),
    ("replicas", observation.replicas),
    ("restart-replica", lifecycle.restart_replica),
    ("logs", observation.logs),
    ("events", observation.events),
    ("metrics", observation.metrics),
    ("snippets", calls.snippets),
    ("predict", calls.predict),
    ("request", calls.request),
)

for _name, _command in COMMANDS:
    app.command(_name)(_command)
