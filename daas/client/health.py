"""Whether the platform is up and ready."""

from __future__ import annotations

from typing import Any

from daas.client.errors import error_for_response
from daas.client.transport import Transport


class HealthClient(Transport):
    """The platform's probes."""

    def health(self) -> dict[str, Any]:
        """``GET /healthz``: the platform process is up."""
        return self._json("GET", "/healthz")

    def ready(self) -> dict[str, Any]:
        """``GET /readyz``: ``{"status": "ready" | "not ready", "checks": {...}}``."""
        response = self._send("GET", "/readyz", expected=frozenset({503}))
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 503 and not (isinstance(body, dict) and "status" in body):
            raise error_for_response(response)  # a proxy's 503, not the probe's answer
        return body
