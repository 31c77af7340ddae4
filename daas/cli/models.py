"""``daas models ...``: upload, inspect, try out, download and delete models."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from daas.cli.answers import ask, show_answer
from daas.cli.output import (
    DataOption,
    JsonOption,
    cell,
    human_size,
    key_values,
    parse_data,
    print_json,
    print_page,
    print_predictions,
    short_time,
    stdout,
    table,
    upload_progress,
)
from daas.cli.state import state_of
from daas.client import (
    DaasClient,
    ModelDetail,
    ModelPage,
    ModelSchema,
    ModelVersion,
    Variable,
)

app = typer.Typer(help="Upload, inspect, test, download and delete models.",
                  no_args_is_help=True)


class ModelFormat(str, Enum):
    pmml = "pmml"
    onnx = "onnx"


NameArgument = Annotated[str, typer.Argument(help="Model name.")]
VersionOption = Annotated[int | None, typer.Option(
    "--version", "-v", min=1, show_default=False, help="Model version (default: latest).")]


def _version_summary(version: ModelVersion) -> list[tuple[str, Any]]:
    return [
        ("Model", version["name"]),
        ("Version", str(version["version"])),
        ("Format", version.get("format")),
        ("Engine", version.get("engine")),
        ("Algorithm", version.get("algorithm")),
        ("Task", version.get("task")),
        ("Size", human_size(version.get("size"))),
        ("SHA-256", version.get("sha256")),
        ("Description", version.get("description")),
    ]


@app.command()
def upload(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True, help="The PMML or ONNX model file.")],
    name: Annotated[str | None, typer.Option(
        "--name", "-n", show_default=False,
        help="Model name (default: the file name without extension); "
             "uploading the same name again adds a version.")] = None,
    description: Annotated[str | None, typer.Option(
        "--description", "-d", show_default=False)] = None,
    fmt: Annotated[ModelFormat | None, typer.Option(
        "--format", show_default=False, help="Model format (default: detected).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Upload a model file as a new version of a model (in the group of --group)."""
    show_answer(ctx, json_output,
                lambda client: _upload(client, file, name or file.stem, description,
                                       fmt.value if fmt else None),
                _print_uploaded)


def _upload(client: DaasClient, file: Path, name: str, description: str | None,
            fmt: str | None) -> ModelVersion:
    with upload_progress(file, "Checking") as report:
        return client.upload_model(file, name, description, fmt, progress=report)


def _print_uploaded(version: ModelVersion) -> None:
    console = stdout()
    console.print(f"Uploaded {version['name']} version {version['version']}.",
                  style="green", markup=False)
    console.print(key_values(_version_summary(version)))


