"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temporary cluster on a
free loopback port, one database per test made from a migrated template.

``initdb`` and ``postgres`` refuse to run as root, so under root they run as the ``postgres``
user the Debian package creates, in a folder made for it (pytest's ``tmp_path`` is 0700 under
root, out of that user's reach). fsync is off: the cluster lives only as long as the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.child_server import free_port

#: The superuser's password: connections over TCP authenticate with it (scram-sha-256).
PASSWORD = "daas-test-secret"
_START_TIMEOUT_S = 30


def binaries() -> Path | None:
    """The newest installed PostgreSQL ``bin`` folder, or None when none is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PostgresServer:
    """One running PostgreSQL cluster on 127.0.0.1."""

    folder: Path
    port: int
    process: subprocess.Popen
    user: str = "postgres"
    databases: list[str] = field(default_factory=list)

    @classmethod
    def start(cls) -> PostgresServer:
        """``initdb`` a cluster in a fresh folder and start it; fails clearly when PostgreSQL
        is not installed."""
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql "
                               "(make test installs it when missing)")
        folder = Path(tempfile.mkdtemp(prefix="daas-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        password_file = folder / "pw"
        password_file.write_text(PASSWORD)
        if os.geteuid() == 0:
            shutil.chown(password_file, "postgres", "postgres")
        user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        subprocess.run(_as_server_user([
            str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", user, "-E", "UTF8",
            "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
            f"--pwfile={password_file}", "--no-sync"]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port = free_port()
        process = subprocess.Popen(_as_server_user([
            str(bin_dir / "postgres"), "-D", str(folder / "data"), "-k", str(folder),
            "-p", str(port), "-F", "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=300", "-c", "full_page_writes=off",
            "-c", "synchronous_commit=off"]),
            stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "wb"))
        server = cls(folder, port, process, user)
        server._wait_until_ready()
        return server

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        """A SQLAlchemy URL (psycopg 3) for ``database``."""
        return f"postgresql+psycopg://{self.user}:{password}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run ``sql`` as the superuser outside a transaction (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(sql)

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); returns its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self.execute(f"CREATE DATABASE {name}{copy}")
        self.databases.append(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, closing any connection still open to it."""
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            try:
                psycopg.connect(self.url().replace("+psycopg", ""), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                    self.stop()
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                time.sleep(0.1)
