"""The ``daas`` command line and the HTTP client it is built on.

Error mapping is checked against a tiny stub API defined here; the end-to-end tests drive
the real platform app from ``conftest.platform_app`` (in-process, fake Ray adapter).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import daas.cli.state
from daas.cli import app
from daas.client import DaasClient, PlatformUnreachable, prediction_body
from daas.errors import Forbidden, InvalidInput, NotFound, Unauthenticated

IRIS_PMML = (Path(__file__).resolve().parents[3]
             / "shared/corpus/pmml-knime/pmml/DecisionTreeIris.pmml")
IRIS_RECORD = {"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": 0.2}


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real ~/.daas, DAAS_URL or DAAS_TOKEN leaks into a test."""
    home = tmp_path / "daas-home"
    home.mkdir()
    monkeypatch.setenv("DAAS_HOME", str(home))
    for variable in ("DAAS_URL", "DAAS_TOKEN", "DAAS_HOST", "DAAS_PORT", "DAAS_GROUP"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200"})


def use_app(monkeypatch: pytest.MonkeyPatch,
            http: TestClient) -> list[tuple[str, str | None, str | None]]:
    """Route every CLI command to ``http``; returns the (url, token, group) of each client."""
    made: list[tuple[str, str | None, str | None]] = []

    def make_client(url: str, token: str | None, group: str | None = None) -> DaasClient:
        made.append((url, token, group))
        return DaasClient(url, token, group, http=http)

    monkeypatch.setattr(daas.cli.state, "make_client", make_client)
    return made


# -- a stub API: just enough to check requests and error mapping --------------------------

ROLES = {"admin-secret": "admin", "viewer-secret": "viewer"}


def _error(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details}},
                        status_code=status)


def make_stub_api() -> FastAPI:
    api = FastAPI()
    api.state.uploads = []

    @api.middleware("http")
    async def authenticate(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith("/api/"):
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in ROLES:
                return _error(401, "unauthenticated", "missing or unknown API token")
            request.state.role = ROLES[token]
        return await call_next(request)

    @api.get("/readyz")
    def readyz() -> Response:
        return JSONResponse({"status": "not ready", "checks": {"database": "ok",
                                                               "workers": "unavailable"}},
                            status_code=503)

    @api.post("/api/v1/models")
    async def upload(request: Request) -> Response:
        if request.state.role == "viewer":
            return _error(403, "forbidden", "role viewer may not upload models")
        form = await request.form()
        content = await form["file"].read()
        api.state.uploads.append({"name": form["name"], "description": form.get("description"),
                                  "format": form.get("format"),
                                  "filename": form["file"].filename, "content": content})
        return JSONResponse({"name": form["name"], "version": 1, "size": len(content),
                             "format": "pmml", "engine": "pypmml", "sha256": "ab" * 32},
                            status_code=201)

    @api.get("/api/v1/models/{name}")
    def show(name: str) -> Response:
        return _error(404, "not_found", f"model {name!r} does not exist")

    @api.post("/api/v1/models/{name}/test")
    async def test(name: str, request: Request) -> Response:
        return _error(422, "invalid_input", "Petal_Length must be a number",
                      {"field": "Petal_Length", "row": 1})

    @api.delete("/api/v1/models/{name}")
    def delete(name: str) -> Response:
        return _error(409, "conflict", f"model {name} is used by service iris-svc",
                      {"services": ["iris-svc"]})

    @api.get("/api/v1/tokens")
    def tokens() -> Response:
        return PlainTextResponse("Bad Gateway", status_code=502)

    return api


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FastAPI, list]]:
    api = make_stub_api()
    with TestClient(api) as http:
        yield api, use_app(monkeypatch, http)


@pytest.mark.parametrize(("args", "exit_code", "message"), [
    (["models", "show", "nope"], 4, "model 'nope' does not exist"),
    (["models", "delete", "iris", "--yes"], 5, "model iris is used by service iris-svc"),
    (["tokens", "list", "--all"], 1, "HTTP 502: Bad Gateway"),
])
def test_api_errors_print_the_message_in_stderr_and_map_to_exit_codes(
        runner: CliRunner, stub: Any, args: list[str], exit_code: int, message: str) -> None:
    result = runner.invoke(app, ["--token", "admin-secret", *args])
    assert result.exit_code == exit_code
    assert message in result.stderr
    assert result.stdout == ""


