"""Database engines and sessions.

SQLite (the default) gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` for write
transactions, so concurrent writers queue instead of failing with "database is locked".
Reads use a separate engine with ordinary deferred transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from daas.store.private_files import private_file

_SQLITE_BUSY_TIMEOUT_MS = 30_000

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


@dataclass
class Database:
    """A read engine and a write engine over the same database."""

    url: str
    reader: Engine
    writer: Engine

    @classmethod
    def connect(cls, url: str) -> Database:
        """Open engines for ``url``; creates the folder of a SQLite file, and the file with
        mode 0600 (SQLite gives its WAL files the same mode)."""
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            private_file(path)
        if url.startswith("sqlite"):
            return cls(url, _sqlite_engine(url, immediate=False), _sqlite_engine(url, immediate=True))
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

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.reader.dispose()
        self.writer.dispose()
