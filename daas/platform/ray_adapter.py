"""Every call from the management plane into Ray and Ray Serve goes through here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import GetTimeoutError, RayError

from daas.errors import InvalidModel, Timeout, Unavailable, capture, unwrap
from daas.platform.worker import ArtifactRef
from daas.runtimes import inspect_model
from daas.runtimes.base import ModelSchema


@ray.remote(num_cpus=1, max_retries=0)
def _inspect_in_worker(fmt: str, data: bytes) -> dict[str, Any]:
    return capture(inspect_model, fmt, data, fallback=InvalidModel)


class RayModelWorker:
    """Inspects uploads in Ray tasks and scores tests in the workbench deployment."""

    def __init__(self, workbench, *, inspect_timeout_s: float, predict_timeout_s: float) -> None:
        self.workbench = workbench
        self.inspect_timeout_s = inspect_timeout_s
        self.predict_timeout_s = predict_timeout_s

    def inspect(self, fmt: str, data: bytes) -> ModelSchema:
        """Load the bytes once in a fresh Ray task, under a time limit."""
        ref = _inspect_in_worker.remote(fmt, data)
        try:
            envelope = ray.get(ref, timeout=self.inspect_timeout_s)
        except GetTimeoutError as exc:
            ray.cancel(ref, force=True)
            raise InvalidModel(
                f"the model did not load within {self.inspect_timeout_s:g} s; it was stopped"
            ) from exc
        except RayError as exc:
            raise InvalidModel(f"loading the model crashed its worker: {type(exc).__name__}") from exc
        return ModelSchema.model_validate(unwrap(envelope))

    def predict_rows(self, artifact: ArtifactRef, frame: Any) -> list[dict[str, Any]]:
        """Score rows in the workbench."""
        return self._call("predict_rows", artifact, frame)

    def predict_tensors(self, artifact: ArtifactRef, tensors: dict[str, Any]) -> dict[str, Any]:
        """Run tensors in the workbench."""
        return self._call("predict_tensors", artifact, tensors)

    def ready(self) -> bool:
        """Whether the workbench answers within a few seconds."""
        try:
            return bool(self.workbench.ping.remote().result(timeout_s=5))
        except Exception:  # noqa: BLE001 - readiness is a yes/no question
            return False

    def _call(self, method: str, *args: Any) -> Any:
        try:
            envelope = getattr(self.workbench, method).remote(*args).result(
                timeout_s=self.predict_timeout_s)
        except TimeoutError as exc:
            raise Timeout(f"the prediction did not finish within {self.predict_timeout_s:g} s") from exc
        except RayError as exc:
            raise Unavailable(f"the model worker failed: {type(exc).__name__}") from exc
        return unwrap(envelope)


# --- Ray Serve applications of services ---------------------------------------------

@dataclass
class AppStatus:
    """What Serve says about one application."""

    status: str
    message: str
    deployment_message: str = ""
    replica_states: dict[str, int] = field(default_factory=dict)


@dataclass
class NodeCapacity:
    """One alive node's resources."""

    node_id: str
    address: str
    total: dict[str, float]
    available: dict[str, float]