def test_invalid_input_names_the_field_and_row(runner: CliRunner, stub: Any) -> None:
    result = runner.invoke(app, ["--token", "admin-secret", "models", "test", "iris",
                                 "--data", json.dumps([IRIS_RECORD, IRIS_RECORD])])
    assert result.exit_code == 2
    assert "Petal_Length must be a number" in result.stderr
    assert "field: Petal_Length" in result.stderr
    assert "row: 1" in result.stderr


def test_conflict_details_are_shown(runner: CliRunner, stub: Any) -> None:
    result = runner.invoke(app, ["--token", "admin-secret", "models", "delete", "iris", "-y"])
    assert '"services": ["iris-svc"]' in result.stderr


def test_missing_token_is_unauthenticated(runner: CliRunner, stub: Any) -> None:
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 3
    assert "missing or unknown API token" in result.stderr


def test_viewer_cannot_upload_on_stub(runner: CliRunner, stub: Any) -> None:
    result = runner.invoke(app, ["--token", "viewer-secret", "models", "upload",
                                 str(IRIS_PMML), "--name", "iris"])
    assert result.exit_code == 3
    assert "role viewer may not upload models" in result.stderr


def test_token_comes_from_env_then_saved_admin_token(
        runner: CliRunner, stub: Any, isolated_config: Path) -> None:
    _, made = stub
    (isolated_config / "admin-token").write_text("admin-secret\n")
    assert runner.invoke(app, ["models", "show", "x"]).exit_code == 4
    assert runner.invoke(app, ["models", "show", "x"],
                         env={"DAAS_TOKEN": "env-secret", "DAAS_URL": "http://example:9"}
                         ).exit_code == 3
    assert made == [("http://127.0.0.1:8000", "admin-secret", None),
                    ("http://example:9", "env-secret", None)]


def test_group_comes_from_the_option_then_daas_group(runner: CliRunner, stub: Any) -> None:
    _, made = stub
    runner.invoke(app, ["--token", "admin-secret", "--group", "team-a", "models", "show", "x"])
    runner.invoke(app, ["--token", "admin-secret", "models", "show", "x"],
                  env={"DAAS_GROUP": "team-b"})
    runner.invoke(app, ["--token", "admin-secret", "-g", "team-c", "models", "show", "x"],
                  env={"DAAS_GROUP": "team-b"})
    assert [group for _url, _token, group in made] == ["team-a", "team-b", "team-c"]


def test_upload_sends_the_file_and_form_fields(runner: CliRunner, stub: Any) -> None:
    api, _ = stub
    result = runner.invoke(app, ["--token", "admin-secret", "models", "upload", str(IRIS_PMML),
                                 "--name", "iris", "--description", "a tree", "--format", "pmml"])
    assert result.exit_code == 0, result.output
    assert "Uploaded iris version 1" in result.stdout
    [upload] = api.state.uploads
    assert upload == {"name": "iris", "description": "a tree", "format": "pmml",
                      "filename": "DecisionTreeIris.pmml", "content": IRIS_PMML.read_bytes()}


def test_upload_names_the_model_after_the_file_by_default(
        runner: CliRunner, stub: Any) -> None:
    api, _ = stub
    result = runner.invoke(app, ["--token", "admin-secret", "models", "upload", str(IRIS_PMML)])
    assert result.exit_code == 0, result.output
    assert api.state.uploads[0]["name"] == "DecisionTreeIris"


def test_upload_rejects_an_unknown_format_before_calling_the_api(
        runner: CliRunner, stub: Any) -> None:
    api, made = stub
    result = runner.invoke(app, ["--token", "admin-secret", "models", "upload", str(IRIS_PMML),
                                 "--name", "iris", "--format", "pickle"])
    assert result.exit_code == 2
    assert made == [] and api.state.uploads == []


def test_test_needs_exactly_one_of_data_or_file(runner: CliRunner, stub: Any) -> None:
    result = runner.invoke(app, ["--token", "admin-secret", "models", "test", "iris"])
    assert result.exit_code == 2
    assert "exactly one of --data or --file" in result.output
    result = runner.invoke(app, ["--token", "admin-secret", "models", "test", "iris",
                                 "--data", "{not json"])
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_delete_asks_for_confirmation(runner: CliRunner, stub: Any) -> None:
    _, made = stub
    result = runner.invoke(app, ["--token", "admin-secret", "models", "delete", "iris"],
                           input="n\n")
    assert result.exit_code == 1
    assert "Delete model iris and all its versions?" in result.output
    assert made == []