@app.command("list")
def list_models(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Option(
        "--query", "-q", show_default=False,
        help="Text to look for in names and descriptions.")] = None,
    fmt: Annotated[ModelFormat | None, typer.Option("--format", show_default=False)] = None,
    task: Annotated[str | None, typer.Option(
        "--task", show_default=False, help="e.g. classification, regression, clustering.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    json_output: JsonOption = False,
) -> None:
    """List models."""
    show_answer(ctx, json_output,
                lambda client: client.list_models(query, fmt=fmt.value if fmt else None,
                                                  task=task, offset=offset, limit=limit),
                _print_models)


def _print_models(page: ModelPage) -> None:
    print_page(page, "models",
               ("Name", "Group", "Latest", "Versions", "Format", "Task", "Algorithm", "Updated"),
               lambda item: (item["name"], item.get("group"), item.get("latest_version"),
                             item.get("versions_count"), item.get("format"), item.get("task"),
                             item.get("algorithm"), short_time(item.get("updated"))))


@app.command()
def show(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """Show a model and its versions."""
    show_answer(ctx, json_output, lambda client: client.get_model(name), _print_model)


def _print_model(model: ModelDetail) -> None:
    console = stdout()
    console.print(key_values([
        ("Model", model["name"]),
        ("Group", model.get("group")),
        ("Description", model.get("description")),
        ("Format", model.get("format")),
        ("Algorithm", model.get("algorithm")),
        ("Task", model.get("task")),
        ("Latest version", model.get("latest_version")),
        ("Created", short_time(model.get("created"))),
        ("Updated", short_time(model.get("updated"))),
    ]))
    console.print(table(
        "Versions",
        ("Version", "Format", "Engine", "Algorithm", "Size", "SHA-256", "Created", "By"),
        ((v["version"], v.get("format"), v.get("engine"), v.get("algorithm"),
          human_size(v.get("size")), (v.get("sha256") or "")[:12],
          short_time(v.get("created")), v.get("created_by")) for v in model.get("versions", [])),
    ))


def _allowed(variable: Variable) -> str:
    if variable.get("values"):
        return cell(variable["values"])
    ranges = []
    for interval in variable.get("intervals") or []:
        closure = interval.get("closure") or "closedClosed"
        left = "[" if closure.startswith("closed") else "("
        right = "]" if closure.endswith("Closed") else ")"
        low = "-inf" if interval.get("left") is None else cell(interval["left"])
        high = "inf" if interval.get("right") is None else cell(interval["right"])
        ranges.append(f"{left}{low}, {high}{right}")
    return " or ".join(ranges)


def _shape(variable: Variable) -> str:
    shape = variable.get("shape")
    if not shape:
        return ""
    return "[" + ", ".join("?" if size is None else str(size) for size in shape) + "]"


def _variables_table(title: str, variables: list[Variable]) -> Any:
    rows = [{
        "Name": variable.get("name"), "Type": cell(variable.get("dtype")),
        "Optype": cell(variable.get("optype")), "Shape": _shape(variable),
        "Allowed": _allowed(variable),
        "Required": cell(variable.get("required")) if "required" in variable else "",
        "Feature": cell(variable.get("feature")), "Value": cell(variable.get("value")),
    } for variable in variables]
    columns = [column for column in rows[0]
               if column == "Name" or any(row[column] for row in rows)]
    if not any(variable.get("required") for variable in variables) and "Required" in columns:
        columns.remove("Required")  # all "no" says nothing
    return table(title, columns, ([row[column] for column in columns] for row in rows))


@app.command()
def schema(ctx: typer.Context, name: NameArgument, version: VersionOption = None,
           json_output: JsonOption = False) -> None:
    """Show what a model expects (inputs) and returns (targets and outputs)."""
    show_answer(ctx, json_output, lambda client: client.schema(name, version), _print_schema)


def _print_schema(described: ModelSchema) -> None:
    console = stdout()
    console.print(key_values([
        ("Format", " ".join(str(part) for part in (described.get("format"),
                                                   described.get("format_version")) if part)),
        ("Engine", described.get("engine")),
        ("Model element", described.get("model_element")),
        ("Algorithm", described.get("algorithm")),
        ("Task", described.get("task")),
        ("Producer", described.get("producer")),
        ("Classes", described.get("classes")),
    ]))
    for title, key in (("Inputs", "inputs"), ("Targets", "targets"), ("Outputs", "outputs")):
        variables = described.get(key) or []
        if variables:
            console.print(_variables_table(title, variables))


@app.command()
def test(
    ctx: typer.Context,
    name: NameArgument,
    version: VersionOption = None,
    data: DataOption = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", exists=True, dir_okay=False, readable=True, show_default=False,
        help="A CSV or JSON file of records.")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print the predictions as CSV.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Score records with a model without deploying it."""
    if (data is None) == (file is None):
        raise typer.BadParameter("give exactly one of --data or --file",
                                 param_hint="--data/--file")
    payload: Any = file if file is not None else parse_data(data or "")
    with state_of(ctx).client() as client:
        if csv:
            typer.echo(client.test(name, payload, version=version, csv=True), nl=False)
            return
        result = client.test(name, payload, version=version)
    if state_of(ctx).wants_json(json_output) or "predictions" not in result:
        print_json(result)
        return
    print_predictions(f"{result.get('model', name)} version {result.get('version')}", result)


OnlyVersionOption = Annotated[int | None, typer.Option(
    "--version", "-v", min=1, show_default=False,
    help="Delete only this version (default: the whole model).")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@app.command()
def delete(ctx: typer.Context, name: NameArgument, version: OnlyVersionOption = None,
           yes: YesOption = False) -> None:
    """Delete a model, or one of its versions."""
    what = f"version {version} of model {name}" if version else f"model {name} and all its versions"
    if not yes:
        typer.confirm(f"Delete {what}?", abort=True)
    if version:
        ask(ctx, lambda client: client.delete_version(name, version))
    else:
        ask(ctx, lambda client: client.delete_model(name))
    stdout().print(f"Deleted {what}.", markup=False)


@app.command()
def download(
    ctx: typer.Context,
    name: NameArgument,
    version: Annotated[int, typer.Argument(min=1, help="Model version.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="File to write, or an existing folder to write into.")],
) -> None:
    """Download the file of a model version."""
    written = ask(ctx, lambda client: client.download_to(name, version, output))
    stdout().print(f"Saved {name} version {version} to {written} "
                   f"({human_size(written.stat().st_size)}).", markup=False)
