"""The Ray cluster as the platform sees it: nodes, resources, replicas, uptime."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request

from daas.platform.deps import Viewer

router = APIRouter(prefix="/api/v1", tags=["cluster"])
_GiB = 2**30


def _usage(total: dict[str, float], available: dict[str, float], key: str, scale: float = 1) -> dict[str, float]:
    whole = total.get(key, 0) / scale
    free = available.get(key, 0) / scale
    return {"total": round(whole, 3), "used": round(whole - free, 3), "free": round(free, 3)}


@router.get("/cluster", summary="Nodes, resources, replicas per node, platform uptime")
def cluster(_principal: Viewer, request: Request) -> dict[str, Any]:
    """CPU, memory (GiB) and GPU per node, free Ray resources and service replicas on each."""
    serve = request.app.state.serve
    per_node: dict[str, list[dict[str, Any]]] = {}
    for app, replicas in serve.all_replicas().items():
        for replica in replicas:
            if replica["state"] == "RUNNING":
                per_node.setdefault(replica["node_id"], []).append(
                    {"service": app.removeprefix("svc-"), "replica_id": replica["replica_id"],
                     "pid": replica["pid"]})
    nodes = []
    for node in serve.nodes():
        nodes.append({
            "node_id": node.node_id, "address": node.address,
            "cpu": _usage(node.total, node.available, "CPU"),
            "memory_gib": _usage(node.total, node.available, "memory", _GiB),
            "gpu": _usage(node.total, node.available, "GPU"),
            "replicas": per_node.get(node.node_id, []),
        })
    free: dict[str, float] = {}
    for node in serve.nodes():
        for key, value in node.available.items():
            if not key.startswith("node:"):
                free[key] = round(free.get(key, 0) + value, 3)
    settings = request.app.state.settings
    return {
        "nodes": nodes,
        "resources_free": free,
        "platform_uptime_s": round(time.time() - request.app.state.started, 1),
        "dashboard_url": settings.dashboard_url,
        "prometheus_url": f"http://127.0.0.1:{settings.metrics_export_port}/metrics",
    }


@router.get("/presets", summary="Named resource presets for the deploy form")
def presets(_principal: Viewer, request: Request) -> dict[str, dict[str, Any]]:
    """Each preset's replica resources (``num_cpus``, ``memory``...), as set in DAAS_INSTANCE_PRESETS."""
    return request.app.state.settings.instance_presets