def test_status_reports_not_ready_with_the_unavailable_exit_code(
        runner: CliRunner, stub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from daas.platform import launcher

    monkeypatch.setattr(launcher, "platform_status", lambda settings: {"ray": "up"})
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 6
    assert "API not ready at http://127.0.0.1:8000" in result.stdout
    assert "workers: unavailable" in result.stdout
    result = runner.invoke(app, ["--json", "status"])
    assert result.exit_code == 6
    report = json.loads(result.stdout)
    assert report["platform"] == {"ray": "up"}
    assert report["api"]["ready"] is False
    assert report["api"]["readyz"]["checks"]["workers"] == "unavailable"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_says_how_to_start_the_platform(runner: CliRunner) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    result = runner.invoke(app, ["--url", url, "models", "list"])
    assert result.exit_code == 6
    assert f"cannot reach the platform at {url}: is it running? (`daas up`)" in result.stderr


# -- the client on its own -----------------------------------------------------------------

def test_client_raises_typed_errors() -> None:
    with TestClient(make_stub_api()) as http:
        anonymous = DaasClient("http://testserver", None, http=http)
        with pytest.raises(Unauthenticated):
            anonymous.list_models()
        viewer = DaasClient("http://testserver", "viewer-secret", http=http)
        with pytest.raises(Forbidden):
            viewer.upload_model(b"<PMML/>", "iris")
        admin = DaasClient("http://testserver", "admin-secret", http=http)
        with pytest.raises(NotFound):
            admin.get_model("nope")
        with pytest.raises(InvalidInput) as caught:
            admin.test("iris", IRIS_RECORD)
        assert caught.value.details == {"field": "Petal_Length", "row": 1}


def test_client_reports_upload_progress_up_to_the_file_size() -> None:
    api = make_stub_api()
    content = b"<PMML>" + b" " * 300_000 + b"</PMML>"
    seen: list[tuple[int, int]] = []
    with TestClient(api) as http:
        client = DaasClient("http://testserver", "admin-secret", http=http)
        version = client.upload_model(content, "big", progress=lambda *args: seen.append(args))
    assert version["size"] == len(content)
    assert api.state.uploads[0]["filename"] == "big.pmml"
    assert len(seen) > 1
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (len(content), len(content))


def test_client_wraps_connection_errors() -> None:
    client = DaasClient(f"http://127.0.0.1:{_free_port()}", "t")
    with client, pytest.raises(PlatformUnreachable, match="is it running"):
        client.health()


def test_upload_streams_a_file_with_a_known_length(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(bytes(range(256)) * 1000)
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(201, json={"name": "m", "version": 1})

    seen: list[int] = []
    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        DaasClient("http://daas.test", "secret", http=http).upload_model(
            model, "m", fmt="onnx", progress=lambda done, total: seen.append(done))
    [request] = sent
    assert request.url == "http://daas.test/api/v1/models"
    assert request.headers["authorization"] == "Bearer secret"
    assert int(request.headers["content-length"]) == len(request.content)
    assert model.read_bytes() in request.content
    assert b'filename="model.onnx"' in request.content
    assert seen[-1] == model.stat().st_size


def test_default_url_follows_daas_port(
        runner: CliRunner, stub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _, made = stub
    monkeypatch.setenv("DAAS_PORT", "9100")
    runner.invoke(app, ["models", "show", "x"])
    assert made[0][0] == "http://127.0.0.1:9100"
    monkeypatch.setenv("DAAS_PORT", "not-a-port")
    result = runner.invoke(app, ["models", "show", "x"])
    assert result.exit_code == 2
    assert "invalid DAAS_* environment variable" in result.stderr


@pytest.mark.parametrize(("data", "body"), [
    ([IRIS_RECORD], {"data": [IRIS_RECORD]}),
    (IRIS_RECORD, {"data": IRIS_RECORD}),
    ({"data": [IRIS_RECORD]}, {"data": [IRIS_RECORD]}),
    ({"inputs": {"x": [1, 2]}}, {"inputs": {"x": [1, 2]}}),
])
def test_prediction_body_wraps_bare_records(data: Any, body: dict) -> None:
    assert prediction_body(data) == body


# -- end to end against the platform app (in-process worker, temporary storage) -------------

class Cli:
    """Runs ``daas`` commands against ``platform_app`` with a given token."""

    def __init__(self, runner: CliRunner, admin_token: str) -> None:
        self.runner = runner
        self.admin_token = admin_token

    def __call__(self, *args: str, token: str | None = None, input: str | None = None) -> Any:
        return self.runner.invoke(app, ["--token", token or self.admin_token, *args],
                                  input=input)

    def json(self, *args: str, token: str | None = None) -> Any:
        result = self(*args, "--json", token=token)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(platform_app: Any, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> Cli:
    use_app(monkeypatch, TestClient(platform_app.app, raise_server_exceptions=False))
    return Cli(runner, platform_app.admin_token)


@pytest.fixture
def iris(cli: Cli) -> dict[str, Any]:
    """The iris decision tree uploaded once, as the CLI reports it."""
    return cli.json("models", "upload", str(IRIS_PMML), "--name", "iris",
                    "--description", "KNIME decision tree")


def test_upload_creates_versions(cli: Cli, iris: dict[str, Any]) -> None:
    assert (iris["name"], iris["version"], iris["format"]) == ("iris", 1, "pmml")
    assert iris["description"] == "KNIME decision tree"
    assert iris["size"] == IRIS_PMML.stat().st_size
    result = cli("models", "upload", str(IRIS_PMML), "--name", "iris")
    assert result.exit_code == 0, result.output
    assert "Uploaded iris version 2." in result.stdout
    assert "classification" in result.stdout


def test_list_shows_models_in_a_table_and_as_json(cli: Cli, iris: dict[str, Any]) -> None:
    result = cli("models", "list")
    assert result.exit_code == 0, result.output
    header, row = [line for line in result.stdout.splitlines() if "iris" in line or "Name" in line]
    assert "Latest" in header and "Versions" in header
    assert "pmml" in row and "classification" in row
    page = cli.json("models", "list", "--query", "iri", "--format", "pmml")
    assert page["total"] == 1 and page["items"][0]["name"] == "iris"
    assert cli.json("models", "list", "--format", "onnx")["total"] == 0
    assert "No models." in cli("models", "list", "--task", "regression").stdout


def test_show_lists_versions(cli: Cli, iris: dict[str, Any]) -> None:
    cli("models", "upload", str(IRIS_PMML), "--name", "iris")
    detail = cli.json("models", "show", "iris")
    assert detail["latest_version"] == 2
    assert sorted(v["version"] for v in detail["versions"]) == [1, 2]
    result = cli("models", "show", "iris")
    assert result.exit_code == 0, result.output
    assert "KNIME decision tree" in result.stdout
    assert "Versions" in result.stdout and iris["sha256"][:12] in result.stdout


def test_schema_shows_inputs_with_their_ranges(cli: Cli, iris: dict[str, Any]) -> None:
    described = cli.json("models", "schema", "iris", "--version", "1")
    assert [v["name"] for v in described["inputs"]] == list(IRIS_RECORD)
    assert [v["name"] for v in described["targets"]] == ["Species"]
    result = cli("models", "schema", "iris")
    assert result.exit_code == 0, result.output
    assert "Inputs" in result.stdout and "Targets" in result.stdout
    sepal_length = next(line for line in result.stdout.splitlines() if "Sepal_Length" in line)
    assert "[4.3, 7.9]" in sepal_length
    assert "setosa, versicolor, virginica" in result.stdout


def test_test_with_data_prints_predictions(cli: Cli, iris: dict[str, Any]) -> None:
    other = {**IRIS_RECORD, "Petal_Length": 5.5, "Petal_Width": 2.1}
    scored = cli.json("models", "test", "iris", "--data", json.dumps([IRIS_RECORD, other]))
    assert [p["label"] for p in scored["predictions"]] == ["setosa", "virginica"]
    result = cli("models", "test", "iris", "--data", json.dumps(IRIS_RECORD))
    assert result.exit_code == 0, result.output
    assert "Label" in result.stdout and "setosa" in result.stdout


def test_test_with_a_csv_file_and_csv_output(
        cli: Cli, iris: dict[str, Any], tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(",".join(IRIS_RECORD) + "\n" + ",".join(map(str, IRIS_RECORD.values()))
                    + "\n6.3,3.3,6.0,2.5\n")
    scored = cli.json("models", "test", "iris", "--file", str(rows))
    assert [p["label"] for p in scored["predictions"]] == ["setosa", "virginica"]
    result = cli("models", "test", "iris", "--file", str(rows), "--csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3 and "setosa" in lines[1] and "virginica" in lines[2]


def test_test_with_bad_input_exits_2_naming_the_field(cli: Cli, iris: dict[str, Any]) -> None:
    result = cli("models", "test", "iris", "--data",
                 json.dumps([IRIS_RECORD, {**IRIS_RECORD, "Sepal_Width": "wide"}]))
    assert result.exit_code == 2
    assert "Sepal_Width" in result.stderr


def test_download_writes_the_uploaded_file(
        cli: Cli, iris: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "copy.pmml"
    result = cli("models", "download", "iris", "1", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == IRIS_PMML.read_bytes()
    result = cli("models", "download", "iris", "1", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "iris-v1.pmml").read_bytes() == IRIS_PMML.read_bytes()
    assert cli("models", "download", "iris", "9", "-o", str(tmp_path)).exit_code == 4


def test_delete_a_version_then_the_model(cli: Cli, iris: dict[str, Any]) -> None:
    cli("models", "upload", str(IRIS_PMML), "--name", "iris")
    result = cli("models", "delete", "iris", "--version", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert [v["version"] for v in cli.json("models", "show", "iris")["versions"]] == [2]
    result = cli("models", "delete", "iris", input="y\n")
    assert result.exit_code == 0, result.output
    result = cli("models", "show", "iris")
    assert result.exit_code == 4
    assert "iris" in result.stderr


def test_tensor_model_results_print_as_json(cli: Cli) -> None:
    mnist = IRIS_PMML.parents[2] / "onnx-mnist"
    assert cli("models", "upload", str(mnist / "mnist.onnx"), "--name", "digits").exit_code == 0
    request = json.loads((mnist / "mnist_request_v2_0.json").read_text())["inputs"][0]
    result = cli("models", "test", "digits", "--data",
                 json.dumps({"inputs": {request["name"]: request["data"]}}))
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)["outputs"]["Plus214_Output_0"][0]
    assert scores.index(max(scores)) == 2  # the request's digit
    assert "[1, 1, 28, 28]" in cli("models", "schema", "digits").stdout


def _membership(me: dict[str, Any]) -> dict[str, str]:
    return {group["name"]: group["permission"] for group in me["groups"]}


def test_legacy_role_tokens_create_list_revoke(cli: Cli) -> None:
    created = cli.json("tokens", "create", "ci", "--role", "editor")
    assert created["name"] == "ci"
    me = cli.json("whoami", token=created["token"])
    assert (me["name"], me["default_group"], _membership(me)) == ("ci", "default",
                                                                  {"default": "change"})
    listed = cli("tokens", "list", "--all")
    assert listed.exit_code == 0, listed.output
    assert "ci" in listed.stdout
    assert created["token"] not in listed.stdout
    result = cli("tokens", "revoke", str(created["id"]))
    assert result.exit_code == 0, result.output
    [entry] = [t for t in cli.json("tokens", "list", "--all") if t["id"] == created["id"]]
    assert entry["revoked"]
    result = cli("models", "list", token=created["token"])
    assert result.exit_code == 3


def test_tokens_create_prints_the_secret_once(cli: Cli) -> None:
    result = cli("tokens", "create", "robot", "--role", "viewer")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert _membership(cli.json("whoami", token=secret)) == {"default": "read"}


def test_reader_cannot_upload_or_manage_tokens(cli: Cli) -> None:
    viewer = cli.json("tokens", "create", "reader", "--role", "viewer")["token"]
    result = cli("models", "upload", str(IRIS_PMML), "--name", "iris", token=viewer)
    assert result.exit_code == 3
    assert result.stderr.startswith("error:")
    assert "change permission" in result.stderr and "permission: change" in result.stderr
    assert cli("tokens", "create", "x", "--role", "admin", token=viewer).exit_code == 3
    assert cli.json("models", "list", token=viewer)["total"] == 0


def test_unknown_token_is_rejected(cli: Cli) -> None:
    result = cli("models", "list", token="daas_not-a-real-token")
    assert result.exit_code == 3
    assert result.stderr.startswith("error:")
