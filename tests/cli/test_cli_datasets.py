"""``daas datasets ...`` against the platform app (in-process, temporary storage)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.cli.test_cli import Cli, use_app

SALES = "id,price,city\n1,2.5,Oslo\n2,3.75,Lima\n3,,Rome\n"


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No real ~/.daas, DAAS_URL or DAAS_TOKEN leaks into a test."""
    home = tmp_path / "daas-home"
    home.mkdir()
    monkeypatch.setenv("DAAS_HOME", str(home))
    for variable in ("DAAS_URL", "DAAS_TOKEN", "DAAS_HOST", "DAAS_PORT", "DAAS_GROUP"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def cli(platform_app: Any, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_app(monkeypatch, TestClient(platform_app.app, raise_server_exceptions=False))
    return Cli(CliRunner(env={"COLUMNS": "200"}), platform_app.admin_token)


@pytest.fixture
def sales_csv(tmp_path: Path) -> Path:
    path = tmp_path / "sales.csv"
    path.write_text(SALES)
    return path


@pytest.fixture
def sales(cli: Cli, sales_csv: Path) -> dict[str, Any]:
    return cli.json("datasets", "upload", str(sales_csv))


def test_upload_names_the_dataset_after_the_file(cli: Cli, sales: dict[str, Any]) -> None:
    assert (sales["name"], sales["rows"], sales["origin_format"]) == ("sales", 3, "csv")
    assert [c["type"] for c in sales["columns"]] == ["int64", "double", "string"]


def test_upload_prints_a_summary(cli: Cli, tmp_path: Path) -> None:
    lines = tmp_path / "events.data"
    lines.write_text('{"kind": "click", "n": 1}\n{"kind": "view", "n": 2}\n')
    result = cli("datasets", "upload", str(lines), "--name", "events", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert "Uploaded dataset events (2 rows)." in result.stdout
    assert "upload:events.data" in result.stdout


def test_malformed_upload_exits_2_naming_the_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4,5\n")
    result = cli("datasets", "upload", str(bad))
    assert result.exit_code == 2
    assert "line 3: expected 2 columns, got 3" in result.stderr
    assert cli.json("datasets", "list")["total"] == 0


def test_duplicate_upload_exits_5(cli: Cli, sales: dict[str, Any], sales_csv: Path) -> None:
    result = cli("datasets", "upload", str(sales_csv))
    assert result.exit_code == 5 and "already exists" in result.stderr


def test_list_and_show(cli: Cli, sales: dict[str, Any]) -> None:
    result = cli("datasets", "list")
    assert result.exit_code == 0, result.output
    header, row = [line for line in result.stdout.splitlines() if "sales" in line or "Name" in line]
    assert "Rows" in header and "Columns" in header
    assert "upload:sales.csv" in row and " 3 " in row
    assert cli.json("datasets", "list", "--query", "sal")["total"] == 1
    assert "No datasets." in cli("datasets", "list", "--query", "nothing").stdout
    shown = cli("datasets", "show", "sales")
    assert shown.exit_code == 0, shown.output
    assert "Columns" in shown.stdout
    assert any("price" in line and "double" in line for line in shown.stdout.splitlines())
    assert cli.json("datasets", "show", "sales") == sales
    assert cli("datasets", "show", "missing").exit_code == 4


def test_preview_prints_rows(cli: Cli, sales: dict[str, Any]) -> None:
    result = cli("datasets", "preview", "sales", "--rows", "2")
    assert result.exit_code == 0, result.output
    assert "Oslo" in result.stdout and "Lima" in result.stdout and "Rome" not in result.stdout
    shown = cli.json("datasets", "preview", "sales")
    assert shown["rows"][2] == {"id": 3, "price": None, "city": "Rome"}


def test_download_as_csv_and_parquet(cli: Cli, sales: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "copy.csv"
    result = cli("datasets", "download", "sales", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text().splitlines()[1:] == ['1,2.5,"Oslo"', '2,3.75,"Lima"', '3,,"Rome"']
    parquet = tmp_path / "copy.parquet"
    assert cli("datasets", "download", "sales", "-o", str(parquet)).exit_code == 0
    assert pq.read_table(io.BytesIO(parquet.read_bytes())).column("city").to_pylist() == [
        "Oslo", "Lima", "Rome"]
    folder = tmp_path / "out"
    folder.mkdir()
    assert cli("datasets", "download", "sales", "-o", str(folder), "--format", "parquet").exit_code == 0
    assert (folder / "sales.parquet").exists()
    missing = cli("datasets", "download", "nope", "-o", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 4 and not (tmp_path / "nope.csv").exists()


def test_delete_asks_first(cli: Cli, sales: dict[str, Any]) -> None:
    assert cli("datasets", "delete", "sales", input="n\n").exit_code == 1
    assert cli.json("datasets", "list")["total"] == 1
    result = cli("datasets", "delete", "sales", "--yes")
    assert result.exit_code == 0 and "Deleted dataset sales." in result.stdout
    assert cli.json("datasets", "list")["total"] == 0


def test_import_from_a_file_url(cli: Cli, platform_app: Any, tmp_path: Path,
                                sales_csv: Path) -> None:
    refused = cli("datasets", "import", sales_csv.as_uri())
    assert refused.exit_code == 3 and "DAAS_DATASET_IMPORT_ROOT" in refused.stderr
    platform_app.settings.dataset_import_root = tmp_path
    imported = cli.json("datasets", "import", sales_csv.as_uri(), "--name", "copied")
    assert (imported["name"], imported["rows"]) == ("copied", 3)
    assert imported["source"] == sales_csv.as_uri()
    assert cli.json("datasets", "import", sales_csv.as_uri())["name"] == "sales"


def test_viewer_cannot_upload_or_delete(cli: Cli, sales: dict[str, Any], sales_csv: Path) -> None:
    viewer = cli.json("tokens", "create", "reader", "--role", "viewer")["token"]
    assert cli("datasets", "upload", str(sales_csv), "--name", "mine", token=viewer).exit_code == 3
    assert cli("datasets", "delete", "sales", "--yes", token=viewer).exit_code == 3
    assert cli.json("datasets", "list", token=viewer)["total"] == 1
