"""Alembic migrations create exactly the tables the SQLModel classes describe, on SQLite and
PostgreSQL, from an empty database and from every earlier revision."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import daas.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from daas.store.db import Database
from daas.store.migrate import alembic_config, upgrade
from tests.conftest import both_backends

pytestmark = both_backends

REVISIONS = [script.revision for script in
             reversed(list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()))]


def differences(db: Database) -> list:
    with db.writer.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    return [d for d in diff if d[0] != "remove_table"]


def test_migrations_match_the_models(empty_database_url):
    db = Database.connect(empty_database_url)
    upgrade(db)
    upgrade(db)  # idempotent
    assert differences(db) == []
    db.dispose()


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_a_database_at_an_earlier_revision_upgrades_to_the_models(empty_database_url, revision):
    db = Database.connect(empty_database_url)
    config = alembic_config(db.url)
    with db.writer.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    upgrade(db)
    assert differences(db) == []
    with db.read() as session:
        assert session.connection().exec_driver_sql(
            "SELECT version_num FROM alembic_version").scalar_one() == REVISIONS[-1]
    db.dispose()
