"""The Ray cluster as the platform sees it: nodes, resources, service replicas per node."""

from __future__ import annotations

import time
from typing import Any

from daas.platform.ports import ServeBackend, service_of_app
from daas.platform.services.observability import desired_states, draining_reason, is_draining
from daas.settings import Settings
from daas.store.db import Database

_GiB = 2**30


def _usage(total: dict[str, float], available: dict[str, float], key: str, scale: float = 1) -> dict[str, float]:
    whole = total.get(key, 0) / scale
    free = available.get(key, 0) / scale
    return {"total": round(whole, 3), "used": round(whole - free, 3), "free": round(free, 3)}


class ClusterView:
    """Summarises nodes and replicas for the cluster page."""

    def __init__(self, serve: ServeBackend, settings: Settings, db: Database) -> None:
        self.serve = serve
        self.db = db
        self.settings = settings
        self.started = time.time()

    def summary(self) -> dict[str, Any]:
        """CPU, memory (GiB) and GPU per node, free Ray resources and service replicas on each
        (running, or draining: stopping but still holding resources)."""
        per_node: dict[str | None, list[dict[str, Any]]] = {}
        desired = desired_states(self.db)
        for app, replicas in self.serve.all_replicas().items():
            service = service_of_app(app)
            for replica in replicas:
                if not (replica.running or replica.draining):
                    continue
                shown = {"service": service, "replica_id": replica.replica_id, "pid": replica.pid,
                         "state": "RUNNING"}
                if is_draining(replica, desired.get(service)):
                    shown.update(state="DRAINING", reason=draining_reason(desired.get(service)))
                per_node.setdefault(replica.node_id, []).append(shown)
        nodes = self.serve.nodes()
        free: dict[str, float] = {}
        for node in nodes:
            for key, value in node.available.items():
                if not key.startswith("node:"):
                    free[key] = round(free.get(key, 0) + value, 3)
        return {
            "nodes": [{
                "node_id": node.node_id, "address": node.address,
                "cpu": _usage(node.total, node.available, "CPU"),
                "memory_gib": _usage(node.total, node.available, "memory", _GiB),
                "gpu": _usage(node.total, node.available, "GPU"),
                "replicas": per_node.get(node.node_id, []),
            } for node in nodes],
            "resources_free": free,
            "platform_uptime_s": round(time.time() - self.started, 1),
            "dashboard_url": self.settings.dashboard_url,
            "prometheus_url": f"http://127.0.0.1:{self.settings.metrics_export_port}/metrics",
        }
