"""The ``daas`` command: global options, error reporting, and the command tree."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from daas import __version__
from daas.cli import datasets, groups, jobs, lifecycle, models, services, tokens, users
from daas.cli.output import report_error
from daas.cli.state import CliState, default_url
from daas.errors import DaasError, exit_code_for


class _ReportingGroup(TyperGroup):
    """Turns any DaasError raised by a command into a red message and its exit code."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DaasError as error:
            report_error(error)
            raise typer.Exit(exit_code_for(error)) from None


app = typer.Typer(
    cls=_ReportingGroup,
    name="daas",
    help="Deploy PMML and ONNX models as services on Ray.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"daas {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option(
        "--url", envvar="DAAS_URL", show_default=False,
        help="Base URL of the platform's API (default: this machine's, "
             "http://127.0.0.1:8000 unless DAAS_HOST/DAAS_PORT say otherwise).")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="DAAS_TOKEN", show_default=False,
        help="API token (default: the admin token saved by `daas up`).")] = None,
    group: Annotated[str | None, typer.Option(
        "--group", "-g", envvar="DAAS_GROUP", show_default=False,
        help="Group (project) that models, services, datasets and jobs are in "
             "(default: your default group; lists show every group you may read).")] = None,
    json_output: Annotated[bool, typer.Option(
        "--json", help="Print results as JSON instead of tables.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Deploy PMML and ONNX models as services on Ray."""
    ctx.obj = CliState(url=url or default_url(), token=token, json=json_output,
                       group=group or None)


lifecycle.register(app)
app.add_typer(models.app, name="models")
app.add_typer(services.app, name="services")
app.add_typer(tokens.app, name="tokens")
app.add_typer(groups.app, name="groups")
app.add_typer(users.app, name="users")
app.add_typer(datasets.app, name="datasets")
app.add_typer(jobs.app, name="jobs")
