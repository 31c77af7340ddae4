"""pypmml's py4j link to its JVM, set up for large batches.

py4j's Java side writes a reply in 8 KiB pieces on a socket with Nagle's algorithm on, so
once a reply spans several pieces the last one can wait for Python's delayed acknowledgement
(about 40 ms on Linux): one stall per evaluator call. On the batch benchmark's 50-tree forest
that was ~3 us of idle time a row at 4,096 rows a call (~10% of the call). Turning on
TCP_NODELAY on the Java end of the connection removes it; py4j has no setting for it, so it
is set through Java reflection, best effort.
"""

from __future__ import annotations

import logging

from py4j.protocol import Py4JError
from pypmml.base import PMMLContext


def disable_nagle() -> int:
    """Set TCP_NODELAY on the Java end of pypmml's open py4j connections (connections py4j
    opens later, for concurrent calls, keep the default). Returns how many were set: 0 when
    the gateway is not py4j or does not let us reach its sockets."""
    gateway = getattr(PMMLContext.getOrCreate()._gateway, "_gateway", None)
    server = getattr(gateway, "java_gateway_server", None)
    if server is None:
        return 0
    try:
        field = server.getClass().getDeclaredField("connections")
        field.setAccessible(True)
        connections = list(field.get(server))
        for connection in connections:
            connection.getSocket().setTcpNoDelay(True)
    except Py4JError:
        return 0
    return len(connections)


class _Py4jRootRecords(logging.Filter):
    """Drops the records py4j logs on the root logger (instead of its own) when the JVM is
    already gone, e.g. while a batch actor's process exits after Ray ended its JVM child."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "py4j" not in record.pathname


def quiet_root_logging() -> None:
    """Keep py4j's tracebacks at process exit out of users' job logs (once per process)."""
    root = logging.getLogger()
    if not any(isinstance(existing, _Py4jRootRecords) for existing in root.filters):
        root.addFilter(_Py4jRootRecords())
