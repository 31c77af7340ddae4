"""Bring the database schema to the newest Alembic revision."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from daas.store.db import Database

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config for the platform's migrations (also usable with alembic's CLI API)."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database) -> None:
    """Apply pending migrations inside one write transaction (safe with several replicas)."""
    config = alembic_config(db.url)
    with db.writer.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
