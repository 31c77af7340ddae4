"""Start and stop the platform: a local Ray head if needed, Serve, the management app.

Ray itself is reached through ``daas.platform.ray_adapter`` (``local_head`` starts and
stops the head, ``auth`` gives every process the cluster's token); this module decides
which cluster to use and waits for the platform to answer.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from daas.errors import Timeout, Unavailable
from daas.settings import Settings
from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from daas.store.private_files import private_folder

_READY_TIMEOUT_S = 180
#: Seconds to reach the database at start (the whole check stays under 10 s).
_DATABASE_CHECK_S = 5


@dataclass
class PlatformInfo:
    """Where the platform answers and how to authenticate."""

    url: str
    token: str
    ray_address: str
    started_ray: bool
    ray_token_file: str | None = None


def serve_environment(ha_proxy: bool) -> dict[str, str]:
    """Variables the Ray head needs for the platform's serving path.

    HAProxy with direct ingress to replicas is several times faster here than Serve's
    Python proxy; requests whose replica dies before answering are retried elsewhere.
    """
    env = {"RAY_USAGE_STATS_ENABLED": "0"}
    if ha_proxy:
        env.update({"RAY_SERVE_ENABLE_HA_PROXY": "1", "RAY_SERVE_ENABLE_DIRECT_INGRESS": "1",
                    "RAY_SERVE_HAPROXY_RETRY_ON": "conn-failure empty-response",
                    # A stopping replica stays open this long for load balancers to drop it
                    # (Ray's default, 30 s, is for cloud ones); Serve's own HAProxy has it out
                    # of its config within a second, and retries a refused connection.
                    "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "5",
                    # Take a replica out at its first refused connection, so a retry goes to
                    # a live one instead of the dead one thrice (it has the fewest requests).
                    "RAY_SERVE_HAPROXY_OBSERVE_ERROR_LIMIT": "1"})
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


def _cluster_address(settings: Settings) -> str | None:
    """The cluster this data dir's platform runs on: the configured one, or its own head.

    Sets this process up to present that cluster's token (mandatory either way).
    """
    from daas.platform.ray_adapter import auth, local_head

    if settings.ray_address:
        auth.use_in_this_process(auth.join_environment(settings.home))
        return settings.ray_address
    head = local_head.recorded_head(settings.home)
    if head is None:
        return None
    _use_local_head(settings)
    return head.address


def _use_local_head(settings: Settings) -> None:
    from daas.platform.ray_adapter import auth, local_head

    auth.use_in_this_process(auth.local_head_environment(settings.home))
    local_head.use_single_node_in_this_process()


def _connect(settings: Settings, num_cpus: int | None) -> tuple[str, bool]:
    from daas.platform.ray_adapter import cluster, local_head

    address = _cluster_address(settings)
    if address is not None:
        try:
            cluster.join(address)
        except ConnectionError:
            if settings.ray_address:
                raise Unavailable(f"cannot reach the Ray cluster at {address}") from None
        else:
            if settings.ray_address:
                cluster.require_token_auth()
            return address, False
        local_head.stop_head(settings.home)  # what is left of a head that died
    _use_local_head(settings)
    head = local_head.start_head(_ray_cli(), settings.home, num_cpus or settings.num_cpus,
                                 settings.metrics_export_port, ray_environment(settings))
    cluster.join(head.address)
    return head.address, True


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


def check_database(settings: Settings) -> None:
    """Fail fast, before Ray starts, when the database cannot be reached or refuses us."""
    db = Database.connect(settings.resolved_database_url, connect_timeout_s=_DATABASE_CHECK_S)
    try:
        db.check_reachable()
    finally:
        db.dispose()


def export_storage_settings(settings: Settings) -> None:
    """Put the S3 settings in this process's environment, which the Ray head it starts (and
    every worker there) inherits: storage is opened from the environment of the reader."""
    for name, value in (("DAAS_S3_ENDPOINT_URL", settings.s3_endpoint_url),
                        ("DAAS_S3_REGION", settings.s3_region)):
        if value:
            os.environ[name] = value


def check_storage(settings: Settings) -> None:
    """Fail fast, before Ray starts, when the storage cannot be written, read and deleted
    from (a missing bucket, wrong endpoint or keys); also sweeps interrupted writes."""
    store = ArtifactStore(settings.resolved_storage_uri)
    store.probe()
    store.sweep_temporary(settings.temporary_object_age_s)


def start_platform(settings: Settings, *, num_cpus: int | None = None) -> PlatformInfo:
    """Start (or update) the platform and wait until it is ready."""
    from daas.platform.ray_adapter import cluster

    private_folder(settings.home)
    check_database(settings)
    export_storage_settings(settings)
    check_storage(settings)
    address, started = _connect(settings, num_cpus)
    cluster.deploy_platform(settings)
    wait_until_ready(settings.url)
    token = settings.admin_token_path.read_text().strip()
    return PlatformInfo(url=settings.url, token=token, ray_address=address, started_ray=started,
                        ray_token_file=os.environ.get("RAY_AUTH_TOKEN_PATH"))


def stop_platform(settings: Settings, *, stop_ray: bool = True) -> None:
    """Remove the platform app; stop Ray too if ``daas up`` started it."""
    from daas.platform.ray_adapter import cluster, local_head

    address = _cluster_address(settings)
    if address is None:
        return
    try:
        cluster.join(address)
    except ConnectionError:
        pass
    else:
        cluster.remove_platform()
        cluster.leave()
    if stop_ray and not settings.ray_address:
        local_head.stop_head(settings.home)


def platform_status(settings: Settings) -> dict[str, Any]:
    """Ray and Serve state of the platform application, plus readiness."""
    from daas.platform.ray_adapter import cluster

    status: dict[str, Any] = {"url": settings.url, "ray": "down", "app": "absent", "ready": False}
    address = _cluster_address(settings)
    if address is None:
        return status
    try:
        context = cluster.join(address)
    except ConnectionError:
        return status
    status["ray"] = "up"
    dashboard = getattr(context, "dashboard_url", None)
    status["dashboard"] = f"http://{dashboard}" if dashboard else None
    status["app"] = cluster.platform_app_status() or "absent"
    try:
        status["ready"] = httpx.get(f"{settings.url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        pass
    return status
