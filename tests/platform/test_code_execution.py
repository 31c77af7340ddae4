"""Script jobs need the code-execution permission; job ``env`` values are write-only secrets."""

from __future__ import annotations

import pytest

from daas.platform.app import create_app
from tests.conftest import PlatformApp, make_settings
from tests.accounts import add_user
from tests.fakes import FakeJobs, FakeServe, InProcessWorker
from tests.platform.test_jobs_api import set_run

SCRIPT = "import os\nprint('token is', os.environ['API_TOKEN'])\n"
SECRET = "s3cr3t-value"


def app_with(tmp_path, **settings) -> PlatformApp:
    """A platform app like ``platform_app``, with settings of the test's choosing."""
    config = make_settings(tmp_path / "home", **settings)
    worker, serve, ray_jobs = InProcessWorker(), FakeServe(), FakeJobs()
    app = create_app(config, worker, serve, ray_jobs)
    return PlatformApp(app, config.admin_token_path.read_text().strip(), config, worker, serve, ray_jobs)


def client_as(platform: PlatformApp, role: str):
    admin = platform.client()
    response = admin.post("/api/v1/tokens", json={"name": f"{role}-user", "role": role})
    assert response.status_code == 201, response.text
    return platform.client(response.json()["token"])


def script_form(name: str = "hello", **config) -> dict:
    return {"name": name, "kind": "script",
            "config": {"source": SCRIPT, "env": {"API_TOKEN": SECRET, "MODE": "fast"}, **config}}


def create(client, form: dict) -> dict:
    response = client.post("/api/v1/jobs", json=form)
    assert response.status_code == 201, response.text
    return response.json()


def assert_code_execution_refused(response, role: str = "admin") -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert "code-execution permission" in error["message"] and "DAAS_CODE_EXECUTION_ROLE" in error["message"]
    assert error["details"] == {"permission": "code_execution", "role": role,
                                "setting": "DAAS_CODE_EXECUTION_ROLE"}


# --- the permission -----------------------------------------------------------------------

def test_an_editor_may_not_create_run_change_or_read_script_jobs(platform_app) -> None:
    admin, editor = platform_app.client(), client_as(platform_app, "editor")
    assert_code_execution_refused(editor.post("/api/v1/jobs", json=script_form("mine")))
    assert admin.get("/api/v1/jobs/mine").status_code == 404

    create(admin, script_form())
    assert_code_execution_refused(editor.post("/api/v1/jobs/hello/runs"))
    assert platform_app.ray_jobs.submissions == []
    assert_code_execution_refused(editor.patch("/api/v1/jobs/hello", json={"config": {"source": "print(1)"}}))
    assert_code_execution_refused(editor.patch("/api/v1/jobs/hello", json={"enabled": False}))
    assert_code_execution_refused(editor.get("/api/v1/jobs/hello/script"))
    shown = editor.get("/api/v1/jobs/hello").json()
    assert "source" not in shown["config"] and shown["withheld"] == ["source"]
    assert admin.get("/api/v1/jobs/hello").json()["config"]["source"] == SCRIPT


def test_a_manager_without_the_grant_may_not_stop_pause_continue_or_delete_a_script_job(
        platform_app) -> None:
    admin = platform_app.client()
    assert admin.post("/api/v1/groups", json={"name": "ops"}).status_code == 201
    lead = platform_app.client(add_user(platform_app.container, "lead", {"ops": "manage"}))
    assert admin.post("/api/v1/jobs?group=ops", json=script_form("nightly")).status_code == 201
    run = admin.post("/api/v1/jobs/nightly/runs?group=ops").json()
    run_url = f"/api/v1/runs/{run['id']}"
    assert_code_execution_refused(lead.post(f"{run_url}/stop"))
    assert_code_execution_refused(lead.post(f"{run_url}/pause"))
    set_run(platform_app, run["id"], status="paused")  # script runs do not pause; the gate comes first
    assert_code_execution_refused(lead.post(f"{run_url}/continue"))
    assert_code_execution_refused(lead.delete("/api/v1/jobs/nightly?group=ops"))
    assert admin.get(run_url).json()["status"] == "paused"
    assert admin.get("/api/v1/jobs/nightly?group=ops").status_code == 200
    assert lead.get(f"{run_url}/logs").status_code == 200  # reading stays with the group permission


