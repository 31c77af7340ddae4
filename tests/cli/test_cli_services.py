"""``daas services ...`` and the service methods of ``DaasClient``.

The CLI is the unit under test, so it runs against a small in-memory stub of the services
API defined here: services move from ``deploying`` to ``running`` (or ``failed``) as they
are polled, so waiting and progress are exercised without Ray and without sleeping.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from daas.cli import app, waiting
from daas.client import DaasClient, ServiceFailed
from daas.errors import InvalidInput, NotFound, Timeout
from tests.cli.test_cli import IRIS_PMML, use_app

ADMIN = "admin-secret"
RECORD = {"Sepal_Length": 5.1, "Sepal_Width": 3.5, "Petal_Length": 1.4, "Petal_Width": 0.2}
NOW = "2025-03-01T12:00:05.123456"

#: Models the stub knows, with their versions. ``broken`` fails to deploy, ``slow`` never
#: finishes deploying.
MODELS = {"iris": (1, 2, 3), "broken": (1,), "slow": (1,)}


# -- the stub services API -------------------------------------------------------------------

class StubError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@dataclass
class StubPlatform:
    """In-memory services; every GET of a service moves it one step towards its desired state."""

    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: (method, path, JSON body or None, query parameters) of every API call.
    calls: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)
    #: Bearer token of every prediction call.
    predict_auth: list[str] = field(default_factory=list)
    polls_to_settle: int = 2
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def bodies(self, method: str, path: str) -> list[Any]:
        return [body for m, p, body, _ in self.calls if (m, p) == (method, path)]

    def params(self, method: str, path: str) -> list[dict[str, str]]:
        return [query for m, p, _, query in self.calls if (m, p) == (method, path)]

    def find(self, name: str) -> dict[str, Any]:
        if name not in self.services:
            raise StubError(404, "not_found", f"no service named {name!r}")
        return self.services[name]

    def record(self, name: str, kind: str, message: str) -> None:
        state = self.services[name]["state"] if name in self.services else None
        self.events.setdefault(name, []).insert(
            0, {"created": NOW, "kind": kind, "state": state, "message": message})

    def public(self, service: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in service.items() if not key.startswith("_")}

    def new_key(self, name: str) -> str:
        self.keys[name] = f"svc-key-{name}-{next(self._ids)}"
        return self.keys[name]

    def create(self, form: dict[str, Any]) -> dict[str, Any]:
        name, model = form["name"], form["model"]
        if name in self.services:
            raise StubError(409, "conflict", f"a service named {name!r} exists already")
        if model not in MODELS:
            raise StubError(404, "not_found", f"no model named {model!r}")
        spec = {"replicas": 1, "autoscaling": None, "num_cpus": 1.0, "memory": None,
                "num_gpus": 0.0, "max_ongoing_requests": 16, "max_queued_requests": 64,
                "batching": None, "timeout_s": 30.0}
        self.services[name] = {
            "name": name, "url": f"http://testserver/api/v1/svc/{name}", "model": model,
            "version": form.get("version") or MODELS[model][-1], "previous_version": None,
            "state": "deploying", "desired": "running", "reason": None,
            "spec": self.merged(spec, form), "replicas_running": 0, "generation": 1,
            "created": NOW, "updated": NOW, "created_by": "admin", "_polls": 0,
        }
        self.record(name, "created", f"deploy {model} by admin")
        return {**self.public(self.services[name]), "api_key": self.new_key(name)}

    @staticmethod
    def merged(spec: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        result = dict(spec)
        for key, value in changes.items():
            if key in spec:
                result[key] = _bytes(value) if key == "memory" else value
        if "replicas" in changes:
            result["autoscaling"] = None
        if "autoscaling" in changes:
            result["replicas"] = None
        return result

    def update(self, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        service = self.find(name)
        if "version" in changes:
            if changes["version"] not in MODELS[service["model"]]:
                raise StubError(404, "not_found", f"no version {changes['version']}")
            service["previous_version"] = service["version"]
            service["version"] = changes["version"]
        service["spec"] = self.merged(service["spec"], changes)
        self.restart(service, "updated")
        return service

    def restart(self, service: dict[str, Any], kind: str) -> None:
        service.update(state="deploying", desired="running", reason=None, _polls=0)
        service["generation"] += 1
        self.record(service["name"], kind, f"{kind} by admin")

    def poll(self, name: str) -> dict[str, Any]:
        """A GET of the service: one step of the fake reconciler."""
        service = self.find(name)
        if service["desired"] == "deleted":  # seen deleting once, then gone
            return self.public(self.services.pop(name))
        if service["desired"] == "paused":
            service.update(state="paused", replicas_running=0)
        elif service["state"] == "deploying":
            service["_polls"] += 1
            if service["_polls"] >= self.polls_to_settle:
                self.settle(service)
        return self.public(service)

    def settle(self, service: dict[str, Any]) -> None:
        if service["model"] == "broken":
            service.update(state="failed", reason="model failed to load: truncated file")
        elif service["model"] == "slow":
            service["reason"] = "insufficient resources: a replica needs 64 CPU"
        else:
            wanted = service["spec"]["replicas"] or service["spec"]["autoscaling"]["min_replicas"]
            service.update(state="running", replicas_running=wanted)
        self.record(service["name"], "state", f"now {service['state']}")

    def predict(self, name: str, rows: list[Any], query: dict[str, str]) -> Response:
        service = self.find(name)
        if service["state"] != "running":
            raise StubError(503, "unavailable", f"service {name!r} is {service['state']}")
        if query.get("mode") == "async":
            request_id = f"req{next(self._ids)}"
            self.requests[request_id] = {"id": request_id, "service": name, "status": "queued",
                                         "rows": rows, "format": query.get("format")}
            return JSONResponse({"id": request_id, "status": "queued",
                                 "status_url": f"/api/v1/requests/{request_id}"},
                                status_code=202)
        if query.get("format") == "csv":
            return PlainTextResponse("label\n" + "setosa\n" * len(rows), media_type="text/csv")
        return JSONResponse(self.predictions(service, rows))

    @staticmethod
    def predictions(service: dict[str, Any], rows: list[Any]) -> dict[str, Any]:
        return {"model": service["model"], "version": service["version"],
                "task": "classification",
                "predictions": [{"label": "setosa", "probabilities": {"setosa": 1.0}}
                                for _ in rows]}

    def advance_request(self, request_id: str) -> dict[str, Any]:
        if request_id not in self.requests:
            raise StubError(404, "not_found", f"no request {request_id!r}")
        request = self.requests[request_id]
        if request["status"] == "queued":
            request["status"] = "running"
        elif request["status"] == "running":
            if any(isinstance(row, dict) and row.get("Sepal_Width") == "wide"
                   for row in request["rows"]):
                request.update(status="failed", result=None, error={
                    "code": "invalid_input", "message": "Sepal_Width must be a number",
                    "details": {"field": "Sepal_Width", "row": 0}})
            elif request["format"] == "csv":
                request.update(status="succeeded", result="label\nsetosa\n", error=None)
            else:
                service = self.services[request["service"]]
                request.update(status="succeeded", error=None,
                               result=self.predictions(service, request["rows"]))
        return {key: request.get(key) for key in
                ("id", "service", "status", "result", "error")} | {
            "created": NOW, "started": NOW, "finished": None}


def _bytes(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    units = {"Mi": 2**20, "Gi": 2**30}
    return int(float(value[:-2]) * units[value[-2:]])


def _rows(body: Any) -> list[Any]:
    data = body.get("data", body.get("inputs"))
    return data if isinstance(data, list) else [data]


def make_stub_services_api(platform: StubPlatform) -> FastAPI:
    api = FastAPI()

    @api.exception_handler(StubError)
    async def render(_: Request, error: StubError) -> Response:
        return JSONResponse({"error": {"code": error.code, "message": error.message,
                                       "details": error.details}}, status_code=error.status)

    @api.middleware("http")
    async def authenticate_and_record(request: Request, call_next: Any) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        raw = await request.body()
        is_json = request.headers.get("content-type", "").startswith("application/json")
        platform.calls.append((request.method, request.url.path,
                               json.loads(raw) if raw and is_json else None,
                               dict(request.query_params)))
        path = request.url.path
        if path.startswith("/api/v1/svc/"):
            platform.predict_auth.append(token)
            name = path.split("/")[4]
            if token not in (ADMIN, platform.keys.get(name)):
                return JSONResponse({"error": {"code": "unauthenticated",
                                               "message": "unknown API key", "details": None}},
                                    status_code=401)
        elif token != ADMIN:
            return JSONResponse({"error": {"code": "unauthenticated",
                                           "message": "missing or unknown API token",
                                           "details": None}}, status_code=401)
        return await call_next(request)

    @api.post("/api/v1/services", status_code=201)
    async def create(request: Request) -> dict[str, Any]:
        return platform.create(await request.json())

    @api.get("/api/v1/services")
    def listing() -> list[dict[str, Any]]:
        return [platform.public(service) for _, service in sorted(platform.services.items())]

    @api.get("/api/v1/services/{name}")
    def show(name: str) -> dict[str, Any]:
        return platform.poll(name)

    @api.patch("/api/v1/services/{name}")
    async def update(name: str, request: Request) -> dict[str, Any]:
        return platform.public(platform.update(name, await request.json()))

    @api.post("/api/v1/services/{name}/pause")
    def pause(name: str) -> dict[str, Any]:
        service = platform.find(name)
        service["desired"] = "paused"
        platform.record(name, "paused", "paused by admin")
        return platform.public(service)

    @api.post("/api/v1/services/{name}/resume")
    def resume(name: str) -> dict[str, Any]:
        service = platform.find(name)
        platform.restart(service, "resumed")
        return platform.public(service)

    @api.post("/api/v1/services/{name}/rollback")
    def rollback(name: str) -> dict[str, Any]:
        service = platform.find(name)
        if service["previous_version"] is None:
            raise StubError(409, "conflict", f"service {name!r} has no previous version")
        service["version"], service["previous_version"] = (service["previous_version"],
                                                           service["version"])
        platform.restart(service, "rollback")
        return platform.public(service)

    @api.delete("/api/v1/services/{name}", status_code=202)
    def delete(name: str) -> dict[str, Any]:
        service = platform.find(name)
        service.update(desired="deleted", state="deleting")
        return platform.public(service)

    @api.post("/api/v1/services/{name}/key")
    def rotate(name: str) -> dict[str, str]:
        platform.find(name)
        return {"api_key": platform.new_key(name)}

    @api.get("/api/v1/services/{name}/events")
    def events(name: str, limit: int = 200) -> list[dict[str, Any]]:
        platform.find(name)
        return platform.events.get(name, [])[:limit]

    def replicas_of(name: str) -> list[dict[str, Any]]:
        running = platform.find(name)["replicas_running"] or 0
        return [{"replica_id": f"{name}-r{index}", "actor_id": f"actor{index}",
                 "state": "RUNNING", "node_id": "f" * 40, "node_ip": "10.0.0.7",
                 "pid": 4200 + index, "started": 1740830405.0, "requests": 10 * index}
                for index in range(running)]

    @api.get("/api/v1/services/{name}/replicas")
    def replicas(name: str) -> list[dict[str, Any]]:
        return replicas_of(name)

    @api.post("/api/v1/services/{name}/replicas/{replica_id}/restart", status_code=202)
    def restart_replica(name: str, replica_id: str) -> dict[str, str]:
        if replica_id not in [r["replica_id"] for r in replicas_of(name)]:
            raise StubError(404, "not_found", f"no replica {replica_id!r} in {name!r}")
        return {"replica_id": replica_id}

    @api.get("/api/v1/services/{name}/logs")
    def logs(name: str, tail: int = 100) -> dict[str, Any]:
        lines = [f"INFO request {index}" for index in range(500)][-tail:]
        return {"replicas": [{"replica_id": r["replica_id"], "lines": lines}
                             for r in replicas_of(name)]}

    @api.get("/api/v1/services/{name}/metrics")
    def metrics(name: str, window: str = "minute") -> dict[str, Any]:
        platform.find(name)
        point = {"requests": 120, "errors": 3, "requests_per_second": 2.0,
                 "latency_ms_mean": 4.2, "latency_ms_p50": 3.1, "latency_ms_p95": 9.8,
                 "latency_ms_p99": 15.5}
        series = [{**point, "t": NOW, "requests_per_second": rate} for rate in (0.0, 1.0, 2.0)]
        return {"window": window, "summary": point, "series": series}

    @api.get("/api/v1/services/{name}/snippets")
    def snippets(name: str) -> dict[str, str]:
        url = platform.find(name)["url"]
        return {"curl": f"curl -X POST {url}/predict",
                "python": f"requests.post('{url}/predict')",
                "serve_handle": f"serve.get_app_handle('svc-{name}')"}

    @api.post("/api/v1/svc/{name}/predict")
    async def predict(name: str, request: Request) -> Response:
        query = dict(request.query_params)
        if request.headers.get("content-type", "").startswith("text/csv"):
            rows = (await request.body()).decode().strip().splitlines()[1:]
            return platform.predict(name, rows, query)
        return platform.predict(name, _rows(await request.json()), query)

    @api.get("/api/v1/requests/{request_id}")
    def request_status(request_id: str) -> dict[str, Any]:
        return platform.advance_request(request_id)

    return api


# -- fixtures ------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAAS_HOME", str(tmp_path / "daas-home"))
    for variable in ("DAAS_URL", "DAAS_TOKEN", "DAAS_HOST", "DAAS_PORT", "DAAS_SERVICE_KEY",
                     "DAAS_GROUP"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubPlatform]:
    """The stub platform, with every CLI command routed to it and no pause between polls."""
    state = StubPlatform()
    monkeypatch.setattr(waiting, "pause_between_polls", lambda seconds: None)
    with TestClient(make_stub_services_api(state)) as http:
        use_app(monkeypatch, http)
        yield state


Daas = Callable[..., Any]


@pytest.fixture
def daas() -> Daas:
    """Run ``daas services ...`` as the admin; returns the click result."""
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, ["--token", ADMIN, "services", *args], input=input)

    return invoke


def deployed(daas: Daas, name: str = "iris-svc", *flags: str) -> str:
    """Deploy a service from the ``iris`` model and return its API key."""
    result = daas("deploy", name, "--model", "iris", "--json", *flags)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["api_key"]


# -- deploy ---------------------------------------------------------------------------------

def test_deploy_prints_the_key_then_waits_until_running(
        daas: Daas, platform: StubPlatform) -> None:
    result = daas("deploy", "iris-svc", "--model", "iris")
    assert result.exit_code == 0, result.output
    key = platform.keys["iris-svc"]
    lines = result.stdout.splitlines()
    assert lines[0] == "Created service iris-svc (iris version 3)."
    assert "not shown again" in lines[1] and lines[2] == key
    assert "Service iris-svc is running at http://testserver/api/v1/svc/iris-svc" in lines[-1]
    assert "iris-svc: deploying" in result.stderr and "iris-svc: running" in result.stderr
    assert len(platform.bodies("GET", "/api/v1/services/iris-svc")) == platform.polls_to_settle
    assert platform.services["iris-svc"]["state"] == "running"


def test_deploy_sends_only_the_flags_given(daas: Daas, platform: StubPlatform) -> None:
    result = daas("deploy", "iris-svc", "--model", "iris", "--version", "2", "--preset", "small",
                  "--replicas", "2", "--cpus", "0.5", "--memory", "512Mi", "--gpus", "1",
                  "--max-ongoing", "8", "--max-queued", "32", "--batch-size", "16",
                  "--batch-wait-ms", "10", "--timeout", "5")
    assert result.exit_code == 0, result.output
    [form] = platform.bodies("POST", "/api/v1/services")
    assert form == {"name": "iris-svc", "model": "iris", "version": 2, "preset": "small",
                    "replicas": 2, "num_cpus": 0.5, "memory": "512Mi", "num_gpus": 1.0,
                    "max_ongoing_requests": 8, "max_queued_requests": 32, "timeout_s": 5.0,
                    "batching": {"max_batch_size": 16, "max_wait_ms": 10.0}}
    daas("deploy", "auto-svc", "--model", "iris", "--min-replicas", "0", "--max-replicas", "4",
         "--target-ongoing", "3", "--memory", "1073741824", "--no-wait")
    assert platform.bodies("POST", "/api/v1/services")[1] == {
        "name": "auto-svc", "model": "iris", "memory": 1073741824,
        "autoscaling": {"min_replicas": 0, "max_replicas": 4, "target_ongoing_requests": 3.0}}


def test_deploy_refuses_replicas_together_with_autoscaling(
        daas: Daas, platform: StubPlatform) -> None:
    result = daas("deploy", "iris-svc", "--model", "iris", "--replicas", "2",
                  "--max-replicas", "4")
    assert result.exit_code == 2
    assert "not both" in result.output
    assert platform.calls == []


def test_deploy_no_wait_returns_while_deploying(daas: Daas, platform: StubPlatform) -> None:
    result = daas("deploy", "iris-svc", "--model", "iris", "--no-wait")
    assert result.exit_code == 0, result.output
    assert "Service iris-svc is deploying" in result.stdout
    assert platform.keys["iris-svc"] in result.stdout
    assert platform.bodies("GET", "/api/v1/services/iris-svc") == []


def test_deploy_json_carries_the_key_and_the_final_state(
        daas: Daas, platform: StubPlatform) -> None:
    result = daas("deploy", "iris-svc", "--model", "iris", "--json")
    assert result.exit_code == 0, result.output
    service = json.loads(result.stdout)
    assert service["api_key"] == platform.keys["iris-svc"]
    assert (service["state"], service["replicas_running"]) == ("running", 1)


def test_deploy_that_fails_prints_the_reason_and_exits_non_zero(
        daas: Daas, platform: StubPlatform) -> None:
    result = daas("deploy", "bad-svc", "--model", "broken")
    assert result.exit_code == 6
    assert "error: service 'bad-svc' failed: model failed to load: truncated file" in result.stderr
    assert platform.keys["bad-svc"] in result.stdout  # shown before the wait, never lost
    assert "running at" not in result.stdout
    result = daas("deploy", "bad-json", "--model", "broken", "--json")
    assert result.exit_code == 6
    failed = json.loads(result.stdout)
    assert failed["state"] == "failed" and failed["api_key"] == platform.keys["bad-json"]


def test_deploy_gives_up_after_the_wait_timeout(daas: Daas, platform: StubPlatform) -> None:
    result = daas("deploy", "slow-svc", "--model", "slow", "--wait-timeout", "0.05")
    assert result.exit_code == 7
    assert "service 'slow-svc' is still deploying after 0.05 s" in result.stderr
    assert "insufficient resources" in result.stderr
    assert "daas services show slow-svc" in result.stderr


@pytest.mark.parametrize(("args", "exit_code", "message"), [
    (["deploy", "other-svc", "--model", "nope"], 4, "no model named 'nope'"),
    (["show", "ghost"], 4, "no service named 'ghost'"),
    (["pause", "ghost"], 4, "no service named 'ghost'"),
    (["scale", "ghost", "--replicas", "2"], 4, "no service named 'ghost'"),
    (["logs", "ghost"], 4, "no service named 'ghost'"),
    (["predict", "ghost", "--data", "{}"], 4, "no service named 'ghost'"),
    (["rollback", "iris-svc"], 5, "has no previous version"),
    (["deploy", "iris-svc", "--model", "iris"], 5, "exists already"),
])
def test_api_errors_print_the_message_and_map_to_exit_codes(
        daas: Daas, platform: StubPlatform, args: list[str], exit_code: int,
        message: str) -> None:
    deployed(daas)
    result = daas(*args)
    assert result.exit_code == exit_code
    assert message in result.stderr
    assert result.stdout == ""


def test_a_missing_token_is_unauthenticated(platform: StubPlatform) -> None:
    result = CliRunner().invoke(app, ["services", "list"])
    assert result.exit_code == 3
    assert "missing or unknown API token" in result.stderr


# -- reading services -------------------------------------------------------------------------

def test_list_shows_each_service_with_its_state(daas: Daas, platform: StubPlatform) -> None:
    assert "No services." in daas("list").stdout
    deployed(daas)
    daas("deploy", "auto-svc", "--model", "iris", "--min-replicas", "1", "--max-replicas", "3",
         "--memory", "2Gi", "--no-wait")
    result = daas("list")
    assert result.exit_code == 0, result.output
    header, auto, iris = [line for line in result.stdout.splitlines()
                          if "svc" in line or "Name" in line]
    assert "State" in header and "Replicas" in header
    assert "deploying" in auto and "0/1-3 auto" in auto and "2Gi" in auto
    assert "running" in iris and "iris v3" in iris and "1/1" in iris
    assert [s["name"] for s in json.loads(daas("list", "--json").stdout)] == ["auto-svc",
                                                                             "iris-svc"]


def test_show_prints_state_model_and_resources(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas, "iris-svc", "--version", "1", "--cpus", "2", "--memory", "1536Mi",
             "--batch-size", "4")
    result = daas("show", "iris-svc")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == ["iris-svc", "running"]
    out = result.stdout
    assert "iris version 1" in out and "http://testserver/api/v1/svc/iris-svc" in out
    assert "1.5Gi" in out and "max_batch_size=4" in out and "30 s" in out
    assert "2025-03-01 12:00:05 by admin" in out
    assert json.loads(daas("show", "iris-svc", "--json").stdout)["spec"]["num_cpus"] == 2.0


def test_show_of_a_failed_service_gives_the_reason(daas: Daas, platform: StubPlatform) -> None:
    daas("deploy", "bad-svc", "--model", "broken")
    result = daas("show", "bad-svc")
    assert result.exit_code == 0, result.output
    assert "failed" in result.stdout.splitlines()[0]
    assert "model failed to load: truncated file" in result.stdout


# -- changing services ------------------------------------------------------------------------

def test_pause_then_resume_wait_for_each_state(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("pause", "iris-svc")
    assert result.exit_code == 0, result.output
    assert "Service iris-svc is paused." in result.stdout
    assert platform.services["iris-svc"]["state"] == "paused"
    result = daas("resume", "iris-svc", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["state"] == "running"


def test_pausing_a_failed_service_is_not_a_failure(daas: Daas, platform: StubPlatform) -> None:
    daas("deploy", "bad-svc", "--model", "broken")
    result = daas("pause", "bad-svc")
    assert result.exit_code == 0, result.output
    assert "is paused" in result.stdout


def test_delete_asks_then_waits_until_the_service_is_gone(
        daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("delete", "iris-svc", input="n\n")
    assert result.exit_code == 1
    assert "Delete service iris-svc?" in result.output
    assert platform.bodies("DELETE", "/api/v1/services/iris-svc") == []
    result = daas("delete", "iris-svc", "--yes")
    assert result.exit_code == 0, result.output
    assert "Deleted service iris-svc." in result.stdout
    assert "iris-svc: deleting" in result.stderr
    assert platform.services == {}
    assert daas("show", "iris-svc").exit_code == 4


def test_delete_no_wait_leaves_it_deleting(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("delete", "iris-svc", "-y", "--no-wait", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["state"] == "deleting"
    assert "iris-svc" in platform.services


def test_scale_to_a_fixed_count(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("scale", "iris-svc", "--replicas", "3")
    assert result.exit_code == 0, result.output
    assert platform.bodies("PATCH", "/api/v1/services/iris-svc") == [{"replicas": 3}]
    assert "Service iris-svc is running: iris version 3, 3/3 replicas." in result.stdout


def test_scale_keeps_the_autoscaling_settings_not_given(
        daas: Daas, platform: StubPlatform) -> None:
    deployed(daas, "iris-svc", "--min-replicas", "2", "--max-replicas", "4",
             "--target-ongoing", "5")
    result = daas("scale", "iris-svc", "--max-replicas", "8")
    assert result.exit_code == 0, result.output
    assert platform.bodies("PATCH", "/api/v1/services/iris-svc") == [{"autoscaling": {
        "min_replicas": 2, "max_replicas": 8, "target_ongoing_requests": 5.0}}]
    assert "2/2-8 auto" in result.stdout


def test_scale_or_update_without_changes_is_a_usage_error(
        daas: Daas, platform: StubPlatform) -> None:
    for command in ("scale", "update"):
        result = daas(command, "iris-svc")
        assert result.exit_code == 2
        assert "nothing to change" in result.output
    assert platform.calls == []


def test_update_switches_version_and_resources_in_one_rollout(
        daas: Daas, platform: StubPlatform) -> None:
    deployed(daas, "iris-svc", "--version", "1", "--batch-size", "4")
    result = daas("update", "iris-svc", "--version", "2", "--cpus", "2", "--memory", "1Gi",
                  "--batch-wait-ms", "20", "--timeout", "9")
    assert result.exit_code == 0, result.output
    assert platform.bodies("PATCH", "/api/v1/services/iris-svc") == [{
        "version": 2, "num_cpus": 2.0, "memory": "1Gi", "timeout_s": 9.0,
        "batching": {"max_batch_size": 4, "max_wait_ms": 20.0}}]
    assert "iris-svc: deploying" in result.stderr
    assert "Service iris-svc is running: iris version 2" in result.stdout
    service = json.loads(daas("show", "iris-svc", "--json").stdout)
    assert (service["version"], service["previous_version"]) == (2, 1)
    assert service["spec"]["memory"] == 2**30


def test_rollback_returns_to_the_previous_version(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas, "iris-svc", "--version", "1")
    daas("update", "iris-svc", "--version", "3")
    result = daas("rollback", "iris-svc")
    assert result.exit_code == 0, result.output
    assert "Service iris-svc is running on version 1." in result.stdout
    assert platform.services["iris-svc"]["previous_version"] == 3


def test_rotate_key_prints_the_new_key_once_confirmed(
        daas: Daas, platform: StubPlatform) -> None:
    old = deployed(daas)
    assert daas("rotate-key", "iris-svc", input="n\n").exit_code == 1
    assert platform.keys["iris-svc"] == old
    result = daas("rotate-key", "iris-svc", "--yes")
    assert result.exit_code == 0, result.output
    new = platform.keys["iris-svc"]
    assert new != old and result.stdout.strip().splitlines()[-1] == new
    assert json.loads(daas("rotate-key", "iris-svc", "-y", "--json").stdout) == {
        "api_key": platform.keys["iris-svc"]}


# -- watching services ------------------------------------------------------------------------

def test_events_newest_first_with_a_limit(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    daas("pause", "iris-svc")
    result = daas("events", "iris-svc")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "2025-03-01 12:00:05" in line]
    assert [row.split("│")[2].strip() for row in rows] == ["paused", "state", "created"]
    assert "deploy iris by admin" in rows[-1]
    assert len(json.loads(daas("events", "iris-svc", "--limit", "1", "--json").stdout)) == 1
    assert platform.params("GET", "/api/v1/services/iris-svc/events")[-1] == {"limit": "1"}


def test_replicas_table_and_restart_one(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas, "iris-svc", "--replicas", "2")
    result = daas("replicas", "iris-svc")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "iris-svc-r" in line]
    assert len(rows) == 2
    assert "RUNNING" in rows[1] and "10.0.0.7" in rows[1] and "4201" in rows[1]
    assert [r["pid"] for r in json.loads(daas("replicas", "iris-svc", "--json").stdout)] == [
        4200, 4201]
    result = daas("restart-replica", "iris-svc", "iris-svc-r1")
    assert result.exit_code == 0, result.output
    assert "Restarting replica iris-svc-r1 of iris-svc" in result.stdout
    result = daas("restart-replica", "iris-svc", "nope")
    assert result.exit_code == 4
    assert "no replica 'nope'" in result.stderr


def test_replicas_of_a_paused_service(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    daas("pause", "iris-svc")
    assert "No replicas of iris-svc are running." in daas("replicas", "iris-svc").stdout


def test_logs_print_the_tail_of_each_replica(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas, "iris-svc", "--replicas", "2")
    result = daas("logs", "iris-svc", "--tail", "3")
    assert result.exit_code == 0, result.output
    assert platform.params("GET", "/api/v1/services/iris-svc/logs") == [{"tail": "3"}]
    assert result.stdout.splitlines() == [
        "==> iris-svc-r0 <==", "INFO request 497", "INFO request 498", "INFO request 499", "",
        "==> iris-svc-r1 <==", "INFO request 497", "INFO request 498", "INFO request 499"]


def test_metrics_summarise_the_window(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("metrics", "iris-svc", "--window", "hour")
    assert result.exit_code == 0, result.output
    assert platform.params("GET", "/api/v1/services/iris-svc/metrics") == [{"window": "hour"}]
    out = result.stdout
    assert "iris-svc, last hour" in out
    assert "3 (2.5%)" in out and "9.8 ms" in out and "15.5 ms" in out
    assert "▁▅█" in out
    assert json.loads(daas("metrics", "iris-svc", "--json").stdout)["window"] == "minute"
    assert daas("metrics", "iris-svc", "--window", "day").exit_code == 2


def test_snippets_print_all_or_one(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("snippets", "iris-svc")
    assert result.exit_code == 0, result.output
    assert "# curl" in result.stdout and "# Ray Serve handle" in result.stdout
    assert "curl -X POST http://testserver/api/v1/svc/iris-svc/predict" in result.stdout
    result = daas("snippets", "iris-svc", "--lang", "serve_handle")
    assert result.stdout == "serve.get_app_handle('svc-iris-svc')\n"


# -- calling services -------------------------------------------------------------------------

def test_predict_prints_predictions(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("predict", "iris-svc", "--data", json.dumps([RECORD, RECORD]))
    assert result.exit_code == 0, result.output
    assert "iris-svc: iris version 3 (classification)" in result.stdout
    assert sum("setosa" in line for line in result.stdout.splitlines()) == 2
    [body] = platform.bodies("POST", "/api/v1/svc/iris-svc/predict")
    assert body == {"data": [RECORD, RECORD]}
    scored = json.loads(daas("predict", "iris-svc", "--data", json.dumps(RECORD),
                             "--json").stdout)
    assert len(scored["predictions"]) == 1


def test_predict_sends_a_csv_file_as_csv_and_can_return_csv(
        daas: Daas, platform: StubPlatform, tmp_path: Path) -> None:
    deployed(daas)
    rows = tmp_path / "rows.csv"
    rows.write_text(",".join(RECORD) + "\n5.1,3.5,1.4,0.2\n6.3,3.3,6.0,2.5\n")
    result = daas("predict", "iris-svc", "--file", str(rows), "--csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "label\nsetosa\nsetosa\n"
    assert platform.params("POST", "/api/v1/svc/iris-svc/predict") == [{"format": "csv"}]


def test_predict_reads_a_json_file(daas: Daas, platform: StubPlatform, tmp_path: Path) -> None:
    deployed(daas)
    records = tmp_path / "records.json"
    records.write_text(json.dumps([RECORD] * 3))
    result = daas("predict", "iris-svc", "--file", str(records), "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["predictions"]) == 3


def test_predict_uses_the_service_key_when_given(daas: Daas, platform: StubPlatform) -> None:
    key = deployed(daas)
    assert daas("predict", "iris-svc", "--data", "{}", "--api-key", key).exit_code == 0
    result = daas("predict", "iris-svc", "--data", "{}", "--api-key", "stale")
    assert result.exit_code == 3
    assert platform.predict_auth == [key, "stale"]
    # async results are read with the platform token, which the stub demands for /requests
    result = daas("predict", "iris-svc", "--data", "{}", "--api-key", key, "--async", "--wait")
    assert result.exit_code == 0, result.output
    assert "setosa" in result.stdout


def test_predict_async_queues_then_request_shows_it(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("predict", "iris-svc", "--data", json.dumps(RECORD), "--async")
    assert result.exit_code == 0, result.output
    [request_id] = platform.requests
    assert f"Queued request {request_id}" in result.stdout
    assert platform.params("POST", "/api/v1/svc/iris-svc/predict") == [{"mode": "async"}]
    status = daas("request", request_id)
    assert status.exit_code == 0, status.output
    assert "running" in status.stdout
    status = daas("request", request_id)
    assert "succeeded" in status.stdout and "setosa" in status.stdout


def test_predict_async_wait_prints_the_result(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("predict", "iris-svc", "--data", json.dumps([RECORD]), "--async", "--wait")
    assert result.exit_code == 0, result.output
    assert "setosa" in result.stdout
    [request_id] = platform.requests
    assert len(platform.bodies("GET", f"/api/v1/requests/{request_id}")) == 2
    result = daas("predict", "iris-svc", "--data", json.dumps([RECORD]), "--async", "--wait",
                  "--csv")
    assert result.stdout == "label\nsetosa\n"


def test_predict_async_wait_reports_the_request_error(
        daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    result = daas("predict", "iris-svc", "--data", json.dumps({**RECORD, "Sepal_Width": "wide"}),
                  "--async", "--wait")
    assert result.exit_code == 2
    assert "Sepal_Width must be a number" in result.stderr
    assert "field: Sepal_Width" in result.stderr


def test_predict_argument_errors(daas: Daas, platform: StubPlatform) -> None:
    assert "exactly one of --data or --file" in daas("predict", "iris-svc").output
    assert "--wait goes with --async" in daas("predict", "iris-svc", "--data", "{}",
                                              "--wait").output
    assert "not valid JSON" in daas("predict", "iris-svc", "--data", "{nope").output
    assert platform.calls == []


def test_predict_on_a_paused_service_is_unavailable(daas: Daas, platform: StubPlatform) -> None:
    deployed(daas)
    daas("pause", "iris-svc")
    result = daas("predict", "iris-svc", "--data", "{}")
    assert result.exit_code == 6
    assert "service 'iris-svc' is paused" in result.stderr


# -- the client on its own ------------------------------------------------------------------

@pytest.fixture
def client() -> Iterator[tuple[DaasClient, StubPlatform]]:
    state = StubPlatform()
    with TestClient(make_stub_services_api(state)) as http:
        yield DaasClient("http://testserver", ADMIN, http=http), state


def test_client_deploys_and_waits(client: tuple[DaasClient, StubPlatform]) -> None:
    daas_client, state = client
    created = daas_client.deploy_service("iris-svc", "iris", version=2, num_cpus=None,
                                         autoscaling={"min_replicas": 1, "max_replicas": 2})
    assert created["api_key"] == state.keys["iris-svc"]
    assert state.bodies("POST", "/api/v1/services") == [{
        "name": "iris-svc", "model": "iris", "version": 2,
        "autoscaling": {"min_replicas": 1, "max_replicas": 2}}]
    seen: list[str] = []
    service = daas_client.wait_for_service("iris-svc", interval=0,
                                           on_poll=lambda s: seen.append(s["state"]))
    assert service["state"] == "running"
    assert seen == ["deploying", "running"]


def test_client_wait_raises_service_failed_with_the_last_seen_service(
        client: tuple[DaasClient, StubPlatform]) -> None:
    daas_client, _ = client
    daas_client.create_service({"name": "bad", "model": "broken"})
    with pytest.raises(ServiceFailed, match="truncated file") as caught:
        daas_client.wait_for_service("bad", interval=0)
    assert caught.value.service["state"] == "failed"


def test_client_wait_times_out_without_sleeping_past_the_deadline(
        client: tuple[DaasClient, StubPlatform]) -> None:
    daas_client, _ = client
    daas_client.create_service({"name": "slow", "model": "slow"})
    naps: list[float] = []
    with pytest.raises(Timeout, match="still deploying after 0 s"):
        daas_client.wait_for_service("slow", timeout=0, interval=5, sleep=naps.append)
    assert naps == []


def test_client_wait_until_deleted(client: tuple[DaasClient, StubPlatform]) -> None:
    daas_client, state = client
    daas_client.create_service({"name": "gone", "model": "iris"})
    assert daas_client.delete_service("gone")["state"] == "deleting"
    daas_client.wait_until_deleted("gone", interval=0)
    with pytest.raises(NotFound):
        daas_client.get_service("gone")


def test_client_wait_for_request_raises_the_recorded_error(
        client: tuple[DaasClient, StubPlatform]) -> None:
    daas_client, state = client
    daas_client.create_service({"name": "svc", "model": "iris"})
    daas_client.wait_for_service("svc", interval=0)
    queued = daas_client.predict("svc", [{"Sepal_Width": "wide"}], mode="async")
    assert queued["status"] == "queued"
    with pytest.raises(InvalidInput) as caught:
        daas_client.wait_for_request(queued["id"], interval=0)
    assert caught.value.details == {"field": "Sepal_Width", "row": 0}


def test_client_predict_sends_csv_with_its_content_type(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b\n1,2\n")
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(200, text="label\nx\n")

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = DaasClient("http://daas.test", "platform-token", http=http)
        assert client.predict("my svc", rows, csv=True, api_key="svc-key") == "label\nx\n"
    [request] = sent
    assert request.url == "http://daas.test/api/v1/svc/my%20svc/predict?format=csv"
    assert request.headers["content-type"] == "text/csv"
    assert request.headers["authorization"] == "Bearer svc-key"
    assert request.content == b"a,b\n1,2\n"


def test_client_predict_rejects_an_unknown_mode() -> None:
    mode: Any = "later"
    with pytest.raises(ValueError, match="mode"):
        DaasClient("http://daas.test", "t").predict("svc", {}, mode=mode)


# -- end to end against the platform app (fake Serve, one reconcile pass per poll) -----------

@pytest.fixture
def on_platform(platform_app: Any, monkeypatch: pytest.MonkeyPatch) -> Daas:
    """Run ``daas ...`` against ``platform_app``; each wait between polls reconciles once."""
    use_app(monkeypatch, TestClient(platform_app.app, raise_server_exceptions=False))
    reconciler = platform_app.container.reconciler
    monkeypatch.setattr(waiting, "pause_between_polls",
                        lambda seconds: reconciler.reconcile())
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["--token", platform_app.admin_token, *args])

    return invoke


def test_service_lifecycle_on_the_platform_app(on_platform: Daas) -> None:
    def service() -> dict[str, Any]:
        shown = on_platform("services", "show", "iris-svc", "--json")
        assert shown.exit_code == 0, shown.output
        return json.loads(shown.stdout)

    for _ in range(2):
        assert on_platform("models", "upload", str(IRIS_PMML), "--name", "iris").exit_code == 0
    result = on_platform("services", "deploy", "iris-svc", "--model", "iris", "--version", "1",
                         "--replicas", "2", "--memory", "512Mi", "--wait-timeout", "30")
    assert result.exit_code == 0, result.output
    assert "running at" in result.stdout and "daas_" in result.stdout
    deployed_now = service()
    assert (deployed_now["state"], deployed_now["spec"]["memory"]) == ("running", 512 * 2**20)

    result = on_platform("services", "update", "iris-svc", "--version", "2", "--replicas", "1")
    assert result.exit_code == 0, result.output
    assert (service()["version"], service()["spec"]["replicas"]) == (2, 1)
    assert on_platform("services", "rollback", "iris-svc").exit_code == 0
    assert service()["version"] == 1
    assert on_platform("services", "pause", "iris-svc").exit_code == 0
    assert service()["state"] == "paused"
    assert on_platform("services", "resume", "iris-svc").exit_code == 0
    assert service()["state"] == "running"

    kinds = [e["kind"] for e in json.loads(
        on_platform("services", "events", "iris-svc", "--json").stdout)]
    assert {"created", "updated", "rollback", "paused", "resumed"} <= set(kinds)
    assert "curl" in on_platform("services", "snippets", "iris-svc", "--lang", "curl").stdout
    result = on_platform("services", "delete", "iris-svc", "--yes", "--wait-timeout", "30")
    assert result.exit_code == 0, result.output
    assert on_platform("services", "show", "iris-svc").exit_code == 4
    assert on_platform("services", "deploy", "x", "--model", "nope").exit_code == 4
