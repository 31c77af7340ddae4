"""``daas datasets ...``: upload, import, inspect, preview, download and delete datasets."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from daas.cli.answers import ask, show_answer
from daas.cli.output import (
    JsonOption,
    human_size,
    key_values,
    print_page,
    short_time,
    stdout,
    table,
    upload_progress,
)
from daas.client import DaasClient, Dataset, DatasetPage, DatasetPreview

app = typer.Typer(help="Upload, import, preview, download and delete datasets.",
                  no_args_is_help=True)


class DataFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


class DownloadFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"


NameArgument = Annotated[str, typer.Argument(help="Dataset name.")]
FormatOption = Annotated[DataFormat | None, typer.Option(
    "--format", show_default=False, help="Input format (default: from the file extension).")]


def _summary(dataset: Dataset) -> list[tuple[str, Any]]:
    return [
        ("Dataset", dataset["name"]),
        ("Group", dataset.get("group")),
        ("Rows", f"{dataset['rows']:,}"),
        ("Columns", str(len(dataset.get("columns") or []))),
        ("Size", human_size(dataset.get("size_bytes"))),
        ("Origin", dataset.get("origin_format")),
        ("Source", dataset.get("source")),
        ("Created", short_time(dataset.get("created"))),
        ("By", dataset.get("created_by")),
    ]


def _print_created(dataset: Dataset, verb: str) -> None:
    console = stdout()
    console.print(f"{verb} dataset {dataset['name']} ({dataset['rows']:,} rows).",
                  style="green", markup=False)
    console.print(key_values(_summary(dataset)))


@app.command()
def upload(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="A CSV, Parquet or JSON-lines (.jsonl/.ndjson) file.")],
    name: Annotated[str | None, typer.Option(
        "--name", "-n", show_default=False,
        help="Dataset name (default: the file name without extension).")] = None,
    fmt: FormatOption = None,
    json_output: JsonOption = False,
) -> None:
    """Upload a file; the platform stores it as Parquet."""
    show_answer(ctx, json_output,
                lambda client: _upload(client, file, name or file.stem,
                                       fmt.value if fmt else None),
                lambda dataset: _print_created(dataset, "Uploaded"))


def _upload(client: DaasClient, file: Path, name: str, fmt: str | None) -> Dataset:
    with upload_progress(file, "Converting") as report:
        return client.upload_dataset(file, name, fmt, progress=report)


@app.command("import")
def import_(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(
        help="http(s)://, s3://, gs://, or file:// under the platform's import root.")],
    name: Annotated[str | None, typer.Option(
        "--name", "-n", show_default=False,
        help="Dataset name (default: the URL's file name without extension).")] = None,
    fmt: FormatOption = None,
    json_output: JsonOption = False,
) -> None:
    """Have the platform fetch a file from a URL and store it as a dataset."""
    stem = Path(url.split("?", 1)[0].rstrip("/")).stem
    if not (name or stem):
        raise typer.BadParameter("give the dataset a --name", param_hint="--name")
    show_answer(ctx, json_output,
                lambda client: client.import_dataset(name or stem, url, fmt.value if fmt else None),
                lambda dataset: _print_created(dataset, "Imported"))


@app.command("list")
def list_datasets(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Option(
        "--query", "-q", show_default=False, help="Text to look for in names and sources.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    json_output: JsonOption = False,
) -> None:
    """List datasets, newest first."""
    show_answer(ctx, json_output,
                lambda client: client.list_datasets(query, offset=offset, limit=limit),
                _print_datasets)


def _print_datasets(page: DatasetPage) -> None:
    print_page(page, "datasets",
               ("Name", "Group", "Rows", "Columns", "Size", "Origin", "Source", "Created"),
               lambda item: (item["name"], item.get("group"), f"{item['rows']:,}",
                             len(item.get("columns") or []),
                             human_size(item.get("size_bytes")), item.get("origin_format"),
                             item.get("source"), short_time(item.get("created"))))


@app.command()
def show(ctx: typer.Context, name: NameArgument, json_output: JsonOption = False) -> None:
    """Show a dataset's origin, size and columns."""
    show_answer(ctx, json_output, lambda client: client.get_dataset(name), _print_dataset)


def _print_dataset(dataset: Dataset) -> None:
    console = stdout()
    console.print(key_values(_summary(dataset)))
    console.print(table("Columns", ("Name", "Type"),
                        ((column["name"], column["type"]) for column in dataset["columns"])))


@app.command()
def preview(
    ctx: typer.Context,
    name: NameArgument,
    rows: Annotated[int, typer.Option("--rows", "-r", min=1, max=1000,
                                      help="How many rows to show.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """Show the first rows of a dataset."""
    show_answer(ctx, json_output, lambda client: client.preview_dataset(name, rows),
                _print_preview)


def _print_preview(shown: DatasetPreview) -> None:
    names = [column["name"] for column in shown["columns"]]
    stdout().print(table(None, names, ([row.get(column) for column in names]
                                       for row in shown["rows"])))


@app.command()
def download(
    ctx: typer.Context,
    name: NameArgument,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="File to write, or an existing folder to write into.")],
    fmt: Annotated[DownloadFormat | None, typer.Option(
        "--format", show_default=False,
        help="csv or parquet (default: from the output's extension, else csv).")] = None,
) -> None:
    """Download a dataset as one CSV or Parquet file."""
    chosen = fmt.value if fmt else ("parquet" if output.suffix.lower() in (".parquet", ".pq")
                                    else "csv")
    written = ask(ctx, lambda client: client.download_dataset_to(name, output, chosen))
    stdout().print(f"Saved dataset {name} to {written} "
                   f"({human_size(written.stat().st_size)}).", markup=False)


@app.command()
def delete(
    ctx: typer.Context,
    name: NameArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a dataset and its files."""
    if not yes:
        typer.confirm(f"Delete dataset {name}?", abort=True)
    ask(ctx, lambda client: client.delete_dataset(name))
    stdout().print(f"Deleted dataset {name}.", markup=False)
