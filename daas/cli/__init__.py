"""The ``daas`` command line (console script ``daas = "daas.cli:app"``)."""

from daas.cli.main import app

__all__ = ["app"]
