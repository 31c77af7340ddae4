"""Service applications on Ray Serve: deploy, observe and remove them; replicas, logs, nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ray
from ray import serve

from daas.deployments.service_app import build_service_app
from daas.errors import DaasError, Unavailable
from daas.platform.ports import (
    AppStatus,
    NodeCapacity,
    ReplicaInfo,
    ServiceApp,
    service_of_app,
)


class RayServe:
    """The ``ServeBackend`` of a process connected to Ray."""

    def deploy(self, app: ServiceApp) -> None:
        """Create or update an application without waiting for it to run."""
        target = serve.RunTarget(target=build_service_app(app.config, app.controls, app.options), name=app.name,
                                 route_prefix=app.route_prefix)
        serve.run_many([target], wait_for_ingress_deployment_creation=False,
                       wait_for_applications_running=False)

    def delete(self, app_name: str) -> None:
        """Start removing an application; returns at once."""
        serve.delete(app_name, _blocking=False)

    def applications(self) -> dict[str, AppStatus]:
        """Every Serve application with its status and its deployments' messages."""
        result = {}
        for name, app in serve.status().applications.items():
            replica_states: dict[str, int] = {}
            messages = []
            statuses = []
            for deployment in app.deployments.values():
                statuses.append(_plain(deployment.status))
                for state, count in deployment.replica_states.items():
                    key = _plain(state)
                    replica_states[key] = replica_states.get(key, 0) + count
                if deployment.message:
                    messages.append(deployment.message)
            result[name] = AppStatus(_plain(app.status), app.message or "", "\n".join(messages),
                                     replica_states, _lowest(statuses))
        return result

    def replicas(self, app_name: str) -> list[ReplicaInfo]:
        """Replicas of one application, oldest first."""
        return self.all_replicas().get(app_name, [])

    def all_replicas(self) -> dict[str, list[ReplicaInfo]]:
        """Replicas of every service application (Serve's own view), oldest first."""
        from ray.serve.context import (
            _get_global_client,  # the controller's replica details
        )

        details = _get_global_client().get_serve_details()
        by_app: dict[str, list[ReplicaInfo]] = {}
        for name, app in (details.get("applications") or {}).items():
            if service_of_app(name) is None:
                continue
            rows = [_replica(replica) for deployment in (app.get("deployments") or {}).values()
                    for replica in deployment.get("replicas") or []]
            by_app[name] = sorted(rows, key=lambda r: r.started or 0)
        return by_app

    def death_cause(self, actor_id: str) -> str | None:
        """Why an actor died, as Ray recorded it."""
        from ray.util.state import get_actor

        try:
            actor = get_actor(actor_id, address=_cluster_address())
        except Exception:  # noqa: BLE001 - the record may be gone; the event still says it ended
            return None
        return _death_message(actor.death_cause) if actor is not None else None

    def kill_replica(self, replica: ReplicaInfo) -> None:
        """Kill one replica's actor; Serve starts a replacement."""
        ray.kill(ray.get_actor(replica.actor_name, namespace="serve"), no_restart=True)

    def log_tail(self, replica: ReplicaInfo, lines: int) -> list[str]:
        """The last ``lines`` lines of a replica's log file.

        Read through Ray's state API (any node); if the node's agent cannot be reached and
        the replica shares this node, the file is read directly.
        """
        from ray.util.state import get_log

        if not replica.log_file:
            return []
        try:
            text = "".join(get_log(address=_cluster_address(), node_id=replica.node_id,
                                   filename=replica.log_file.lstrip("/"), tail=lines))
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

    async def infer_v2(self, app_name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Send a v2 request to the application's ingress replica."""
        try:
            return await serve.get_app_handle(app_name).infer_v2.remote(body)
        except DaasError as exc:  # raised by the replica; Ray wraps it, the cause is the original
            cause = getattr(exc, "cause", None)
            raise cause if isinstance(cause, DaasError) else exc from None
        except Exception as exc:  # noqa: BLE001 - anything else: the service could not answer
            raise Unavailable(f"service {service_of_app(app_name)!r} did not answer: "
                              f"{type(exc).__name__}") from exc

    def run_async_request(self, app_name: str, request_id: str) -> None:
        """Hand a stored async request to the application; the replica records the outcome."""
        serve.get_app_handle(app_name).run_async_request.remote(request_id)


_STATUS_RANK = ("DEPLOY_FAILED", "UNHEALTHY", "UPDATING", "UPSCALING", "DOWNSCALING", "HEALTHY")


def _lowest(statuses: list[str]) -> str:
    """The status that says most about an application, as Serve ranks them."""
    ranked = [s for s in _STATUS_RANK if s in statuses]
    return ranked[0] if ranked else (statuses[0] if statuses else "")


def _plain(value: Any) -> str:
    return str(getattr(value, "value", value))


def _replica(details: dict[str, Any]) -> ReplicaInfo:
    return ReplicaInfo(
        replica_id=details["replica_id"], state=_plain(details["state"]),
        actor_id=details.get("actor_id"), actor_name=details.get("actor_name"),
        node_id=details.get("node_id"), node_ip=details.get("node_ip"), pid=details.get("pid"),
        started=details.get("start_time_s"), log_file=details.get("log_file_path"))


def _local_log_tail(replica: ReplicaInfo, lines: int) -> str | None:
    if replica.node_id != ray.get_runtime_context().get_node_id():
        return None
    from ray._private.worker import (
        global_worker,  # the session's log folder has no public getter
    )

    path = Path(global_worker.node.get_logs_dir_path()) / replica.log_file.lstrip("/")
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
