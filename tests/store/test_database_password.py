"""A PostgreSQL password leaves the URL a child process gets (Ray logs a job's environment)
and reaches it through a libpq password file, whatever characters it holds."""

from __future__ import annotations

import pytest
from sqlalchemy import URL

from daas.store.db import Database, DatabaseUnreachable, without_password

AWKWARD = r"p:a\ss@/w'rd"


def test_a_password_with_separators_reaches_the_server_through_the_file(
        postgres_server, tmp_path, monkeypatch):
    escaped = AWKWARD.replace("'", "''")
    postgres_server.execute(f"CREATE ROLE awkward LOGIN PASSWORD '{escaped}'")
    url = URL.create("postgresql+psycopg", "awkward", AWKWARD, "127.0.0.1", postgres_server.port,
                     "postgres").render_as_string(hide_password=False)
    try:
        bare, env = without_password(url, tmp_path)
        assert AWKWARD not in bare and "awkward@127.0.0.1" in bare and "%" not in bare
        assert (tmp_path / "database-password").stat().st_mode & 0o777 == 0o600
        monkeypatch.setenv("PGPASSFILE", env["PGPASSFILE"])
        db = Database.connect(bare)
        db.check_reachable()
        db.dispose()
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
        refused = Database.connect(bare)
        with pytest.raises(DatabaseUnreachable, match="DAAS_DATABASE_URL"):
            refused.check_reachable()
        refused.dispose()
    finally:
        postgres_server.execute("DROP ROLE awkward")


def test_a_url_without_a_password_and_sqlite_pass_unchanged(tmp_path):
    for url in ("sqlite:////srv/daas.db", "postgresql+psycopg://daas@db/daas"):
        assert without_password(url, tmp_path) == (url, {})
    assert not (tmp_path / "database-password").exists()
