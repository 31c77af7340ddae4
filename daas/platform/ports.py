"""What the management plane needs from Ray, as Protocols and typed values.

The API process never loads an uploaded model itself: it hands bytes or artifact
references to a ``ModelWorker``. It never talks to Ray Serve or Ray's job manager
directly either: ``ServeBackend`` and ``JobBackend`` say what it asks of them.
``daas.platform.ray_adapter`` implements all three on Ray; unit tests use in-process
fakes that ``tests/platform/test_ports.py`` holds to these Protocols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from daas.deployments.request_payload import Payload
from daas.deployments.server_config import ServerConfig, ServiceControls
from daas.runtimes.base import ModelSchema
from daas.store.artifacts import ArtifactRef

#: Every service's Serve application is named with this prefix, and nothing else is.
SERVICE_APP_PREFIX = "svc-"


def service_app_name(service: str) -> str:
    """The Serve application of a service."""
    return f"{SERVICE_APP_PREFIX}{service}"


def service_of_app(app_name: str) -> str | None:
    """The service an application belongs to, or None for the platform's own apps."""
    return app_name.removeprefix(SERVICE_APP_PREFIX) if app_name.startswith(SERVICE_APP_PREFIX) else None


def service_route(service: str) -> str:
    """The HTTP route prefix of a service's application."""
    return f"/api/v1/svc/{service}"


@dataclass(frozen=True)
class ReplicaInfo:
    """One replica of a service application, as Serve's controller reports it."""

    replica_id: str
    state: str
    actor_id: str | None = None
    actor_name: str | None = None
    node_id: str | None = None
    node_ip: str | None = None
    pid: int | None = None
    started: float | None = None
    log_file: str | None = None

    @property
    def running(self) -> bool:
        """Whether the replica is up and taking requests."""
        return self.state == "RUNNING"

    @property
    def draining(self) -> bool:
        """Whether Serve is stopping the replica: it finishes calls in flight, still holding
        its resources."""
        return self.state == "STOPPING"


@dataclass(frozen=True)
class AppStatus:
    """What Serve says about one application."""

    status: str
    message: str
    deployment_message: str = ""
    replica_states: dict[str, int] = field(default_factory=dict)
    #: The lowest status of its deployments (HEALTHY, UPDATING, UPSCALING, DOWNSCALING, ...).
    deployment_status: str = ""

    @property
    def running(self) -> bool:
        """Serve reports the application as running."""
        return self.status.upper() == "RUNNING"

    @property
    def scaling(self) -> bool:
        """Serve is adding or removing replicas, not replacing them."""
        return self.deployment_status.upper() in ("UPSCALING", "DOWNSCALING")

    @property
    def deleting(self) -> bool:
        """Serve is removing the application."""
        return self.status.upper() == "DELETING"


@dataclass(frozen=True)
class NodeCapacity:
    """One alive node's resources."""

    node_id: str
    address: str
    total: dict[str, float]
    available: dict[str, float]


@dataclass(frozen=True)
class ServiceApp:
    """What to run for one service: the replica's config, its controls (changed in place)
    and its Serve deployment options."""

    name: str
    route_prefix: str
    config: ServerConfig
    controls: ServiceControls
    options: dict[str, Any]


@dataclass(frozen=True)
class JobState:
    """What Ray's job manager says about one submission."""

    submission_id: str
    status: str  # PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED
    message: str = ""
    entrypoint: str = ""
    start_time: float | None = None  # seconds since the epoch
    end_time: float | None = None


@runtime_checkable
class ModelWorker(Protocol):
    """Loads models in isolation and runs them: never in the API process."""

    def inspect(self, fmt: str, data: bytes) -> ModelSchema:
        """Validate and load ``data``; return its schema or raise ``InvalidModel``."""

    def score(self, artifact: ArtifactRef, payload: Payload, fmt: str,
              about: dict[str, Any]) -> tuple[bytes, str]:
        """Decode a test request's ``payload`` for the model in ``artifact``, score it, and
        return the answer encoded as ``fmt`` (json: ``about`` + ``predictions``/``outputs``;
        csv: rows) with its media type. ``BadRequest``/``InvalidInput`` for bad input."""

    def ready(self) -> bool:
        """Whether the worker side can take requests."""


@runtime_checkable
class ServeBackend(Protocol):
    """Runs service applications; Serve's state is derived, the database is the truth."""

    def deploy(self, app: ServiceApp) -> None:
        """Create or update an application without waiting for it to run."""

    def delete(self, app_name: str) -> None:
        """Start removing an application; returns at once."""

    def applications(self) -> dict[str, AppStatus]:
        """Every Serve application by name."""

    def all_replicas(self) -> dict[str, list[ReplicaInfo]]:
        """Replicas of every service application, oldest first."""

    def replicas(self, app_name: str) -> list[ReplicaInfo]:
        """Replicas of one application, oldest first."""

    def death_cause(self, actor_id: str) -> str | None:
        """Why a replica's actor died, if Ray recorded it."""

    def kill_replica(self, replica: ReplicaInfo) -> None:
        """Kill one replica; Serve starts a replacement."""

    def log_tail(self, replica: ReplicaInfo, lines: int) -> list[str]:
        """The last ``lines`` lines of a replica's log."""

    def nodes(self) -> list[NodeCapacity]:
        """Alive nodes with total and available resources."""

    async def infer_v2(self, app_name: str, body: dict[str, Any]) -> dict[str, Any]:
        """An Open Inference Protocol request answered by the application's replicas."""

    def run_async_request(self, app_name: str, request_id: str) -> None:
        """Ask the application to (re)run a stored async request; returns at once."""


@runtime_checkable
class JobBackend(Protocol):
    """Runs batch runs as Ray jobs."""

    def submit(self, submission_id: str, entrypoint: str, runtime_env: dict[str, Any]) -> None:
        """Start a job."""

    def stop(self, submission_id: str) -> bool:
        """Ask a job to end; False if it had already ended."""

    def status(self, submission_id: str) -> JobState | None:
        """A submission's state, or None when the cluster does not know it."""

    def logs(self, submission_id: str) -> str | None:
        """What the job's driver printed, or None when the cluster does not know it."""

    def list(self) -> list[JobState]:
        """Every submission the cluster remembers."""
