"""``python -m daas.cli``: the same as the ``daas`` command."""

from daas.cli import app

app(prog_name="daas")
