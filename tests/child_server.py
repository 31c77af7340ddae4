"""Servers in child processes for tests over real HTTP: a free port, waiting for it, RSS,
and the platform itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 30) -> None:
    """Return once ``port`` accepts connections; fail if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "server did not start"
            time.sleep(0.05)


def rss_bytes(pid: int) -> int:
    """The resident set size of process ``pid``."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


@contextmanager
def fake_platform(home: Path, **env: str) -> Iterator[tuple[subprocess.Popen, str, str]]:
    """The platform over real HTTP with Ray swapped for the fakes (``tests.e2e.fake_platform``),
    settings from ``env`` (``DAAS_*``): yields the process, its base URL and the admin token."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.e2e.fake_platform", "--port", str(port),
                                "--home", str(home)], stdout=subprocess.DEVNULL,
                               env={**os.environ, **env})
    try:
        wait_for_port(port, process)
        yield process, f"http://127.0.0.1:{port}", (home / "admin-token").read_text().strip()
    finally:
        process.kill()
        process.wait(timeout=10)


def peak_rss_bytes(pid: int) -> int:
    """The most resident memory process ``pid`` has had (VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for process {pid}")
