"""`daas up` keeps Ray closed to the network: loopback listeners and token auth.

Starts its own platform (``daas up`` in a subprocess, own data dir, free ports) beside the
session's shared cluster, reads which sockets that head's processes listen on, and knocks
on the dashboard and the GCS without the token.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from daas.platform.ray_adapter import local_head

pytestmark = pytest.mark.ray

DAAS = str(Path(sys.executable).with_name("daas"))


@dataclass
class OwnPlatform:
    home: Path
    env: dict[str, str]
    up: dict


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_env(home: Path) -> dict[str, str]:
    """No RAY_* or DAAS_* of the test session, and a HOME without ~/.ray/auth_token."""
    user_home = home / "user"
    user_home.mkdir(exist_ok=True)
    return {"PATH": os.environ["PATH"], "HOME": str(user_home), "LANG": "C.UTF-8",
            "RAY_USAGE_STATS_ENABLED": "0", **local_head.SINGLE_NODE}


def _daas(platform_env: dict[str, str], *args: str, timeout: float = 240) -> dict:
    result = subprocess.run([DAAS, *args], env=platform_env, capture_output=True, text=True,
                            check=False, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout) if "--json" in args else {}


@pytest.fixture(scope="module")
def own_platform():
    home = Path(tempfile.mkdtemp(prefix="daas-net-"))  # short: Ray's unix sockets live below
    env = {**_clean_env(home), "DAAS_HOME": str(home), "DAAS_PORT": str(_free_port()),
           "DAAS_NUM_CPUS": "2"}
    try:
        yield OwnPlatform(home, env, _daas(env, "up", "--json"))
        _daas(env, "down", timeout=120)
        assert not local_head._tagged_processes(home), "daas down left processes running"
    finally:
        local_head.stop_head(home)  # whatever is left, even after a failure
        shutil.rmtree(home, ignore_errors=True)


def _cluster_pids(home: Path) -> set[int]:
    return set(local_head._tagged_processes(home))


def _socket_owners(pids: set[int]) -> dict[int, int]:
    """Socket inode -> pid, for the sockets those processes hold."""
    owners = {}
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    owners[int(target[8:-1])] = pid
        except OSError:
            continue
    return owners


def _listening() -> list[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int, int]]:
    """(address, port, inode) of every listening TCP socket on the machine."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # LISTEN
                continue
            hex_address, hex_port = fields[1].split(":")
            raw = bytes.fromhex(hex_address)
            # the kernel prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            address = ipaddress.ip_address(raw) if width == 8 else ipaddress.IPv6Address(raw)
            found.append((address, int(hex_port, 16), int(fields[9])))
    return found


def _is_loopback(address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"


#: One method of each Ray gRPC service a node runs; a server answers UNIMPLEMENTED for the
#: others. Ray's auth interceptor turns a call without the token into UNAUTHENTICATED.
_RAY_GRPC_METHODS = ("/ray.rpc.NodeInfoGcsService/GetAllNodeInfo",
                     "/ray.rpc.NodeManagerService/GetNodeStats",
                     "/ray.rpc.CoreWorkerService/NumPendingTasks",
                     "/ray.serve.ASGIService/HandleRequest")


def _is_token_guarded_ray_grpc(port: int) -> bool:
    """Whether the listener is a Ray gRPC server that refuses calls without the token."""
    import grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        for method in _RAY_GRPC_METHODS:
            try:
                channel.unary_unary(method)(b"", timeout=5)
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                    return True
    return False


def _listeners(own_platform) -> list[tuple[str, int, str]]:
    owners = _socket_owners(_cluster_pids(own_platform.home))
    return sorted((str(address), port, _process_name(owners[inode]))
                  for address, port, inode in _listening() if inode in owners)


def test_only_token_guarded_ray_grpc_servers_listen_beyond_loopback(own_platform) -> None:
    listeners = _listeners(own_platform)
    print("listeners of the head:", *listeners, sep="\n  ")
    assert len(listeners) > 10  # the GCS, raylet, dashboard, agents, workers, HAProxy...
    exposed = [(address, port, name) for address, port, name in listeners
               if not _is_loopback(ipaddress.ip_address(address))]
    assert not [listener for listener in exposed if not _is_token_guarded_ray_grpc(listener[1])]


def test_the_gcs_the_dashboard_and_haproxy_listen_on_loopback_only(own_platform) -> None:
    gcs_port = int(own_platform.up["ray_address"].rsplit(":", 1)[1])
    listeners = _listeners(own_platform)
    for wanted in ("gcs_server", "dashboard.py", "haproxy", "ray.util.client.server"):
        found = [(address, port) for address, port, name in listeners if wanted in name]
        assert found, wanted
        assert all(_is_loopback(ipaddress.ip_address(address)) for address, _ in found), found
    assert gcs_port in {port for _, port, name in listeners if "gcs_server" in name}


def test_the_ray_token_file_is_private(own_platform) -> None:
    token_file = Path(own_platform.up["ray_token_file"])
    assert token_file.parent == own_platform.home
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert len(token_file.read_text().strip()) >= 32


def test_the_dashboard_refuses_requests_without_the_token(own_platform) -> None:
    dashboard = _daas(own_platform.env, "status", "--json")["platform"]["dashboard"]
    assert dashboard.startswith("http://127.0.0.1:")
    assert httpx.get(f"{dashboard}/api/jobs/", timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert httpx.get(f"{dashboard}/api/jobs/", headers=wrong, timeout=10).status_code == 403
    token = Path(own_platform.up["ray_token_file"]).read_text().strip()
    right = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{dashboard}/api/jobs/", headers=right, timeout=10).status_code == 200


def _ray_init(env: dict[str, str], address: str, then: str = "") -> subprocess.CompletedProcess:
    code = f"import ray\nray.init(address={address!r}, log_to_driver=False)\n{then}\nprint('JOINED')"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=False, timeout=90)


def test_ray_refuses_a_driver_without_the_token(own_platform) -> None:
    address = own_platform.up["ray_address"]
    for extra in ({}, {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": "0" * 64}):
        result = _ray_init({**_clean_env(own_platform.home), **extra}, address)
        assert result.returncode != 0 and "JOINED" not in result.stdout, extra
        assert "authentication" in (result.stdout + result.stderr).lower(), result.stderr[-2000:]


def test_a_driver_with_the_token_reaches_ray_and_its_job_api(own_platform) -> None:
    env = {**_clean_env(own_platform.home), "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN_PATH": own_platform.up["ray_token_file"]}
    jobs = "from daas.platform.ray_adapter.jobs import RayJobs\nprint(RayJobs().list())"
    result = _ray_init(env, own_platform.up["ray_address"], then=jobs)
    assert "JOINED" in result.stdout, result.stderr[-2000:]


def test_daas_status_joins_the_authenticated_head(own_platform) -> None:
    status = _daas(own_platform.env, "status", "--json")
    assert status["platform"]["ray"] == "up" and status["api"]["ready"] is True
