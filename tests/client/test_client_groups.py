"""The client's ``group``: sent as the ``group`` query parameter on every object call, only
when set (the call's own, else the client's), never on account calls; and the account
resources (groups, users, their tokens, me, permissions) call the routes the design names.

A mock transport records each request, so these run without a platform.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from daas.client import DaasClient
from daas.errors import Forbidden

#: Enough of every answer for the calls below (waits settle, keys are found).
ANSWER = {"id": 1, "name": "x", "state": "running", "desired": "running", "status": "succeeded",
          "api_key": "k", "items": [], "total": 0, "offset": 0, "limit": 50}


class Recorder:
    """A client on a mock transport, and the requests it sent."""

    def __init__(self, group: str | None = None) -> None:
        self.sent: list[httpx.Request] = []
        self.client = DaasClient("http://daas.test", "secret", group,
                                 http=httpx.Client(transport=httpx.MockTransport(self._answer)))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        if request.method == "DELETE" and "/services/" not in request.url.path:
            return httpx.Response(204)
        return httpx.Response(200, json=ANSWER)

    @property
    def last(self) -> httpx.Request:
        return self.sent[-1]


Call = Callable[..., Any]


def _object_calls(tmp_path: Path) -> dict[str, Call]:
    """Every object call of the client, each taking ``group=``."""
    model = tmp_path / "m.pmml"
    model.write_bytes(b"<PMML/>")
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    rows = tmp_path / "rows.json"
    rows.write_text('[{"a": 1}]')
    return {
        "upload_model": lambda c, **g: c.upload_model(model, "m", **g),
        "upload_model_bytes": lambda c, **g: c.upload_model(b"<PMML/>", "m", **g),
        "list_models": lambda c, **g: c.list_models(**g),
        "get_model": lambda c, **g: c.get_model("m", **g),
        "versions": lambda c, **g: c.versions("m", **g),
        "version": lambda c, **g: c.version("m", 1, **g),
        "schema": lambda c, **g: c.schema("m", **g),
        "test": lambda c, **g: c.test("m", {"a": 1}, **g),
        "test_file": lambda c, **g: c.test("m", rows, **g),
        "download": lambda c, **g: c.download("m", 1, **g),
        "download_to": lambda c, **g: c.download_to("m", 1, tmp_path / "out", **g),
        "delete_version": lambda c, **g: c.delete_version("m", 1, **g),
        "delete_model": lambda c, **g: c.delete_model("m", **g),
        "create_service": lambda c, **g: c.create_service({"name": "s", "model": "m"}, **g),
        "deploy_service": lambda c, **g: c.deploy_service("s", "m", replicas=2, **g),
        "list_services": lambda c, **g: c.list_services(**g),
        "get_service": lambda c, **g: c.get_service("s", **g),
        "update_service": lambda c, **g: c.update_service("s", version=2, **g),
        "pause_service": lambda c, **g: c.pause_service("s", **g),
        "resume_service": lambda c, **g: c.resume_service("s", **g),
        "rollback_service": lambda c, **g: c.rollback_service("s", **g),
        "delete_service": lambda c, **g: c.delete_service("s", **g),
        "rotate_service_key": lambda c, **g: c.rotate_service_key("s", **g),
        "service_events": lambda c, **g: c.service_events("s", **g),
        "service_replicas": lambda c, **g: c.service_replicas("s", **g),
        "restart_replica": lambda c, **g: c.restart_replica("s", "r1", **g),
        "service_logs": lambda c, **g: c.service_logs("s", **g),
        "service_metrics": lambda c, **g: c.service_metrics("s", **g),
        "service_snippets": lambda c, **g: c.service_snippets("s", **g),
        "wait_for_service": lambda c, **g: c.wait_for_service("s", **g),
        "get_request": lambda c, **g: c.get_request("r", **g),
        "wait_for_request": lambda c, **g: c.wait_for_request("r", **g),
        "upload_dataset": lambda c, **g: c.upload_dataset(data, "d", **g),
        "import_dataset": lambda c, **g: c.import_dataset("d", "https://example.com/d.csv", **g),
        "list_datasets": lambda c, **g: c.list_datasets(**g),
        "get_dataset": lambda c, **g: c.get_dataset("d", **g),
        "preview_dataset": lambda c, **g: c.preview_dataset("d", **g),
        "download_dataset_to": lambda c, **g: c.download_dataset_to("d", tmp_path / "d.out",
                                                                    **g),
        "delete_dataset": lambda c, **g: c.delete_dataset("d", **g),
        "create_job": lambda c, **g: c.create_job("j", "predict", {"model": "m"}, **g),
        "list_jobs": lambda c, **g: c.list_jobs(**g),
        "get_job": lambda c, **g: c.get_job("j", **g),
        "update_job": lambda c, **g: c.update_job("j", schedule=None, **g),
        "delete_job": lambda c, **g: c.delete_job("j", **g),
        "job_script": lambda c, **g: c.job_script("j", **g),
        "run_job": lambda c, **g: c.run_job("j", **g),
        "job_runs": lambda c, **g: c.job_runs("j", **g),
        "get_run": lambda c, **g: c.get_run(1, **g),
        "stop_run": lambda c, **g: c.stop_run(1, **g),
        "pause_run": lambda c, **g: c.pause_run(1, **g),
        "continue_run": lambda c, **g: c.continue_run(1, **g),
        "run_logs": lambda c, **g: c.run_logs(1, **g),
        "wait_for_run": lambda c, **g: c.wait_for_run(1, **g),
    }


OBJECT_CALLS = sorted(_object_calls(Path(".")))


def _groups_sent(recorder: Recorder) -> list[str | None]:
    return [request.url.params.get("group") for request in recorder.sent]


@pytest.mark.parametrize("call", OBJECT_CALLS)
def test_no_group_parameter_unless_one_is_set(call: str, tmp_path: Path) -> None:
    recorder = Recorder()
    _object_calls(tmp_path)[call](recorder.client)
    assert recorder.sent and _groups_sent(recorder) == [None] * len(recorder.sent)


@pytest.mark.parametrize("call", OBJECT_CALLS)
def test_the_clients_group_goes_with_every_object_call(call: str, tmp_path: Path) -> None:
    recorder = Recorder(group="team-a")
    _object_calls(tmp_path)[call](recorder.client)
    assert _groups_sent(recorder) == ["team-a"] * len(recorder.sent)


@pytest.mark.parametrize("call", OBJECT_CALLS)
def test_a_calls_own_group_wins_over_the_clients(call: str, tmp_path: Path) -> None:
    recorder = Recorder(group="team-a")
    _object_calls(tmp_path)[call](recorder.client, group="team-b")
    assert _groups_sent(recorder) == ["team-b"] * len(recorder.sent)


def test_the_group_is_a_query_parameter_beside_the_others(tmp_path: Path) -> None:
    recorder = Recorder(group="team-a")
    recorder.client.list_models("iri", fmt="pmml", limit=5)
    assert dict(recorder.last.url.params) == {"q": "iri", "format": "pmml", "offset": "0",
                                              "limit": "5", "group": "team-a"}
    recorder.client.upload_model(b"<PMML/>", "m", description="d")
    assert recorder.last.url.path == "/api/v1/models"
    assert b'name="description"' in recorder.last.content
    assert b'name="group"' not in recorder.last.content  # a query parameter, not a form field
    recorder.client.deploy_service("s", "m", replicas=2)
    assert json.loads(recorder.last.content) == {"name": "s", "model": "m", "replicas": 2}


def test_predictions_on_the_data_plane_carry_no_group() -> None:
    recorder = Recorder(group="team-a")
    recorder.client.predict("s", [{"a": 1}])
    assert recorder.last.url.path == "/api/v1/svc/s/predict"
    assert "group" not in recorder.last.url.params


def _sent(request: httpx.Request) -> tuple[str, str, dict[str, str], Any]:
    body = json.loads(request.content) if request.content else None
    raw_path = request.url.raw_path.decode().partition("?")[0]  # as sent, still quoted
    return request.method, raw_path, dict(request.url.params), body


ACCOUNT_CALLS: list[tuple[Call, tuple[str, str, dict[str, str], Any]]] = [
    (lambda c: c.me(), ("GET", "/api/v1/auth/me", {}, None)),
    (lambda c: c.permissions(), ("GET", "/api/v1/permissions", {}, None)),
    (lambda c: c.create_group("team-a"), ("POST", "/api/v1/groups", {}, {"name": "team-a"})),
    (lambda c: c.list_groups(), ("GET", "/api/v1/groups", {}, None)),
    (lambda c: c.get_group("team a"), ("GET", "/api/v1/groups/team%20a", {}, None)),
    (lambda c: c.rename_group("team-a", "team-b"),
     ("PATCH", "/api/v1/groups/team-a", {}, {"name": "team-b"})),
    (lambda c: c.delete_group("team-a"), ("DELETE", "/api/v1/groups/team-a", {}, None)),
    (lambda c: c.group_members("team-a"), ("GET", "/api/v1/groups/team-a/members", {}, None)),
    (lambda c: c.share_group("team-a", "bob", "change"),
     ("PUT", "/api/v1/groups/team-a/members/bob", {}, {"permission": "change"})),
    (lambda c: c.unshare_group("team-a", "bob"),
     ("DELETE", "/api/v1/groups/team-a/members/bob", {}, None)),
    (lambda c: c.group_audit("team-a", kind="service", action="deploy", limit=10),
     ("GET", "/api/v1/groups/team-a/audit",
      {"kind": "service", "action": "deploy", "offset": "0", "limit": "10"}, None)),
    (lambda c: c.group_audit("team-a"), ("GET", "/api/v1/groups/team-a/audit", {"offset": "0"},
                                         None)),
    (lambda c: c.audit(kind="token"), ("GET", "/api/v1/audit", {"kind": "token", "offset": "0"},
                                       None)),
    (lambda c: c.create_user("ada", display_name="Ada L."),
     ("POST", "/api/v1/users", {}, {"name": "ada", "display_name": "Ada L."})),
    (lambda c: c.create_user("bob", platform_admin=True, code_execution=False),
     ("POST", "/api/v1/users", {},
      {"name": "bob", "platform_admin": True, "code_execution": False})),
    (lambda c: c.list_users(), ("GET", "/api/v1/users", {}, None)),
    (lambda c: c.get_user(), ("GET", "/api/v1/users/me", {}, None)),
    (lambda c: c.get_user("ada"), ("GET", "/api/v1/users/ada", {}, None)),
    (lambda c: c.update_user("ada", disabled=True, display_name=None, default_group="team-a"),
     ("PATCH", "/api/v1/users/ada", {}, {"disabled": True, "default_group": "team-a"})),
    (lambda c: c.create_user_token("ci", expires_in_days=30),
     ("POST", "/api/v1/users/me/tokens", {}, {"name": "ci", "expires_in_days": 30})),
    (lambda c: c.create_user_token("ci", "ada", expires="2031-01-01T00:00:00+00:00"),
     ("POST", "/api/v1/users/ada/tokens", {},
      {"name": "ci", "expires": "2031-01-01T00:00:00+00:00"})),
    (lambda c: c.user_tokens(), ("GET", "/api/v1/users/me/tokens", {}, None)),
    (lambda c: c.user_tokens("ada"), ("GET", "/api/v1/users/ada/tokens", {}, None)),
    (lambda c: c.revoke_user_token(7, "ada"), ("DELETE", "/api/v1/users/ada/tokens/7", {}, None)),
    (lambda c: c.create_token("ci", "editor"),
     ("POST", "/api/v1/tokens", {}, {"name": "ci", "role": "editor"})),
    (lambda c: c.list_tokens(), ("GET", "/api/v1/tokens", {}, None)),
    (lambda c: c.revoke_token(7), ("DELETE", "/api/v1/tokens/7", {}, None)),
]


@pytest.mark.parametrize(("call", "expected"), ACCOUNT_CALLS)
def test_account_calls_use_the_designed_routes_and_no_group(call: Call, expected: Any) -> None:
    recorder = Recorder(group="team-a")  # the client's group is for objects only
    call(recorder.client)
    [request] = recorder.sent
    assert _sent(request) == expected


def test_a_403_is_forbidden_naming_the_permission() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"error": {
            "code": "forbidden",
            "message": "deleting needs the manage permission on group 'team-a'; "
                       "user 'bob' has change",
            "details": {"permission": "manage", "group": "team-a", "action": "delete",
                        "held": "change"}}})

    client = DaasClient("http://daas.test", "secret", "team-a",
                        http=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(Forbidden, match="needs the manage permission") as caught:
        client.delete_model("m")
    assert caught.value.details["permission"] == "manage"
