"""The management plane's members, built once per app by ``build_container``."""

from __future__ import annotations

from dataclasses import dataclass

from daas.platform.access.audit import AuditLog
from daas.platform.access.groups import GroupService
from daas.platform.cluster import ClusterView
from daas.platform.datasets.service import DatasetService
from daas.platform.heavy_requests import HeavyRequests
from daas.platform.jobs.dispatch import RunDispatcher
from daas.platform.jobs.scheduler import JobScheduler
from daas.platform.jobs.service import JobService
from daas.platform.ports import JobBackend, ModelWorker, ServeBackend
from daas.platform.registry.registry import ModelRegistry
from daas.platform.registry.tester import ModelTester
from daas.platform.services.gateway import ServiceGateway
from daas.platform.services.manager import ServiceManager
from daas.platform.services.observability import ServiceObserver
from daas.platform.services.reconciler import Reconciler
from daas.platform.services.service_apps import ServiceAppPlanner
from daas.platform.tokens.service import TokenService
from daas.settings import Settings
from daas.store.artifacts import ArtifactStore
from daas.store.db import Database
from daas.store.migrate import upgrade
from daas.store.private_files import private_folder


@dataclass
class Container:
    """Everything routes and background loops use; one instance per app."""

    settings: Settings
    db: Database
    store: ArtifactStore
    tokens: TokenService
    groups: GroupService
    audit: AuditLog
    worker: ModelWorker
    registry: ModelRegistry
    tester: ModelTester
    serve: ServeBackend
    services: ServiceManager
    observer: ServiceObserver
    gateway: ServiceGateway
    reconciler: Reconciler
    cluster: ClusterView
    jobs: JobService
    job_scheduler: JobScheduler
    datasets: DatasetService
    large_requests: HeavyRequests

    def start_background(self) -> None:
        """Run the reconciler and the job scheduler in their threads."""
        self.reconciler.start()
        self.job_scheduler.start()

    def stop_background(self) -> None:
        """End the background loops."""
        self.reconciler.stop()
        self.job_scheduler.stop()


def build_container(settings: Settings, worker: ModelWorker, serve: ServeBackend,
                    job_backend: JobBackend | None) -> Container:
    """Open (and migrate) the database and storage, and wire every member.

    Without a ``job_backend`` (no Ray job API), batch runs answer 503.
    """
    private_folder(settings.home)
    db = Database.connect(settings.resolved_database_url)
    upgrade(db)
    tokens = TokenService(db)
    tokens.ensure_admin_token(settings.admin_token_path)
    store = ArtifactStore(settings.resolved_storage_uri)
    registry = ModelRegistry(db, store, worker, settings.max_upload_bytes)
    reconciler = Reconciler(db, serve, ServiceAppPlanner(registry, settings),
                            interval_s=settings.reconcile_interval_s,
                            async_ttl_s=settings.async_request_ttl_s,
                            closed_grace_s=settings.paused_grace_s)
    services = ServiceManager(db, registry, serve.nodes, settings.instance_presets, settings.url,
                              on_change=reconciler.trigger, on_close=reconciler.close_now)
    registry.in_use = services.versions_in_use
    dispatcher = RunDispatcher(db, registry, settings, job_backend)
    jobs = JobService(db, registry, dispatcher)
    return Container(
        settings=settings, db=db, store=store, tokens=tokens, groups=GroupService(db),
        audit=AuditLog(db), worker=worker, registry=registry,
        tester=ModelTester(registry, worker), serve=serve, services=services,
        observer=ServiceObserver(db, serve),
        gateway=ServiceGateway(db, services, registry, tokens, serve, worker),
        reconciler=reconciler, cluster=ClusterView(serve, settings, db),
        jobs=jobs, job_scheduler=JobScheduler(db, dispatcher),
        datasets=DatasetService(db, store, settings, users=jobs.dataset_users),
        large_requests=HeavyRequests(settings.max_large_requests),
    )
