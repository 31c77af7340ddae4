"""Whether a deploy form can ever fit the cluster, and whether it fits right now."""

from __future__ import annotations

from daas.errors import InvalidInput
from daas.platform.ports import NodeCapacity
from daas.platform.services.spec import ServiceSpec

_GiB = 2**30


def _per_replica(spec: ServiceSpec) -> dict[str, float]:
    need = {"CPU": spec.num_cpus, "memory": float(spec.memory or 0), "GPU": spec.num_gpus}
    return {key: value for key, value in need.items() if value}


def _describe(resources: dict[str, float]) -> str:
    parts = [f"{resources.get('CPU', 0):g} CPU",
             f"{resources.get('memory', 0) / _GiB:.1f} GiB memory",
             f"{resources.get('GPU', 0):g} GPU"]
    return ", ".join(parts)


def check_fits_cluster(spec: ServiceSpec, nodes: list[NodeCapacity]) -> None:
    """Refuse (422) a spec no node, or not the whole cluster, could ever hold."""
    need = _per_replica(spec)
    largest = max(nodes, key=lambda n: n.total.get("CPU", 0), default=None)
    fits_a_node = any(all(node.total.get(k, 0) >= v for k, v in need.items()) for node in nodes)
    if not fits_a_node:
        shown = _describe(largest.total) if largest else "no alive nodes"
        field = next((f for f, k in (("num_cpus", "CPU"), ("memory", "memory"), ("num_gpus", "GPU"))
                      if k in need and all(n.total.get(k, 0) < need[k] for n in nodes)), "num_cpus")
        raise InvalidInput(
            f"a replica needs {_describe(need)}, more than any node of the cluster has "
            f"(largest node: {shown})", field=field)
    minimum = spec.replicas or (spec.autoscaling.min_replicas if spec.autoscaling else 1)
    totals: dict[str, float] = {}
    for node in nodes:
        for key, value in node.total.items():
            totals[key] = totals.get(key, 0) + value
    for key, per_replica in need.items():
        if minimum * per_replica > totals.get(key, 0):
            raise InvalidInput(
                f"{minimum} replicas need {minimum * per_replica:g} {key} in all; the whole "
                f"cluster has {_describe(totals)}", field="replicas")


def shortfall(spec: ServiceSpec, nodes: list[NodeCapacity]) -> str | None:
    """Why a replica cannot be placed now, or None when some node has room for one."""
    need = _per_replica(spec)
    if any(all(node.available.get(k, 0) >= v for k, v in need.items()) for node in nodes):
        return None
    free: dict[str, float] = {}
    for node in nodes:
        for key, value in node.available.items():
            free[key] = max(free.get(key, 0), value)
    return f"insufficient resources: a replica needs {_describe(need)}; the freest node has {_describe(free)}"
