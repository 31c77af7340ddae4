"""The single-node Ray head ``daas up`` starts, closed to the network.

Every listener that has a bind-address knob is on 127.0.0.1 (``--node-ip-address``
moves the dashboard agent, runtime-env agent, client server and metrics servers there);
HAProxy's side listeners are pinned by ``haproxy_wrapper``. Ray's gRPC servers (GCS,
raylet, core workers) still bind every interface; token auth guards them. Every fixed port
keeps Ray's default when free and takes a free one otherwise, so the head can run beside
another cluster on the same machine.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from daas.platform.ray_adapter import haproxy_wrapper

LOOPBACK = "127.0.0.1"
_STATE_FILE = "ray-head.json"
#: Marks (in their environment) every process of the head a data dir started.
_TAG = "DAAS_RAY_HEAD"
_STOP_GRACE_S = 15.0

#: ``ray start`` options of fixed-port listeners, with Ray's default (None: Ray picks one).
_START_PORTS = {"--port": 6379, "--dashboard-port": 8265,
                "--dashboard-agent-listen-port": 52365, "--dashboard-agent-grpc-port": None,
                "--runtime-env-agent-port": None, "--ray-client-server-port": 10001}
#: Variables Ray and Serve read their other fixed ports from, with the defaults.
_ENV_PORTS = {"DASHBOARD_METRIC_PORT": 44227, "AUTOSCALER_METRIC_PORT": 44217,
              "RAY_SERVE_HAPROXY_STATS_PORT": 8404, "RAY_SERVE_HAPROXY_METRICS_PORT": 9101,
              "RAY_SERVE_FALLBACK_PROXY_HTTP_PORT": 8500,
              "RAY_SERVE_FALLBACK_PROXY_GRPC_PORT": 9500}
#: Serve's HAProxy files, moved into a private (0700) folder of their own.
_HAPROXY_FILES = {"RAY_SERVE_HAPROXY_SOCKET_PATH": "admin.sock",
                  "RAY_SERVE_HAPROXY_METRICS_SOCKET_PATH": "metrics.sock",
                  "RAY_SERVE_HAPROXY_CONFIG_FILE_LOC": "haproxy.cfg",
                  "RAY_SERVE_HAPROXY_SERVER_STATE_FILE": "server-state",
                  "RAY_SERVE_HAPROXY_SERVER_STATE_BASE": ""}


#: Ray's "no multi-node" switch (meant for macOS/Windows). Without it Ray replaces 127.0.0.1
#: by the machine's IP, in ``--node-ip-address`` and in every address a driver joins.
SINGLE_NODE = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def use_single_node_in_this_process() -> None:
    """Let this process join a loopback head (and its children too)."""
    from ray._private import ray_constants

    os.environ.update(SINGLE_NODE)
    ray_constants.ENABLE_RAY_CLUSTER = False  # read once at import; there is no public switch


@dataclass
class LocalHead:
    """A head this data dir started: its GCS address and its private HAProxy folder."""

    address: str
    haproxy_dir: str


def recorded_head(home: Path) -> LocalHead | None:
    """The head ``daas up`` last started from ``home``, if it recorded one."""
    try:
        return LocalHead(**json.loads((home / _STATE_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def pick_port(preferred: int | None, taken: set[int]) -> int:
    """``preferred`` if nothing listens on it, else a free port; never one in ``taken``."""
    candidates = ([preferred] if preferred else []) + [0] * 20
    for candidate in candidates:
        with socket.socket() as probe:
            try:
                probe.bind((LOOPBACK, candidate))
            except OSError:
                continue
            port = probe.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port
    raise OSError("no free TCP port on the loopback interface")


def start_head(ray_cli: str, home: Path, num_cpus: int, metrics_port: int,
               env: dict[str, str]) -> LocalHead:
    """Run ``ray start --head`` with loopback listeners and free ports; record the head."""
    taken: set[int] = set()
    ports = {option: pick_port(default, taken) for option, default in _START_PORTS.items()}
    metrics = pick_port(metrics_port, taken)
    env = {**env, **SINGLE_NODE, _TAG: str(home)}
    for variable, default in _ENV_PORTS.items():
        env.setdefault(variable, str(pick_port(default, taken)))
    haproxy_dir = tempfile.mkdtemp(prefix="daas-haproxy-")  # short: holds unix sockets
    for variable, name in _HAPROXY_FILES.items():
        env.setdefault(variable, os.path.join(haproxy_dir, name))
    wrapper = haproxy_wrapper.write_wrapper(Path(haproxy_dir),
                                            int(env["RAY_SERVE_HAPROXY_STATS_PORT"]),
                                            int(env["RAY_SERVE_HAPROXY_METRICS_PORT"]))
    if wrapper is not None:
        env[haproxy_wrapper.BINARY_VARIABLE] = str(wrapper)
    command = [ray_cli, "start", "--head", f"--num-cpus={num_cpus}", "--disable-usage-stats",
               f"--node-ip-address={LOOPBACK}", f"--dashboard-host={LOOPBACK}",
               f"--metrics-export-port={metrics}",
               *(f"{option}={port}" for option, port in ports.items())]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    head = LocalHead(address=f"{LOOPBACK}:{ports['--port']}", haproxy_dir=haproxy_dir)
    (home / _STATE_FILE).write_text(json.dumps(asdict(head)))
    return head


def stop_head(home: Path) -> None:
    """Stop every process of the head ``home`` started (SIGTERM, then SIGKILL).

    Only that head's processes: other Ray clusters on the machine keep running.
    """
    head = recorded_head(home)
    pids = _tagged_processes(home)
    _signal(pids, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE_S
    while pids and time.monotonic() < deadline:
        time.sleep(0.2)
        pids = [pid for pid in pids if _alive(pid)]
    _signal(pids, signal.SIGKILL)
    if head is not None:
        shutil.rmtree(head.haproxy_dir, ignore_errors=True)
    (home / _STATE_FILE).unlink(missing_ok=True)


def _tagged_processes(home: Path) -> list[int]:
    tag = f"\0{_TAG}={home}\0".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if tag in b"\0" + (entry / "environ").read_bytes() and int(entry.name) != os.getpid():
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or not ours
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie has exited; it waits only for its parent
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def _signal(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except OSError:
            pass