class RayServe:
    """Deploys, inspects and removes Serve applications; reads replicas, logs and nodes."""

    def deploy(self, app_name: str, route_prefix: str, application) -> None:
        """Create or update an application without waiting for it to run."""
        from ray import serve

        serve.run_many([serve.RunTarget(target=application, name=app_name, route_prefix=route_prefix)],
                       wait_for_ingress_deployment_creation=False,
                       wait_for_applications_running=False)

    def delete(self, app_name: str) -> None:
        """Start removing an application; returns at once."""
        from ray import serve

        serve.delete(app_name, _blocking=False)

    def applications(self) -> dict[str, AppStatus]:
        """Every Serve application with its status and its deployments' messages."""
        from ray import serve

        result = {}
        for name, app in serve.status().applications.items():
            replica_states: dict[str, int] = {}
            messages = []
            for deployment in app.deployments.values():
                for state, count in deployment.replica_states.items():
                    replica_states[str(getattr(state, "value", state))] = (
                        replica_states.get(str(getattr(state, "value", state)), 0) + count)
                if deployment.message:
                    messages.append(deployment.message)
            result[name] = AppStatus(str(getattr(app.status, "value", app.status)), app.message or "",
                                     "\n".join(messages), replica_states)
        return result

    def handle(self, app_name: str):
        """A handle to an application's ingress deployment."""
        from ray import serve

        return serve.get_app_handle(app_name)

    def replicas(self, app_name: str) -> list[dict[str, Any]]:
        """Replicas of one application, oldest first."""
        return self.all_replicas().get(app_name, [])

    def all_replicas(self) -> dict[str, list[dict[str, Any]]]:
        """Replicas of every service application (Serve's own view), oldest first."""
        from ray.serve.context import _get_global_client  # the controller's replica details

        details = _get_global_client().get_serve_details()
        by_app: dict[str, list[dict[str, Any]]] = {}
        for name, app in (details.get("applications") or {}).items():
            if not name.startswith("svc-"):
                continue
            rows = []
            for deployment in (app.get("deployments") or {}).values():
                for replica in deployment.get("replicas") or []:
                    rows.append({
                        "replica_id": replica["replica_id"], "actor_id": replica.get("actor_id"),
                        "actor_name": replica.get("actor_name"),
                        "state": str(getattr(replica["state"], "value", replica["state"])),
                        "node_id": replica.get("node_id"), "node_ip": replica.get("node_ip"),
                        "pid": replica.get("pid"), "started": replica.get("start_time_s"),
                        "log_file": replica.get("log_file_path"),
                    })
            by_app[name] = sorted(rows, key=lambda r: r["started"] or 0)
        return by_app

    def death_cause(self, actor_id: str) -> str | None:
        """Why an actor died, as Ray recorded it."""
        from ray.util.state import get_actor

        try:
            actor = get_actor(actor_id, address=_cluster_address())
        except Exception:  # noqa: BLE001 - the record may be gone; the event still says it ended
            return None
        return _death_message(actor.death_cause) if actor is not None else None

    def kill_replica(self, actor_name: str) -> None:
        """Kill one replica's actor; Serve starts a replacement."""
        ray.kill(ray.get_actor(actor_name, namespace="serve"), no_restart=True)

    def log_tail(self, replica: dict[str, Any], lines: int) -> list[str]:
        """The last ``lines`` lines of a replica's log file.

        Read through Ray's state API (any node); if the node's agent cannot be reached and
        the replica shares this node, the file is read directly.
        """
        from ray.util.state import get_log

        if not replica.get("log_file"):
            return []
        try:
            text = "".join(get_log(address=_cluster_address(), node_id=replica["node_id"],
                                   filename=replica["log_file"].lstrip("/"), tail=lines))
        except Exception as exc:  # noqa: BLE001 - a dead node's log may be gone
            text = _local_log_tail(replica, lines)
            if text is None:
                return [f"(log unavailable: {type(exc).__name__}: {exc})"]
        return text.splitlines()[-lines:]

    def nodes(self) -> list[NodeCapacity]:
        """Alive nodes with total and available resources."""
        from ray._private.state import state  # per-node availability has no public API

        available = state.available_resources_per_node()
        return [
            NodeCapacity(node["NodeID"], node.get("NodeManagerAddress", ""),
                         {k: float(v) for k, v in node.get("Resources", {}).items()},
                         {k: float(v) for k, v in available.get(node["NodeID"], {}).items()})
            for node in ray.nodes() if node.get("Alive")
        ]


def _local_log_tail(replica: dict[str, Any], lines: int) -> str | None:
    if replica.get("node_id") != ray.get_runtime_context().get_node_id():
        return None
    from ray._private.worker import global_worker  # the session's log folder has no public getter

    path = Path(global_worker.node.get_logs_dir_path()) / replica["log_file"].lstrip("/")
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 200 * lines))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def _cluster_address() -> str:
    """This cluster's GCS address: the state API must not guess when several clusters run."""
    return ray.get_runtime_context().gcs_address


def _death_message(cause: Any) -> str | None:
    if not cause:
        return None
    if isinstance(cause, dict):
        for value in cause.values():
            if isinstance(value, dict) and value.get("error_message"):
                return str(value["error_message"])[:500]
    return str(cause)[:500]


# --- Ray jobs of batch runs ---------------------------------------------------------

