"""One benchmark phase on a fresh local Ray cluster: the platform, a service per model.

Run by ``bench/online.py`` as ``python bench/platform_phase.py SPEC.json RESULT.json`` in its
own process, so each phase starts Ray with its own serving environment (HAProxy ingress or
Serve's default Python proxy). For each model: upload, deploy with 1 replica (timing the
way from ``POST /api/v1/services`` to the first 200 prediction), load it, scale to 2
replicas, load it again.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wrk_load import measure  # noqa: E402

_POLL_S = 0.05
_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, with the seconds since the phase started."""
    print(f"[{time.monotonic() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_environment(ha_proxy: bool, extra: dict[str, str] | None = None) -> None:
    """Serve's ingress settings (and any ``extra`` ones to try); must run before Ray starts,
    whose processes inherit them."""
    from daas.platform.launcher import serve_environment

    for key in serve_environment(ha_proxy=True):
        os.environ.pop(key, None)
    os.environ.update(serve_environment(ha_proxy=ha_proxy))
    os.environ.update(extra or {})
    if ha_proxy:
        # Our own HAProxy side ports: another cluster on this machine may hold the defaults.
        os.environ["RAY_SERVE_HAPROXY_METRICS_PORT"] = str(free_port())
        os.environ["RAY_SERVE_HAPROXY_STATS_PORT"] = str(free_port())


def start_platform(home: Path):
    """Ray (8 logical CPUs, never joining another cluster), Serve and the platform app."""
    import ray

    from daas.platform.launcher import wait_until_ready
    from daas.platform.ray_adapter.cluster import deploy_platform
    from daas.settings import Settings

    settings = Settings(home=home, port=free_port(), ha_proxy="RAY_SERVE_ENABLE_HA_PROXY"
                        in os.environ)
    ray.init(address="local", num_cpus=8, include_dashboard=True, dashboard_port=free_port(),
             logging_level="WARNING", log_to_driver=False)
    deploy_platform(settings)
    wait_until_ready(settings.url)
    return settings


def stop_platform() -> None:
    """Stop the whole local cluster at once (``serve.shutdown`` would wait out each
    replica's 30 s direct-ingress drain)."""
    import ray

    ray.shutdown()


class Platform:
    """The management API as an admin calls it."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.http = httpx.Client(base_url=url, timeout=120,
                                 headers={"Authorization": f"Bearer {token}"})

    def upload(self, name: str, path: Path) -> None:
        response = self.http.post("/api/v1/models", data={"name": name},
                                  files={"file": (path.name, path.read_bytes())})
        response.raise_for_status()

    def deploy(self, name: str, model: str) -> None:
        response = self.http.post("/api/v1/services", json={
            "name": name, "model": model, "replicas": 1, "num_cpus": 1})
        response.raise_for_status()

    def scale(self, name: str, replicas: int) -> None:
        self.http.patch(f"/api/v1/services/{name}", json={"replicas": replicas}).raise_for_status()

    def predict_url(self, name: str) -> str:
        return f"{self.url}/api/v1/svc/{name}/predict"

    def first_prediction(self, name: str, body: dict, timeout_s: float = 120) -> None:
        url = self.predict_url(name)
        self._until(lambda: self.http.post(url, json=body).status_code == 200, timeout_s,
                    f"{name} never answered 200")

    def running_replicas(self, name: str) -> list[dict[str, Any]]:
        rows = self.http.get(f"/api/v1/services/{name}/replicas").json()
        return [row for row in rows if row["state"] == "RUNNING"]

    def wait_running(self, name: str, timeout_s: float = 120) -> None:
        def running() -> bool:
            return self.http.get(f"/api/v1/services/{name}").json().get("state") == "running"

        self._until(running, timeout_s, f"{name} did not reach state running")

    def wait_replicas(self, name: str, replicas: int, timeout_s: float = 120) -> None:
        """Until exactly ``replicas`` replicas run and none starts (replaced ones may still
        be draining)."""
        def settled() -> bool:
            states = [row["state"] for row in
                      self.http.get(f"/api/v1/services/{name}/replicas").json()]
            return states.count("RUNNING") == replicas and "STARTING" not in states

        self._until(settled, timeout_s, f"{name} did not run {replicas} replicas")

    def served(self, name: str) -> dict[str, int]:
        """Requests per replica as flushed to the traffic table (every few seconds)."""
        return {row["replica_id"]: row["requests"] for row in self.running_replicas(name)}

    @staticmethod
    def _until(check, timeout_s: float, failure: str) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(_POLL_S)
        raise TimeoutError(failure)


def measure_model(platform: Platform, fmt: str, path: Path, spec: dict) -> dict[str, Any]:
    """Deploy, then load at each replica count; the figures of one model."""
    body, seconds, warmup = spec["body"], spec["seconds"], spec["warmup_s"]
    name = f"bench-{fmt}"
    platform.upload(name, path)
    log(f"{name}: uploaded; deploying")
    started = time.monotonic()
    platform.deploy(name, name)
    platform.first_prediction(name, body)
    result: dict[str, Any] = {"deploy_to_first_prediction_s": time.monotonic() - started}
    platform.wait_running(name)
    result["deploy_to_running_s"] = time.monotonic() - started
    log(f"{name}: first prediction after {result['deploy_to_first_prediction_s']:.1f} s")
    url = platform.predict_url(name)
    for replicas in spec["replicas"]:
        if replicas > 1:
            platform.scale(name, replicas)
            platform.wait_replicas(name, replicas)
            platform.first_prediction(name, body)
            time.sleep(2)  # let the ingress pick up the new replicas' routes
            log(f"{name}: {replicas} replicas running")
        before = platform.served(name)
        result[f"r{replicas}"] = measure(url, body, seconds, warmup, platform.token)
        log(f"{name}: measured {replicas} replica(s)")
        if replicas > 1 and spec.get("replica_shares"):
            time.sleep(6)  # replicas flush their counters every 5 s
            after = platform.served(name)
            result[f"r{replicas}"]["per_replica"] = sorted(
                (count - before.get(replica, 0) for replica, count in after.items()),
                reverse=True)
    # Left deployed: deleting waits out the replicas' drain; idle, they cost next to nothing.
    return result


def run_phase(spec: dict) -> dict[str, Any]:
    prepare_environment(spec["proxy"] == "haproxy", spec.get("serve_env"))
    with tempfile.TemporaryDirectory(prefix="daas-bench-") as tmp:
        started = time.monotonic()
        settings = start_platform(Path(tmp) / "home")
        phase: dict[str, Any] = {"platform_start_s": time.monotonic() - started, "models": {}}
        log(f"platform ready ({spec['proxy']} ingress)")
        try:
            platform = Platform(settings.url, settings.admin_token_path.read_text().strip())
            for fmt in spec["formats"]:
                phase["models"][fmt] = measure_model(platform, fmt, Path(spec["models"][fmt]),
                                                     spec)
        finally:
            stop_platform()
            log("Ray stopped")
    return phase


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(run_phase(spec)))


if __name__ == "__main__":
    main()