def test_a_viewer_sees_no_script_source(platform_app) -> None:
    create(platform_app.client(), script_form())
    viewer = client_as(platform_app, "viewer")
    assert_code_execution_refused(viewer.get("/api/v1/jobs/hello/script"))
    listed = viewer.get("/api/v1/jobs").json()
    assert [job["withheld"] for job in listed] == [["source"]]
    assert "source" not in listed[0]["config"]
    assert viewer.get("/api/v1/jobs/hello").json()["config"]["args"] == []


def test_editors_keep_predict_jobs(platform_app) -> None:
    kinds = {entry["kind"]: entry for entry in client_as(platform_app, "editor").get("/api/v1/job-kinds").json()}
    assert kinds["predict"] == {"kind": "predict", "group": "default", "runs_code": False,
                                "permission": "change", "code_execution": False,
                                "code_execution_role": None, "allowed": True,
                                "may_read_source": True, "setting": None}
    assert kinds["script"] == {"kind": "script", "group": "default", "runs_code": True,
                               "permission": "change", "code_execution": True,
                               "code_execution_role": "admin", "allowed": False,
                               "may_read_source": False, "setting": "DAAS_CODE_EXECUTION_ROLE"}
    assert kinds["evaluate"]["allowed"]
    admin_kinds = {e["kind"]: e["allowed"] for e in platform_app.client().get("/api/v1/job-kinds").json()}
    assert admin_kinds == {"predict": True, "evaluate": True, "script": True}


def test_the_setting_grants_code_execution_to_editors(tmp_path) -> None:
    platform = app_with(tmp_path, code_execution_role="editor")
    editor, viewer = client_as(platform, "editor"), client_as(platform, "viewer")
    created = create(editor, script_form())
    assert created["created_by"] == "editor-user" and created["withheld"] == []
    assert editor.post("/api/v1/jobs/hello/runs").status_code == 202
    assert platform.ray_jobs.last["files"] == {"script.py": SCRIPT}
    assert editor.get("/api/v1/jobs/hello/script").text == SCRIPT
    assert editor.patch("/api/v1/jobs/hello", json={"enabled": False}).status_code == 200
    kinds = {e["kind"]: e for e in viewer.get("/api/v1/job-kinds").json()}
    assert kinds["script"]["code_execution_role"] == "editor" and not kinds["script"]["allowed"]
    assert_code_execution_refused(viewer.get("/api/v1/jobs/hello/script"), role="editor")


def test_the_setting_takes_only_editor_or_admin(tmp_path) -> None:
    with pytest.raises(ValueError, match="code_execution_role"):
        make_settings(tmp_path, code_execution_role="viewer")


# --- env values ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_env_values_are_masked_in_every_job_response(platform_app, role) -> None:
    created = create(platform_app.client(), script_form())
    assert created["config"]["env"] == {"API_TOKEN": "***", "MODE": "***"}
    reader = platform_app.client() if role == "admin" else client_as(platform_app, role)
    assert reader.get("/api/v1/jobs/hello").json()["config"]["env"] == {"API_TOKEN": "***", "MODE": "***"}
    assert reader.get("/api/v1/jobs").json()[0]["config"]["env"] == {"API_TOKEN": "***", "MODE": "***"}
    run = platform_app.client().post("/api/v1/jobs/hello/runs").json()
    assert SECRET not in str(reader.get(f"/api/v1/runs/{run['id']}").json())
    assert SECRET not in str(reader.get("/api/v1/jobs/hello/runs").json())
    assert platform_app.ray_jobs.last["runtime_env"]["env_vars"] == {"API_TOKEN": SECRET, "MODE": "fast"}