#: How long a submission waits for the head's job agent after the cluster starts.
_JOB_AGENT_WAIT_S = 30.0


@dataclass
class RayJobState:
    """What Ray's job manager says about one submission."""

    submission_id: str
    status: str  # PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED
    message: str = ""
    entrypoint: str = ""
    start_time: float | None = None  # seconds since the epoch
    end_time: float | None = None


class RayJobs:
    """Submits, stops and reads Ray jobs through the dashboard's job API.

    Built inside a process connected to Ray (a platform replica), it finds the dashboard
    through the cluster's own records; the client sends Ray's auth token by itself.
    """

    def __init__(self, address: str | None = None) -> None:
        self._address = address
        self._client = None

    def _jobs(self):
        from ray.job_submission import JobSubmissionClient

        if self._client is None:
            try:
                self._client = JobSubmissionClient(self._address or _dashboard_url())
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise Unavailable(f"cannot reach Ray's job API: {exc}") from exc
        return self._client

    def _call(self, method: str, *args: Any, retry: bool = True, **kwargs: Any) -> Any:
        try:
            return getattr(self._jobs(), method)(*args, **kwargs)
        except OSError as exc:  # requests' connection errors are OSErrors
            self._client = None  # the dashboard may have moved (Ray restarted): look it up again
            if not retry:
                raise Unavailable(f"Ray's job API did not answer: {exc}") from exc
        try:
            return getattr(self._jobs(), method)(*args, **kwargs)
        except OSError as exc:
            self._client = None
            raise Unavailable(f"Ray's job API did not answer: {exc}") from exc

    def submit(self, submission_id: str, entrypoint: str, runtime_env: dict[str, Any]) -> None:
        """Start a Ray job; its working_dir, if any, is uploaded before this returns.

        Right after the cluster starts, the head's job agent may not be registered yet;
        that refusal is retried for a little while.
        """
        deadline = time.monotonic() + _JOB_AGENT_WAIT_S
        while True:
            try:
                self._call("submit_job", entrypoint=entrypoint, submission_id=submission_id,
                           runtime_env=runtime_env, retry=False)
                return
            except RuntimeError as exc:
                if "No available agent" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(1)

    def stop(self, submission_id: str) -> bool:
        """Ask a job to end (SIGTERM, then SIGKILL); False if it had already ended."""
        try:
            return bool(self._call("stop_job", submission_id))
        except RuntimeError as exc:
            if _is_missing(exc):
                return False
            raise

    def status(self, submission_id: str) -> RayJobState | None:
        """A submission's state, or None when the cluster does not know it."""
        try:
            info = self._call("get_job_info", submission_id)
        except RuntimeError as exc:
            if _is_missing(exc):
                return None
            raise
        return _job_state(info)

    def logs(self, submission_id: str) -> str | None:
        """Everything the job's driver printed, or None when the cluster does not know it."""
        try:
            return self._call("get_job_logs", submission_id)
        except RuntimeError as exc:
            if _is_missing(exc):
                return None
            raise

    def list(self) -> list[RayJobState]:
        """Every submitted job the cluster remembers."""
        return [_job_state(info) for info in self._call("list_jobs") if info.submission_id]


def _job_state(info: Any) -> RayJobState:
    def seconds(milliseconds: int | None) -> float | None:
        return milliseconds / 1000 if milliseconds else None

    return RayJobState(info.submission_id or "", str(getattr(info.status, "value", info.status)),
                       info.message or "", info.entrypoint or "",
                       seconds(info.start_time), seconds(info.end_time))


def _is_missing(exc: Exception) -> bool:
    return "status code 404" in str(exc)


def _dashboard_url() -> str:
    """The dashboard's HTTP address, as the head node recorded it for this cluster."""
    import ray.experimental.internal_kv as internal_kv
    from ray._private import ray_constants  # the dashboard's key has no public name

    if not ray.is_initialized():
        raise Unavailable("this process is not connected to Ray")
    address = internal_kv._internal_kv_get(ray_constants.DASHBOARD_ADDRESS,
                                           namespace=ray_constants.KV_NAMESPACE_DASHBOARD)
    if not address:
        raise Unavailable("Ray's dashboard is not running; batch jobs need it "
                          "(start Ray with the dashboard)")
    return f"http://{address.decode()}"
