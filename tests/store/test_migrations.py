"""Alembic migrations create exactly the tables the SQLModel classes describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import daas.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from daas.store.db import Database
from daas.store.migrate import upgrade


def test_migrations_match_the_models(tmp_path):
    db = Database.connect(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(db)
    upgrade(db)  # idempotent
    with db.writer.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert [d for d in diff if d[0] != "remove_table"] == []