def test_run_logs_hide_env_values_of_eight_characters_or_more(platform_app) -> None:
    create(platform_app.client(), script_form(env={"API_TOKEN": SECRET, "MODE": "verbose"}))
    run = platform_app.client().post("/api/v1/jobs/hello/runs").json()
    platform_app.ray_jobs.log_text[run["submission_id"]] = f"token is {SECRET}\nmode verbose\n"
    logs = client_as(platform_app, "viewer").get(f"/api/v1/runs/{run['id']}/logs").json()
    assert logs["logs"][0]["text"] == "token is ***\nmode verbose\n"


def test_no_get_route_shows_a_script_secret_to_a_viewer_or_an_editor(platform_app) -> None:
    admin = platform_app.client()
    job = create(admin, script_form())
    run = admin.post("/api/v1/jobs/hello/runs").json()
    printed = f"Traceback (most recent call last):\nRuntimeError: token {SECRET} refused\n"
    platform_app.ray_jobs.log_text[run["submission_id"]] = printed
    platform_app.ray_jobs.set_status(run["submission_id"], "FAILED", "Job entrypoint command "
                                     f"failed with exit code 1, last available logs:\n{printed}")
    failed = admin.get(f"/api/v1/runs/{run['id']}").json()
    assert failed["status"] == "failed" and "token *** refused" in failed["error"]
    rotated = {"source": SCRIPT, "env": {"API_TOKEN": "n3w-s3cr3t-value", "MODE": "fast"}}
    assert admin.patch("/api/v1/jobs/hello", json={"config": rotated}).status_code == 200
    values = {"name": "hello", "group": job["group"], "run_id": str(run["id"]), "version": "1",
              "request_id": "none", "user": "admin", "token_id": "1", "replica_id": "none"}
    paths = [path for path, items in platform_app.app.openapi()["paths"].items() if "get" in items]
    for role in ("viewer", "editor"):
        client = client_as(platform_app, role)
        answered = 0
        for path in paths:
            response = client.get(path.format(**values))
            answered += response.status_code == 200
            assert SECRET not in response.text, (role, path)
        assert answered > 20
        for url in (f"/api/v1/runs/{run['id']}", f"/api/v1/runs/{run['id']}/logs", "/api/v1/jobs/hello/runs"):
            assert "***" in client.get(url).text  # the rotated-out value is still found and hidden


def stored_env(platform_app) -> dict:
    from sqlmodel import select

    from daas.store.tables import Job

    with platform_app.container.db.read() as session:
        return session.exec(select(Job).where(Job.name == "hello")).one().config["env"]


def test_an_update_keeps_env_values_unless_new_ones_are_given(platform_app) -> None:
    admin = platform_app.client()
    shown = create(admin, script_form())["config"]
    changed = admin.patch("/api/v1/jobs/hello", json={"config": {**shown, "source": "print(2)\n"}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["config"]["env"] == {"API_TOKEN": "***", "MODE": "***"}
    assert stored_env(platform_app) == {"API_TOKEN": SECRET, "MODE": "fast"}

    assert admin.patch("/api/v1/jobs/hello", json={"config": {"source": "print(3)\n"}}).status_code == 200
    assert stored_env(platform_app) == {"API_TOKEN": SECRET, "MODE": "fast"}

    new = {"source": "print(4)\n", "env": {"API_TOKEN": "***", "MODE": "slow", "EXTRA": "1"}}
    assert admin.patch("/api/v1/jobs/hello", json={"config": new}).status_code == 200
    assert stored_env(platform_app) == {"API_TOKEN": SECRET, "MODE": "slow", "EXTRA": "1"}

    assert admin.patch("/api/v1/jobs/hello", json={"config": {**new, "env": {}}}).status_code == 200
    assert stored_env(platform_app) == {}


def test_the_mask_stands_only_for_a_stored_value(platform_app) -> None:
    admin = platform_app.client()
    response = admin.post("/api/v1/jobs", json=script_form(env={"API_TOKEN": "***"}))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "config.env.API_TOKEN"
    create(admin, script_form())
    response = admin.patch("/api/v1/jobs/hello", json={"config": {"source": "x=1", "env": {"NEW": "***"}}})
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "config.env.NEW"
