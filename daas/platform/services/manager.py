"""Service lifecycle as desired state: create, change, pause, resume, roll back, delete.

Every change is a write to the ``service`` row plus an event; the reconciler then makes
Ray Serve match. Only pause and delete wait, for the replicas to refuse calls (``on_close``).

A service belongs to a group and serves a model of that group; its name is unique across the
platform (it is the URL and the Serve application name). Group permissions are checked by
the routes (``daas.platform.access.policy``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import col, select

from daas.errors import Conflict, InvalidInput, NotFound
from daas.platform.access.policy import GroupRef
from daas.platform.ports import NodeCapacity, service_route
from daas.platform.registry.registry import ModelRegistry
from daas.platform.services.capacity import check_fits_cluster
from daas.platform.services.schemas import (
    ResourceFields,
    ServiceCreate,
    ServiceCreated,
    ServiceEventPublic,
    ServicePublic,
    ServiceUpdate,
)
from daas.platform.services.spec import ServiceSpec, check_service_name
from daas.store.db import Database
from daas.store.tables import Group, Service, ServiceEvent, utcnow
from daas.store.tokens import hash_token, new_secret

_RESOURCE_FIELDS = set(ResourceFields.model_fields) - {"preset"}
#: Spec fields Serve changes by adding or removing replicas, keeping the others.
_SCALE_FIELDS = {"replicas", "autoscaling"}
#: Spec fields the running replicas take without a restart (``ServiceControls``).
_IN_PLACE_FIELDS = {"timeout_s"}


def record_event(session, service: str, kind: str, message: str, state: str | None = None) -> None:
    """Add an event row in the caller's transaction."""
    session.add(ServiceEvent(service_name=service, kind=kind, state=state, message=message))


