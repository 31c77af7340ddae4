"""Database engines and sessions.

Every write transaction holds the database's one write lock from its start, so a read inside
it sees every earlier write and no other writer can act on what it read (next version
numbers, unique names, job-run claims, request hand-overs). SQLite gets this from WAL, a busy
timeout and ``BEGIN IMMEDIATE``. PostgreSQL has no such lock: each write transaction first
takes one transaction-scoped advisory lock, which it releases at commit or rollback. Since it
is the only lock a writer waits for before its first statement, writers queue and never
deadlock. Reads use a separate engine with ordinary transactions and never wait.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field
from sqlalchemy import URL, Engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from daas.errors import Unavailable
from daas.settings import redacted_url
from daas.store.private_files import private_file

_SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How long a PostgreSQL writer waits for the write lock before failing (as SQLite's busy
#: timeout), and the key of that advisory lock (any fixed 64-bit number; "daas" in ASCII).
_POSTGRES_LOCK_TIMEOUT = "30s"
WRITE_LOCK_KEY = 0x64616173

#: The largest value an INTEGER column holds on every supported database (PostgreSQL's is
#: 32-bit, SQLite's 64-bit): ids, versions and offsets a caller sends stay within it.
MAX_DB_INT = 2**31 - 1
#: A model version number in a request body: 1 to ``MAX_DB_INT`` (422 beyond, not a 500).
VersionNumber = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: str, *, write_lock: bool, connect_timeout_s: int) -> Engine:
    # Sessions in UTC, as SQLite's timestamps are: a migration or query that turns a timestamp
    # into a date or text must not see the server's own zone.
    engine = create_engine(url, pool_pre_ping=True, connect_args={
        "options": "-c timezone=UTC", "connect_timeout": connect_timeout_s})
    if write_lock:
        @event.listens_for(engine, "begin")
        def _on_begin(connection) -> None:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{_POSTGRES_LOCK_TIMEOUT}'")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


def without_password(url: str, home: Path) -> tuple[str, dict[str, str]]:
    """``url`` for a child process whose environment Ray logs (a job driver's runtime env):
    a PostgreSQL password moves to a libpq password file in ``home`` (mode 0600), named by
    the returned ``PGPASSFILE`` variable. Other URLs come back as they are."""
    parsed = make_url(url)
    if not url.startswith("postgresql") or parsed.password is None:
        return url, {}
    escaped = str(parsed.password).replace("\\", "\\\\").replace(":", "\\:")
    line, path = f"*:*:*:*:{escaped}\n", home / "database-password"
    if not path.exists() or path.read_text(encoding="utf-8") != line:
        # Replaced whole, never rewritten in place: a driver starting now reads all or nothing.
        staging = private_file(home / f".database-password.{os.getpid()}")
        staging.write_text(line, encoding="utf-8")
        os.replace(staging, path)
    bare = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port,
                      parsed.database, parsed.query)
    return bare.render_as_string(hide_password=False), {"PGPASSFILE": str(path)}


class DatabaseUnreachable(Unavailable):
    """The database of ``DAAS_DATABASE_URL`` refused or did not answer."""


@dataclass
class Database:
    """A read engine and a write engine over the same database."""

    url: str
    reader: Engine
    writer: Engine

    @classmethod
    def connect(cls, url: str, *, connect_timeout_s: int = 10) -> Database:
        """Open engines for ``url``; creates the folder of a SQLite file, and the file with
        mode 0600 (SQLite gives its WAL files the same mode)."""
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            private_file(path)
        if url.startswith("sqlite"):
            return cls(url, _sqlite_engine(url, immediate=False), _sqlite_engine(url, immediate=True))
        if url.startswith("postgresql"):
            return cls(url,
                       _postgres_engine(url, write_lock=False, connect_timeout_s=connect_timeout_s),
                       _postgres_engine(url, write_lock=True, connect_timeout_s=connect_timeout_s))
        engine = create_engine(url, pool_pre_ping=True)
        return cls(url, engine, engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads."""
        with Session(self.reader, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction holds the write lock from its start; commits on exit."""
        with Session(self.writer, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def check_reachable(self) -> None:
        """Connect and run ``SELECT 1``; ``DatabaseUnreachable`` names the setting and the
        server's reason, never the password."""
        try:
            with self.reader.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            password = make_url(self.url).password
            if password:
                reason = reason.replace(str(password), "***")
            raise DatabaseUnreachable(
                f"cannot use the database in DAAS_DATABASE_URL ({redacted_url(self.url)}): "
                f"{reason}") from None

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.reader.dispose()
        self.writer.dispose()
