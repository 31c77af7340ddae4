"""Make Ray Serve match the services table: idempotent, serialized, periodic.

Each pass reads every service row and every Serve application, then per service deploys,
updates, removes or just observes, recording state changes and replica births and deaths
as events. Passes run under one lock, after every API change and every few seconds (every
half second while a service is changing, so a state shows soon after Serve reaches it).

A service that stops serving (paused or deleted) is first *closed*: its replicas are told in
place to refuse every call (503, paused), and its application is removed ``closed_grace_s``
later. No call is served once the pause has answered; for that grace, callers through a Serve
handle still get the 503 (a handle to a removed application waits for replicas instead), and
a resume within it reopens the same replicas at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from daas.platform.background import PeriodicPass
from daas.platform.ports import (
    AppStatus,
    ReplicaInfo,
    ServeBackend,
    ServiceApp,
    service_app_name,
    service_of_app,
)
from daas.platform.services.capacity import shortfall
from daas.platform.services.manager import record_event
from daas.platform.services.spec import ServiceSpec
from daas.store.db import Database
from daas.store.tables import (
    AsyncRequest,
    Service,
    ServiceEvent,
    ServiceTraffic,
    utcnow,
)

log = logging.getLogger("daas.reconciler")

_MAX_ASYNC_ATTEMPTS = 3
_TRAFFIC_KEPT = timedelta(days=2)
#: States that Serve is still working towards: passes come every ``busy_interval_s`` then.
CHANGING = ("deploying", "scaling", "deleting")


def observed_state(app: AppStatus | None, lacking: str | None,
                   target: int | None = None) -> tuple[str, str | None]:
    """The service state (and reason) that Serve's view of a desired-running app implies.

    Adding or removing replicas of an unchanged model is ``scaling`` with ``ready/target``.
    """
    if app is None:
        return "deploying", None
    status = app.status.upper()
    if status == "RUNNING":
        return "running", None
    if status in ("DEPLOY_FAILED", "UNHEALTHY"):
        detail = (app.message or app.deployment_message or status).strip()
        return "failed", detail[:4000]
    if app.scaling:
        ready = app.replica_states.get("RUNNING", 0)
        progress = f"{ready}/{target if target is not None else '?'} replicas ready"
        return "scaling", f"{progress}; {lacking}" if lacking else progress
    return "deploying", lacking


def stopped_state(service: Service) -> str:
    """The state of a service that no longer serves: ``deleting`` or ``paused``."""
    return "deleting" if service.desired == "deleted" else "paused"


def target_replicas(spec: ServiceSpec, app: AppStatus) -> int:
    """How many replicas Serve is heading for: the fixed count, or what autoscaling keeps."""
    if spec.replicas is not None:
        return spec.replicas
    alive = sum(n for state, n in app.replica_states.items() if state.upper() != "STOPPING")
    return max(alive, spec.autoscaling.min_replicas if spec.autoscaling else 0)


class Reconciler:
    """Drives Serve towards the desired state stored in the database."""

    def __init__(self, db: Database, serve: ServeBackend, plan_app: Callable[[Service], ServiceApp],
                 *, interval_s: float = 5.0, busy_interval_s: float = 0.5,
                 async_ttl_s: float = 86400.0, close_wait_s: float = 5.0,
                 closed_grace_s: float = 5.0) -> None:
        self.db = db
        self.serve = serve
        self.plan_app = plan_app
        self.interval_s = interval_s
        self.async_ttl_s = async_ttl_s
        self.close_wait_s = close_wait_s
        self.closed_grace_s = closed_grace_s
        self._lock = threading.Lock()
        self._deployed: dict[str, int] = {}
        self._closed: dict[str, float] = {}  # service -> when its replicas were closed
        self._replicas: dict[str, dict[str, ReplicaInfo]] = {}
        self._background = PeriodicPass("daas-reconciler", self.reconcile, interval_s, log,
                                        busy_interval_s=min(busy_interval_s, interval_s))

    def start(self) -> None:
        """Reconcile now and then in a background thread until ``stop``."""
        self._background.start()

    def stop(self) -> None:
        """End the background loop."""
        self._background.stop()

    def trigger(self) -> None:
        """Ask for a pass soon (after an API change)."""
        self._background.trigger()

    def close_now(self, service_name: str) -> None:
        """Close a service that should stop serving before returning (see the module's doc).

        Called by pause and delete, so that their answer means what it says."""
        with self._lock:
            with self.db.read() as session:
                service = session.exec(select(Service).where(Service.name == service_name)).first()
            if service is None or service.desired == "running":
                return
            app = self.serve.applications().get(service_app_name(service_name))
            if app is not None and not app.deleting and service_name not in self._closed:
                self._close(service, app)

    def reconcile(self) -> bool:
        """One full pass; passes never overlap. True while a service is still changing."""
        with self._lock:
            apps = self.serve.applications()
            with self.db.read() as session:
                services = list(session.exec(select(Service)))
            replicas = self.serve.all_replicas() if services else {}
            for service in services:
                try:
                    name = service_app_name(service.name)
                    self._reconcile_one(service, apps.get(name), replicas.get(name, []))
                except Exception as exc:  # noqa: BLE001 - one bad service must not stop the rest
                    log.exception("reconciling service %s failed", service.name)
                    self._set_state(service, "failed", f"{type(exc).__name__}: {exc}"[:4000])
            known = {service_app_name(s.name) for s in services}
            for orphan in (name for name in apps if service_of_app(name) and name not in known):
                if not apps[orphan].deleting:
                    self.serve.delete(orphan)
            self._redispatch_async_requests(services, apps)
            self._expire_old_rows()
            return bool(self._closed) or any(s.state in CHANGING for s in services)

    def _reconcile_one(self, service: Service, app: AppStatus | None,
                       replicas: list[ReplicaInfo]) -> None:
        name = service_app_name(service.name)
        if service.desired in ("paused", "deleted"):
            if app is not None:
                if service.name not in self._closed and not app.deleting:
                    self._close(service, app)
                elif not app.deleting and time.monotonic() >= self._closed[service.name] + self.closed_grace_s:
                    self.serve.delete(name)
                    self._closed.pop(service.name, None)
                self._set_state(service, stopped_state(service), None)
                return
            self._closed.pop(service.name, None)
            if service.desired == "deleted":
                self._forget(service)
            else:
                self._set_state(service, "paused", None)
            return
        self._closed.pop(service.name, None)  # resumed: the deploy below reopens the replicas
        if app is None or self._deployed.get(service.name) != service.generation:
            self.serve.deploy(self.plan_app(service))
            self._deployed[service.name] = service.generation
            # Serve keeps the replicas of an unchanged model: only a new app or model deploys.
            keeps = app is not None and service.state in ("running", "scaling")
            self._set_state(service, service.state if keeps else "deploying", None,
                            event=("deploy", f"deploying generation {service.generation} "
                                             f"({service.model_name} v{service.model_version})"))
            return
        lacking = None
        spec = ServiceSpec.model_validate(service.spec)
        if app.status.upper() == "DEPLOYING":
            lacking = shortfall(spec, self.serve.nodes())
        state, reason = observed_state(app, lacking, target_replicas(spec, app))
        self._set_state(service, state, reason)
        self._track_replicas(service, replicas)

    def _close(self, service: Service, app: AppStatus) -> None:
        """Tell the replicas to refuse every call and wait until Serve has told them; the
        application is removed once the grace has passed (at once if it cannot be closed)."""
        name = service_app_name(service.name)
        self._deployed.pop(service.name, None)
        if app.status.upper() in ("RUNNING", "DEPLOYING"):
            try:
                self.serve.deploy(self.plan_app(service))
                self._wait_applied(name)
                self._closed[service.name] = time.monotonic()
            except Exception:  # noqa: BLE001 - removing the app still stops the service
                log.exception("closing service %s failed; removing it now", service.name)
        if service.name not in self._closed:
            self.serve.delete(name)
        self._set_state(service, stopped_state(service), None)

    def _wait_applied(self, app_name: str) -> None:
        """Until Serve reports the application updated (it says DEPLOYING from the deploy call
        until every replica has taken the change), at most ``close_wait_s``."""
        deadline = time.monotonic() + self.close_wait_s
        while time.monotonic() < deadline:
            app = self.serve.applications().get(app_name)
            if app is None or app.status.upper() != "DEPLOYING":
                return
            time.sleep(0.05)
        log.warning("application %s did not apply its closed controls within %.0f s",
                    app_name, self.close_wait_s)

    def _track_replicas(self, service: Service, replicas: list[ReplicaInfo]) -> None:
        alive = {r.replica_id: r for r in replicas if r.running}
        seen = self._replicas.get(service.name)
        self._replicas[service.name] = alive
        if seen is None:
            return
        messages = []
        for replica_id, replica in seen.items():
            if replica_id not in alive:
                cause = self.serve.death_cause(replica.actor_id) if replica.actor_id else None
                messages.append(f"replica {replica_id} (pid {replica.pid}) ended: {cause or 'stopped'}")
        for replica_id, replica in alive.items():
            if replica_id not in seen:
                messages.append(f"replica {replica.replica_id} started (pid {replica.pid}, "
                                f"node {replica.node_ip or replica.node_id})")
        if messages:
            with self.db.write() as session:
                for message in messages:
                    record_event(session, service.name, "replica", message, service.state)

    def _set_state(self, service: Service, state: str, reason: str | None,
                   event: tuple[str, str] | None = None) -> None:
        if service.state == state and service.reason == reason and event is None:
            return
        with self.db.write() as session:
            row = session.get(Service, service.id)
            if row is None:
                return
            changed = row.state != state or row.reason != reason
            row.state, row.reason = state, reason
            if changed:
                row.updated = utcnow()
            session.add(row)
            if event is not None:
                record_event(session, row.name, event[0], event[1], state)
            if changed and (event is None or event[0] != "deploy" or state != "deploying"):
                record_event(session, row.name, "state", reason or state, state)
        service.state, service.reason = state, reason

    def _forget(self, service: Service) -> None:
        with self.db.write() as session:
            row = session.get(Service, service.id)
            if row is not None:
                session.delete(row)
            session.exec(delete(ServiceEvent).where(col(ServiceEvent.service_name) == service.name))
            session.exec(delete(ServiceTraffic).where(col(ServiceTraffic.service_name) == service.name))
        self._deployed.pop(service.name, None)
        self._closed.pop(service.name, None)
        self._replicas.pop(service.name, None)

    def _redispatch_async_requests(self, services: list[Service], apps: dict[str, AppStatus]) -> None:
        running = {s.name: s for s in services if s.desired == "running"
                   and (apps.get(service_app_name(s.name)) or AppStatus("", "")).running}
        if not running:
            return
        now = utcnow()
        with self.db.read() as session:
            pending = session.exec(select(AsyncRequest).where(
                col(AsyncRequest.status).in_(("queued", "running")))).all()
        for request in pending:
            service = running.get(request.service_name)
            if service is None:
                continue
            started = request.started or request.created
            stale_after = 2 * ServiceSpec.model_validate(service.spec).timeout_s + 10
            if (now - started).total_seconds() < stale_after:
                continue
            if request.attempts >= _MAX_ASYNC_ATTEMPTS:
                self._give_up(request.id)
                continue
            try:
                self.serve.run_async_request(service_app_name(service.name), request.id)
            except Exception:  # noqa: BLE001 - retried on the next pass
                log.exception("re-dispatching async request %s failed", request.id)

    def _give_up(self, request_id: str) -> None:
        with self.db.write() as session:
            row = session.get(AsyncRequest, request_id)
            if row is not None and row.status in ("queued", "running"):
                row.status, row.finished = "failed", utcnow()
                row.error = {"code": "unavailable", "message":
                             f"the request was not completed after {row.attempts} attempts"}
                session.add(row)

    def _expire_old_rows(self) -> None:
        now = utcnow()
        with self.db.write() as session:
            session.exec(delete(AsyncRequest).where(
                col(AsyncRequest.status).in_(("succeeded", "failed")),
                col(AsyncRequest.finished) < now - timedelta(seconds=self.async_ttl_s)))
            session.exec(delete(ServiceTraffic).where(col(ServiceTraffic.bucket) < now - _TRAFFIC_KEPT))