class ServiceManager:
    """Desired-state operations on services."""

    def __init__(self, db: Database, registry: ModelRegistry, nodes: Callable[[], list[NodeCapacity]],
                 presets: dict[str, dict[str, Any]], base_url: str,
                 on_change: Callable[[], None] = lambda: None,
                 on_close: Callable[[str], None] = lambda name: None) -> None:
        self.db = db
        self.registry = registry
        self.nodes = nodes
        self.presets = presets
        self.base_url = base_url
        self.on_change = on_change
        self.on_close = on_close

    # --- the deploy form ------------------------------------------------------------

    def _spec(self, base: dict[str, Any], form: ResourceFields) -> ServiceSpec:
        values = dict(base)
        if form.preset is not None:
            if form.preset not in self.presets:
                raise InvalidInput(f"unknown preset {form.preset!r}; presets: {', '.join(self.presets)}",
                                   field="preset")
            values.update(self.presets[form.preset])
        explicit = form.model_dump(include=_RESOURCE_FIELDS, exclude_unset=True, exclude_none=True)
        if "replicas" in explicit:
            values["autoscaling"] = None
        if "autoscaling" in explicit:
            values["replicas"] = None
        values.update(explicit)
        try:
            spec = ServiceSpec.model_validate(values)
        except ValueError as exc:
            errors = getattr(exc, "errors", lambda: [])()
            field = ".".join(str(p) for p in errors[0]["loc"]) if errors else None
            message = errors[0]["msg"] if errors else str(exc)
            raise InvalidInput(f"{field}: {message}" if field else message, field=field) from None
        check_fits_cluster(spec, self.nodes())
        return spec

    def create(self, group: GroupRef, form: ServiceCreate, created_by: str | None) -> ServiceCreated:
        """Record a new service of ``group`` (state ``deploying``) serving a model of the
        group, and return it with its API key."""
        check_service_name(form.name)
        version = self.registry.version(group.id, form.model, form.version)
        spec = self._spec({}, form)
        key = new_secret()
        row = Service(group_id=group.id, name=form.name, model_name=form.model, model_version=version.version,
                      spec=spec.model_dump(mode="json"), key_hash=hash_token(key), created_by=created_by)
        with self.db.write() as session:
            if session.exec(select(Service.id).where(Service.name == form.name)).first():
                raise Conflict(f"a service named {form.name!r} exists already (service names "
                               "are unique across the platform: they are URLs)",
                               details={"field": "name"})
            session.add(row)
            record_event(session, form.name, "created",
                         f"deploy {form.model} v{version.version} by {created_by}", "deploying")
        self.on_change()
        return ServiceCreated(**self._public(row, group.name).model_dump(), api_key=key)

    def update(self, name: str, form: ServiceUpdate, changed_by: str | None) -> ServicePublic:
        """Change resources, replicas or the model version: a new version or new reserved
        resources roll new replicas in; replica counts and time limits change in place."""
        with self.db.write() as session:
            row = self._row(session, name)
            spec = self._spec(row.spec, form)
            changes = []
            state = None
            if form.version is not None and form.version != row.model_version:
                self.registry.version(row.group_id, row.model_name, form.version)
                row.previous_version, row.model_version = row.model_version, form.version
                changes.append(f"version {row.previous_version} -> {row.model_version}")
                state = "deploying"
            new_spec = spec.model_dump(mode="json")
            if new_spec != row.spec:
                changes.append(_spec_change(row.spec, new_spec))
                state = state or _visible_change(row.spec, new_spec)
                row.spec = new_spec
            if changes:
                self._bump(session, row, "updated", "; ".join(changes) + f" by {changed_by}", state)
        self.on_change()
        return self._public(row)

    def rollback(self, name: str, changed_by: str | None) -> ServicePublic:
        """Switch back to the version served before the last switch."""
        with self.db.write() as session:
            row = self._row(session, name)
            if row.previous_version is None:
                raise Conflict(f"service {name!r} has no previous version to roll back to")
            self.registry.version(row.group_id, row.model_name, row.previous_version)
            row.previous_version, row.model_version = row.model_version, row.previous_version
            self._bump(session, row, "rollback",
                       f"version {row.previous_version} -> {row.model_version} by {changed_by}")
        self.on_change()
        return self._public(row)

    def pause(self, name: str, by: str | None) -> ServicePublic:
        """Remove the Serve application but keep the service."""
        return self._set_desired(name, "paused", f"paused by {by}")

    def resume(self, name: str, by: str | None) -> ServicePublic:
        """Bring a paused service back at the same URL."""
        return self._set_desired(name, "running", f"resumed by {by}")

    def delete(self, name: str, by: str | None) -> ServicePublic:
        """Remove the application, then the service."""
        return self._set_desired(name, "deleted", f"deleted by {by}")

    def rotate_key(self, name: str) -> str:
        """Issue a new API key for the service; the old one stops working."""
        key = new_secret()
        with self.db.write() as session:
            row = self._row(session, name)
            row.key_hash = hash_token(key)
            self._bump(session, row, "key", "API key rotated", state=None)
        self.on_change()
        return key

    def _set_desired(self, name: str, desired: str, message: str) -> ServicePublic:
        with self.db.write() as session:
            row = self._row(session, name)
            if row.desired == "deleted":
                raise Conflict(f"service {name!r} is being deleted")
            if row.desired != desired:
                row.desired = desired
                row.state = {"running": "deploying", "paused": row.state, "deleted": "deleting"}[desired]
                row.updated = utcnow()
                session.add(row)
                record_event(session, name, desired if desired != "running" else "resumed",
                             message, row.state)
        if desired != "running":
            self.on_close(name)
        self.on_change()
        with self.db.read() as session:
            found = session.exec(select(Service).where(Service.name == name)).first()
        return self._public(found or row)

    def _bump(self, session, row: Service, kind: str, message: str,
              state: str | None = "deploying") -> None:
        """A new generation for the reconciler; ``state`` shows what it will do (None: no
        visible change, e.g. a new key the replicas take in place)."""
        row.generation += 1
        row.updated = utcnow()
        if row.desired == "running" and state is not None:
            row.state = state
        session.add(row)
        record_event(session, row.name, kind, message, row.state)

    # --- reads ----------------------------------------------------------------------

    def get(self, name: str) -> ServicePublic:
        """One service."""
        with self.db.read() as session:
            return self._public(self._row(session, name))

    def row(self, name: str) -> Service:
        """The raw row of one service."""
        with self.db.read() as session:
            return self._row(session, name)

    def list(self, group_ids: set[int] | None = None) -> list[ServicePublic]:
        """The services of ``group_ids`` (None: of every group), by name."""
        query = select(Service)
        if group_ids is not None:
            query = query.where(col(Service.group_id).in_(group_ids))
        with self.db.read() as session:
            rows = session.exec(query.order_by(Service.name)).all()
            names = dict(session.exec(select(Group.id, Group.name)).all())
        return [self._public(row, names[row.group_id]) for row in rows]

    def group_of(self, name: str) -> GroupRef:
        """The group a service belongs to (permissions on it are checked there)."""
        with self.db.read() as session:
            row = self._row(session, name)
            return GroupRef(row.group_id, _group_name(session, row.group_id))

    def versions_in_use(self, group_id: int, model: str) -> set[int]:
        """Versions of the group's ``model`` that services serve or could roll back to."""
        with self.db.read() as session:
            rows = session.exec(select(Service).where(Service.group_id == group_id,
                                                      Service.model_name == model)).all()
        return {v for row in rows for v in (row.model_version, row.previous_version) if v is not None}

    def events(self, name: str, limit: int = 200) -> list[ServiceEventPublic]:
        """The newest events of a service, newest first."""
        with self.db.read() as session:
            self._row(session, name)
            rows = session.exec(select(ServiceEvent).where(ServiceEvent.service_name == name)
                                .order_by(col(ServiceEvent.id).desc()).limit(limit)).all()
        return [ServiceEventPublic.model_validate(row, from_attributes=True) for row in rows]

    def _public(self, row: Service, group: str | None = None) -> ServicePublic:
        if group is None:
            with self.db.read() as session:
                group = _group_name(session, row.group_id)
        return ServicePublic(
            name=row.name, group=group, url=f"{self.base_url}{service_route(row.name)}", model=row.model_name,
            version=row.model_version, previous_version=row.previous_version, state=row.state,
            desired=row.desired, reason=row.reason, spec=row.spec, generation=row.generation,
            created=row.created, updated=row.updated, created_by=row.created_by,
        )

    @staticmethod
    def _row(session, name: str) -> Service:
        row = session.exec(select(Service).where(Service.name == name)).first()
        if row is None:
            raise NotFound(f"no service named {name!r}")
        return row


def _group_name(session, group_id: int) -> str:
    return session.exec(select(Group.name).where(Group.id == group_id)).one()


def _visible_change(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """The state a spec change puts a running service in: new replicas (``deploying``), more
    or fewer of the same (``scaling``), or none at all (replicas reconfigured in place)."""
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    if changed - _SCALE_FIELDS - _IN_PLACE_FIELDS:
        return "deploying"
    return "scaling" if changed & _SCALE_FIELDS else None


def _spec_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    changed = [f"{key} {old.get(key)!r} -> {new.get(key)!r}" for key in sorted(new)
               if old.get(key) != new.get(key)]
    return ", ".join(changed)
