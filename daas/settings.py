"""Platform settings, read from ``DAAS_*`` environment variables.

Build them with ``get_settings()`` (cached) or ``Settings()`` in an app factory; never at
import time. Replicas receive the launcher's settings as a dict, so a platform started with
``DAAS_HOME=/x`` uses ``/x`` everywhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


#: pyarrow.fs URI parameters that hold secrets.
_CREDENTIAL_PARAMETERS = frozenset({"access_key", "secret_key", "session_token", "password"})


def normalized_database_url(url: str) -> str:
    """``url`` with PostgreSQL's driver made psycopg 3; ``ValueError`` (no password in its
    message) for anything but SQLite and PostgreSQL, the only write-lock rules the platform
    knows."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("DAAS_DATABASE_URL is not a database URL: expected "
                         "sqlite:///path or postgresql+psycopg://user@host:port/db") from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername == "postgresql+psycopg":
            return url
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend != "sqlite":
        raise ValueError(f"DAAS_DATABASE_URL names a '{backend}' database: only SQLite "
                         "(sqlite:///path) and PostgreSQL (postgresql+psycopg://...) are "
                         "supported")
    return url


def redacted_url(url: str) -> str:
    """``url`` with its password shown as ``***``, for messages and logs."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


class Settings(BaseSettings):
    """Every knob of the platform, with embedded defaults for a single machine."""

    # An error never echoes the value it refuses: settings hold secrets.
    model_config = SettingsConfigDict(env_prefix="DAAS_", extra="ignore", hide_input_in_errors=True)

    home: Path = Field(
        default_factory=lambda: Path.home() / ".daas",
        description="Data dir: SQLite file, local storage, admin token, logs.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db "
        "(password in the URL or PGPASSWORD); default: SQLite file daas.db in the data dir."
    )
    storage_uri: str | None = Field(
        None,
        description="Where artifacts, datasets and job outputs live: a local path, file://, "
        "s3://bucket/prefix (the bucket must exist) or gs://. Default: <home>/storage.",
    )
    s3_endpoint_url: str | None = Field(
        None, description="S3 endpoint for S3-compatible servers (MinIO, Ceph), e.g. "
        "http://127.0.0.1:9000; overrides AWS_ENDPOINT_URL. Read by every process that reads "
        "storage, so set it on every node.",
    )
    s3_region: str | None = Field(None, description="S3 region; overrides AWS_REGION.")
    temporary_object_age_s: float = Field(
        3600, gt=0, description="Temporary objects of interrupted writes older than this are "
        "deleted when the platform starts.",
    )
    max_upload_bytes: int = Field(
        256 * 1024 * 1024, gt=0, description="Largest accepted model file, in bytes."
    )
    max_request_bytes: int = Field(
        64 * 1024 * 1024, gt=0, description="Largest accepted prediction request body."
    )
    max_large_requests: int = Field(
        2, gt=0, description="Test and /v2 requests of 1 MiB or more the API decodes at once "
        "(more get 429 with Retry-After).",
    )
    max_dataset_bytes: int = Field(
        10 * 1024**3, gt=0, description="Largest accepted dataset upload, in bytes."
    )
    dataset_import_deadline_s: float = Field(
        300.0, gt=0, description="Longest a dataset import over http(s) may take, in seconds."
    )
    max_concurrent_imports: int = Field(
        4, gt=0, description="URL imports running at once (more get 429); each holds a thread."
    )
    dataset_import_root: Path | None = Field(
        None, description="Folder under which file:// dataset imports are allowed (None: refused)."
    )
    dataset_import_allow: str = Field(
        "", description="Comma-separated host names and IPs/CIDRs that http(s) dataset imports "
        "may reach although they are loopback, private, link-local... (default: public only)."
    )
    dataset_import_platform_credentials: str = Field(
        "admin", pattern="^(admin|editor|none)$",
        description="Lowest role whose s3:// and gs:// imports may use the platform's own "
        "credentials (others give credentials with the request); 'none' for nobody.",
    )
    ray_address: str | None = Field(
        None, description="Ray cluster to join ('auto', 'ray://host:10001'); None starts a local one."
    )
    num_cpus: int = Field(8, gt=0, description="Logical CPUs of a local Ray head started by `daas up`.")
    host: str = Field("127.0.0.1", description="Address the HTTP ingress binds to.")
    port: int = Field(8000, gt=0, lt=65536, description="Port of the HTTP ingress.")
    inspect_timeout_s: float = Field(
        60.0, gt=0, description="Time limit for loading an uploaded model in an isolated worker."
    )
    predict_timeout_s: float = Field(60.0, gt=0, description="Time limit for a test prediction.")
    loaded_models_cache: int = Field(
        16, ge=1, description="How many loaded models a test worker keeps in memory."
    )
    platform_replicas: int = Field(1, ge=1, description="Replicas of the management API.")
    platform_max_ongoing_requests: int = Field(
        100, ge=1, le=10_000,
        description="Calls one management API replica handles at once; more wait. Serve's "
                    "default of 5 let five slow uploads or imports hold the whole API.",
    )
    instance_presets: dict[str, dict[str, Any]] = Field(
        default_factory=lambda: {
            "small": {"num_cpus": 0.5, "memory": "512Mi"},
            "medium": {"num_cpus": 1, "memory": "1Gi"},
            "large": {"num_cpus": 2, "memory": "4Gi"},
        },
        description="Named deploy-form shortcuts (JSON in DAAS_INSTANCE_PRESETS).",
    )
    reconcile_interval_s: float = Field(
        5.0, gt=0, description="How often services are reconciled with Ray Serve."
    )
    paused_grace_s: float = Field(
        5.0, ge=0, le=600,
        description="How long the replicas of a paused or deleted service keep answering 503 "
                    "before they are removed (Serve handles to a removed service wait instead).",
    )
    async_request_ttl_s: float = Field(
        24 * 3600, gt=0, description="How long finished async requests are kept."
    )
    dashboard_url: str | None = Field(
        "http://127.0.0.1:8265", description="Ray dashboard shown to users (None hides the link)."
    )
    metrics_export_port: int = Field(
        8080, gt=0, lt=65536, description="Port of Ray's Prometheus metrics on a head `daas up` starts."
    )
    ui_dir: Path | None = Field(
        None, description="Built web UI to serve at / (default: ui/dist beside the package)."
    )
    ha_proxy: bool = Field(
        True, description="Start the local Ray head with Serve's HAProxy ingress (faster)."
    )
    code_execution_role: str = Field(
        "admin", pattern="^(editor|admin)$",
        description="Least role that may create, change, run and read script jobs (user code): "
        "admin or editor.",
    )

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value is None:
            return value
        return normalized_database_url(value)

    @field_validator("storage_uri")
    @classmethod
    def _no_credentials_in_storage_uri(cls, value: str | None) -> str | None:
        # The URI reaches generated scripts and job configs that viewers read.
        if value is None:
            return value
        parts = urlsplit(value)
        named = sorted(_CREDENTIAL_PARAMETERS & {key.lower() for key in parse_qs(parts.query)})
        if "@" in parts.netloc or named:
            where = f"the parameters {', '.join(named)}" if named else "user:password@"
            raise ValueError(f"the storage URI carries credentials ({where}), which would be shown "
                             "in generated job scripts: give them in AWS_ACCESS_KEY_ID and "
                             "AWS_SECRET_ACCESS_KEY (or the store's own variables) instead")
        if parts.scheme == "s3":
            if not parts.netloc:
                raise ValueError("an s3:// storage URI names a bucket: s3://bucket/prefix")
            if parts.query:
                raise ValueError("an s3:// storage URI takes no parameters: give the endpoint in "
                                 "DAAS_S3_ENDPOINT_URL and the region in DAAS_S3_REGION")
        return value

    @field_validator("s3_endpoint_url")
    @classmethod
    def _endpoint_is_a_url(cls, value: str | None) -> str | None:
        if value is not None and (urlsplit(value).scheme not in ("http", "https")
                                  or not urlsplit(value).netloc):
            raise ValueError("must be an http:// or https:// URL, e.g. http://127.0.0.1:9000")
        return value

    @property
    def resolved_ui_dir(self) -> Path:
        """Where the built web UI lives."""
        return self.ui_dir or Path(__file__).resolve().parents[1] / "ui" / "dist"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.home / 'daas.db'}"

    @property
    def resolved_storage_uri(self) -> str:
        """The storage URI, defaulting to a folder in the data dir."""
        return self.storage_uri or str(self.home / "storage")

    @property
    def admin_token_path(self) -> Path:
        """File holding the first admin token (mode 0600)."""
        return self.home / "admin-token"

    @property
    def url(self) -> str:
        """Base URL of the HTTP ingress as seen from this machine."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, built once per process."""
    return Settings()
