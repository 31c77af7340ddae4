"""An in-process ModelWorker for unit tests: same runtimes, no Ray."""

from __future__ import annotations

from typing import Any

from daas.deployments.request_payload import Payload
from daas.deployments.workbench import score_test_request
from daas.platform.ports import (
    AppStatus,
    JobState,
    NodeCapacity,
    ReplicaInfo,
    ServiceApp,
)
from daas.runtimes import inspect_model, load_runtime
from daas.runtimes.base import ModelSchema
from daas.store.artifacts import ArtifactRef, load_artifact


class InProcessWorker:
    """Loads models in the test process; counts calls so tests can assert on them."""

    def __init__(self) -> None:
        self.inspected = 0
        self._loaded: dict[str, Any] = {}

    def inspect(self, fmt: str, data: bytes) -> ModelSchema:
        self.inspected += 1
        return ModelSchema.model_validate(inspect_model(fmt, data))

    def _runtime(self, artifact: ArtifactRef):
        if artifact.sha256 not in self._loaded:
            self._loaded[artifact.sha256] = load_runtime(artifact.format, load_artifact(artifact))
        return self._loaded[artifact.sha256]

    def score(self, artifact: ArtifactRef, payload: Payload, fmt: str,
              about: dict[str, Any]) -> tuple[bytes, str]:
        return score_test_request(self._runtime(artifact), payload, fmt, about)

    def ready(self) -> bool:
        return True


class FakeServe:
    """An in-memory ``ServeBackend``: apps appear as the test says."""

    def __init__(self, cpus: float = 8, memory: float = 16 * 2**30) -> None:
        self.node = NodeCapacity("node-1", "127.0.0.1", {"CPU": cpus, "memory": memory},
                                 {"CPU": cpus, "memory": memory})
        self.apps: dict[str, ServiceApp] = {}
        self.status: dict[str, str] = {}
        self.deploys: list[str] = []
        #: Every deploy and delete in order: ("deploy", app) or ("delete", name).
        self.calls: list[tuple[str, ServiceApp | str]] = []
        self.deleted: list[str] = []
        self.auto_run = True
        self.killed: list[str] = []
        self.async_requests: list[tuple[str, str]] = []

    def deploy(self, app: ServiceApp) -> None:
        self.apps[app.name] = app
        self.status[app.name] = "RUNNING" if self.auto_run else "DEPLOYING"
        self.deploys.append(app.name)
        self.calls.append(("deploy", app))

    def delete(self, app_name: str) -> None:
        self.apps.pop(app_name, None)
        self.status.pop(app_name, None)
        self.deleted.append(app_name)
        self.calls.append(("delete", app_name))

    def applications(self) -> dict[str, AppStatus]:
        return {name: AppStatus(status, f"{name} is {status}") for name, status in self.status.items()}

    def all_replicas(self) -> dict[str, list[ReplicaInfo]]:
        return {name: [ReplicaInfo(f"{name}-r1", "RUNNING", actor_id=f"{name}-a1", actor_name=f"{name}#r1",
                                   node_id="node-1", node_ip="127.0.0.1", pid=1, started=0.0,
                                   log_file=f"serve/{name}.log")]
                for name, status in self.status.items() if status == "RUNNING"}

    def replicas(self, app_name: str) -> list[ReplicaInfo]:
        return self.all_replicas().get(app_name, [])

    def nodes(self) -> list[NodeCapacity]:
        return [self.node]

    def kill_replica(self, replica: ReplicaInfo) -> None:
        self.killed.append(replica.actor_name)

    def log_tail(self, replica: ReplicaInfo, lines: int) -> list[str]:
        return [f"log of {replica.replica_id}"][:lines]

    def death_cause(self, actor_id: str) -> str | None:
        return "killed by the test"

    async def infer_v2(self, app_name: str, body: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("the fake runs no replicas")

    def run_async_request(self, app_name: str, request_id: str) -> None:
        self.async_requests.append((app_name, request_id))


class FakeJobs:
    """An in-memory ``JobBackend``: records submissions; tests set Ray's statuses."""

    def __init__(self) -> None:
        #: Every submission: submission_id, entrypoint, runtime_env, and the working_dir files.
        self.submissions: list[dict[str, Any]] = []
        self.states: dict[str, Any] = {}
        self.log_text: dict[str, str] = {}
        self.stopped: list[str] = []
        #: When set, ``submit`` fails with this message (as Ray's client does).
        self.fail_submit: str | None = None
        #: Whether ``stop`` ends the job at once (False: it stays RUNNING, like a slow exit).
        self.stop_ends_jobs = True

    @property
    def last(self) -> dict[str, Any]:
        return self.submissions[-1]

    def submit(self, submission_id: str, entrypoint: str, runtime_env: dict[str, Any]) -> None:
        from pathlib import Path

        if self.fail_submit:
            raise RuntimeError(self.fail_submit)
        if submission_id in self.states:
            raise RuntimeError(f"Request failed with status code 400: Job with submission_id "
                               f"{submission_id} already exists.")
        folder = runtime_env.get("working_dir")
        files = {path.name: path.read_text() for path in Path(folder).iterdir()} if folder else {}
        self.submissions.append({"submission_id": submission_id, "entrypoint": entrypoint,
                                 "runtime_env": runtime_env, "files": files})
        self.states[submission_id] = JobState(submission_id, "PENDING", "Job has not started yet.",
                                                 entrypoint)

    def set_status(self, submission_id: str, status: str, message: str = "") -> None:
        old = self.states[submission_id]
        self.states[submission_id] = JobState(submission_id, status, message, old.entrypoint,
                                                 start_time=1_700_000_000.0,
                                                 end_time=1_700_000_060.0 if status in (
                                                     "SUCCEEDED", "FAILED", "STOPPED") else None)

    def stop(self, submission_id: str) -> bool:
        self.stopped.append(submission_id)
        state = self.states.get(submission_id)
        if state is None or state.status in ("SUCCEEDED", "FAILED", "STOPPED"):
            return False
        if self.stop_ends_jobs:
            self.set_status(submission_id, "STOPPED", "Job was intentionally stopped.")
        return True

    def status(self, submission_id: str):
        return self.states.get(submission_id)

    def logs(self, submission_id: str) -> str | None:
        if submission_id not in self.states:
            return None
        return self.log_text.get(submission_id, "")

    def list(self) -> list[Any]:
        return list(self.states.values())
