"""Start and stop the platform: a local Ray head if needed, Serve, the management app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from daas.errors import Timeout, Unavailable
from daas.settings import Settings

_READY_TIMEOUT_S = 180
_MARKER = "ray-started-by-daas"


@dataclass
class PlatformInfo:
    """Where the platform answers and how to authenticate."""

    url: str
    token: str
    ray_address: str
    started_ray: bool


def serve_environment(ha_proxy: bool) -> dict[str, str]:
    """Variables the Ray head needs for the platform's serving path.

    HAProxy with direct ingress to replicas is several times faster here than Serve's
    Python proxy; requests whose replica dies before answering are retried elsewhere.
    """
    env = {"RAY_USAGE_STATS_ENABLED": "0"}
    if ha_proxy:
        env.update({"RAY_SERVE_ENABLE_HA_PROXY": "1", "RAY_SERVE_ENABLE_DIRECT_INGRESS": "1",
                    "RAY_SERVE_HAPROXY_RETRY_ON": "conn-failure empty-response"})
    return env


def ray_environment(settings: Settings | None = None) -> dict[str, str]:
    """Environment for Ray processes started by the platform."""
    env = dict(os.environ)
    for key, value in serve_environment(settings.ha_proxy if settings else False).items():
        env.setdefault(key, value)
    return env


def _ray_cli() -> str:
    local = Path(sys.executable).with_name("ray")
    return str(local) if local.exists() else (shutil.which("ray") or "ray")


def _join_ray(address: str):
    """Connect this process to a running cluster quietly (replica logs stay in Ray's files)."""
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    return ray.init(address=address, ignore_reinit_error=True, logging_level="WARNING",
                    log_to_driver=False)


def _connect(settings: Settings, num_cpus: int | None) -> tuple[str, bool]:
    address = settings.ray_address or "auto"
    try:
        _join_ray(address)
        return address, False
    except ConnectionError:
        if settings.ray_address:
            raise Unavailable(f"cannot reach the Ray cluster at {settings.ray_address}") from None
    command = [_ray_cli(), "start", "--head", f"--num-cpus={num_cpus or settings.num_cpus}",
               "--disable-usage-stats", "--dashboard-host=127.0.0.1",
               f"--metrics-export-port={settings.metrics_export_port}"]
    subprocess.run(command, check=True, env=ray_environment(settings), stdout=subprocess.DEVNULL)
    (settings.home / _MARKER).touch()
    _join_ray("auto")
    return "auto", True


def wait_until_ready(url: str, timeout_s: float = _READY_TIMEOUT_S) -> None:
    """Poll ``/readyz`` until it answers 200."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{url}/readyz", timeout=5)
            if response.status_code == 200:
                return
            last = response.text
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(1)
    raise Timeout(f"the platform at {url} was not ready within {timeout_s:g} s: {last}")


def start_platform(settings: Settings, *, num_cpus: int | None = None) -> PlatformInfo:
    """Start (or update) the platform and wait until it is ready."""
    from ray import serve

    from daas.deployments.platform import PLATFORM_APP, build_platform_app

    settings.home.mkdir(parents=True, exist_ok=True)
    address, started = _connect(settings, num_cpus)
    serve.start(http_options={"host": settings.host, "port": settings.port})
    serve.run(build_platform_app(settings), name=PLATFORM_APP, route_prefix="/")
    wait_until_ready(settings.url)
    token = settings.admin_token_path.read_text().strip()
    return PlatformInfo(url=settings.url, token=token, ray_address=address, started_ray=started)


def stop_platform(settings: Settings, *, stop_ray: bool = True) -> None:
    """Remove the platform app; stop Ray too if ``daas up`` started it."""
    import ray
    from ray import serve

    from daas.deployments.platform import PLATFORM_APP

    marker = settings.home / _MARKER
    try:
        _join_ray(settings.ray_address or "auto")
    except ConnectionError:
        marker.unlink(missing_ok=True)
        return
    serve.delete(PLATFORM_APP)
    ray.shutdown()
    if stop_ray and marker.exists():
        subprocess.run([_ray_cli(), "stop"], check=False, env=ray_environment(),
                       stdout=subprocess.DEVNULL)
        marker.unlink(missing_ok=True)


def platform_status(settings: Settings) -> dict[str, Any]:
    """Ray and Serve state of the platform application, plus readiness."""
    import ray
    from ray import serve

    from daas.deployments.platform import PLATFORM_APP

    status: dict[str, Any] = {"url": settings.url, "ray": "down", "app": "absent", "ready": False}
    try:
        context = _join_ray(settings.ray_address or "auto")
    except ConnectionError:
        return status
    status["ray"] = "up"
    dashboard = getattr(context, "dashboard_url", None)
    status["dashboard"] = f"http://{dashboard}" if dashboard else None
    application = serve.status().applications.get(PLATFORM_APP)
    if application is not None:
        status["app"] = str(application.status)
    try:
        status["ready"] = httpx.get(f"{settings.url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        pass
    return status

