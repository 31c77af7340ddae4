"""The Ray cluster as the platform sees it: nodes, resources, replicas, uptime."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from daas.platform.deps import AppSettings, Cluster, Caller

router = APIRouter(prefix="/api/v1", tags=["cluster"])


@router.get("/cluster", summary="Nodes, resources, replicas per node, platform uptime")
def cluster(_principal: Caller, view: Cluster) -> dict[str, Any]:
    """CPU, memory (GiB) and GPU per node, free Ray resources and service replicas on each."""
    return view.summary()


@router.get("/presets", summary="Named resource presets for the deploy form")
def presets(_principal: Caller, settings: AppSettings) -> dict[str, dict[str, Any]]:
    """Each preset's replica resources (``num_cpus``, ``memory``...), as set in DAAS_INSTANCE_PRESETS."""
    return settings.instance_presets
