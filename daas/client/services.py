"""Services: deploy model versions, change and operate them, and watch what they do."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from daas.client.polling import poll_until
from daas.client.transport import Transport, without_none
from daas.client.types import (
    NewService,
    Replica,
    Service,
    ServiceEvent,
    ServiceLogs,
    ServiceMetrics,
)
from daas.errors import NotFound, Timeout, Unavailable


class ServiceFailed(Unavailable):
    """A service meant to run ended up ``failed``; ``service`` is how it was last seen."""

    def __init__(self, service: Service) -> None:
        reason = service.get("reason") or "no reason given"
        super().__init__(f"service {service['name']!r} failed: {reason}")
        self.service = service


def service_path(name: str) -> str:
    """The API path of a service."""
    return f"/api/v1/services/{quote(name, safe='')}"


class ServicesClient(Transport):
    """Deploy, list, change, pause, resume, roll back and delete services; watch them.

    Service names are unique across the platform; ``group`` says where a new service (and
    its model) is, filters lists, and is sent along on every other call.
    """

    def create_service(self, form: Mapping[str, Any], *,
                       group: str | None = None) -> NewService:
        """Deploy a model version as a service from the deploy form (unset fields omitted).

        The answer carries the service's ``api_key``, returned only this once.
        """
        return self._json("POST", "/api/v1/services", params=self._in_group(group),
                          json=without_none(form))

    def deploy_service(self, name: str, model: str, *, group: str | None = None,
                       **form: Any) -> NewService:
        """:meth:`create_service` with the form as keyword arguments."""
        return self.create_service({"name": name, "model": model, **form}, group=group)

    def list_services(self, *, group: str | None = None) -> list[Service]:
        """The services of a group, or of every group the caller may read; by name."""
        return self._json("GET", "/api/v1/services", params=self._in_group(group))

    def get_service(self, name: str, *, group: str | None = None) -> Service:
        """One service: its spec, desired and observed state."""
        return self._json("GET", service_path(name), params=self._in_group(group))

    def update_service(self, name: str, *, group: str | None = None,
                       **changes: Any) -> Service:
        """Change resources, replicas or the model ``version``: a new version or new
        resources roll new replicas in; replica counts and time limits change in place."""
        return self._json("PATCH", service_path(name), params=self._in_group(group),
                          json=without_none(changes))

    def pause_service(self, name: str, *, group: str | None = None) -> Service:
        """Stop serving at once (calls get 503) and remove the replicas; keep the service
        and its URL."""
        return self._json("POST", f"{service_path(name)}/pause", params=self._in_group(group))

    def resume_service(self, name: str, *, group: str | None = None) -> Service:
        """Bring a paused service back."""
        return self._json("POST", f"{service_path(name)}/resume", params=self._in_group(group))

    def rollback_service(self, name: str, *, group: str | None = None) -> Service:
        """Switch back to the model version served before the last switch."""
        return self._json("POST", f"{service_path(name)}/rollback",
                          params=self._in_group(group))

    def delete_service(self, name: str, *, group: str | None = None) -> Service:
        """Start deleting a service; it is gone (404) once its replicas are."""
        return self._json("DELETE", service_path(name), params=self._in_group(group))

    def rotate_service_key(self, name: str, *, group: str | None = None) -> str:
        """Issue a new API key for a service; the old one stops working."""
        return self._json("POST", f"{service_path(name)}/key",
                          params=self._in_group(group))["api_key"]

    def service_events(self, name: str, limit: int | None = None, *,
                       group: str | None = None) -> list[ServiceEvent]:
        """What happened to a service, newest first."""
        return self._json("GET", f"{service_path(name)}/events",
                          params=self._in_group(group, {"limit": limit}))

    def service_replicas(self, name: str, *, group: str | None = None) -> list[Replica]:
        """The replicas serving a service now."""
        return self._json("GET", f"{service_path(name)}/replicas",
                          params=self._in_group(group))

    def restart_replica(self, name: str, replica_id: str, *,
                        group: str | None = None) -> dict[str, Any]:
        """Ask for one replica to be replaced by a fresh one."""
        return self._json(
            "POST", f"{service_path(name)}/replicas/{quote(replica_id, safe='')}/restart",
            params=self._in_group(group))

    def service_logs(self, name: str, tail: int | None = None, *,
                     group: str | None = None) -> ServiceLogs:
        """The last ``tail`` log lines of each replica."""
        return self._json("GET", f"{service_path(name)}/logs",
                          params=self._in_group(group, {"tail": tail}))

    def service_metrics(self, name: str, window: str = "minute", *,
                        group: str | None = None) -> ServiceMetrics:
        """Requests, errors and latency over the last ``minute`` or ``hour``."""
        return self._json("GET", f"{service_path(name)}/metrics",
                          params=self._in_group(group, {"window": window}))

    def service_snippets(self, name: str, *, group: str | None = None) -> dict[str, str]:
        """Ready-to-run examples calling the service: ``curl``, ``python``, ``serve_handle``."""
        return self._json("GET", f"{service_path(name)}/snippets",
                          params=self._in_group(group))

    def wait_for_service(self, name: str, states: Sequence[str] = ("running",), *,
                         timeout: float = 600.0, interval: float = 1.0,
                         on_poll: Callable[[Service], None] | None = None,
                         sleep: Callable[[float], None] = time.sleep,
                         group: str | None = None) -> Service:
        """Poll a service until its state is one of ``states``, and return it.

        Raises :class:`ServiceFailed` when a service meant to run fails, and
        :class:`~daas.errors.Timeout` when ``timeout`` seconds pass first.
        """
        def settled(service: Service) -> bool:
            if service["state"] in states:
                return True
            if service["state"] == "failed" and service.get("desired") == "running":
                raise ServiceFailed(service)
            return False

        def timed_out(service: Service) -> Timeout:
            reason = f": {service['reason']}" if service.get("reason") else ""
            return Timeout(f"service {name!r} is still {service['state']} after "
                           f"{timeout:g} s{reason}", details={"state": service["state"]})

        return poll_until(lambda: self.get_service(name, group=group), settled, timeout=timeout,
                          interval=interval, on_poll=on_poll, sleep=sleep, timed_out=timed_out)

    def wait_until_deleted(self, name: str, *, timeout: float = 600.0, interval: float = 1.0,
                           on_poll: Callable[[Service], None] | None = None,
                           sleep: Callable[[float], None] = time.sleep,
                           group: str | None = None) -> None:
        """Poll a service being deleted until the platform no longer knows it."""
        def still_there() -> Service | None:
            try:
                return self.get_service(name, group=group)
            except NotFound:
                return None

        def seen(service: Service | None) -> None:
            if service is not None and on_poll is not None:
                on_poll(service)

        poll_until(still_there, lambda service: service is None, timeout=timeout,
                   interval=interval, on_poll=seen, sleep=sleep,
                   timed_out=lambda service: Timeout(
                       f"service {name!r} is still {service['state']} after {timeout:g} s"))
