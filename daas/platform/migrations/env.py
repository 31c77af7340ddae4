"""Alembic environment: runs on the connection handed over by ``daas.platform.migrate``."""

from alembic import context
from sqlmodel import SQLModel

import daas.platform.models  # noqa: F401  (registers the tables on SQLModel.metadata)
import daas.platform.batch_jobs.tables  # noqa: F401
import daas.platform.services.tables  # noqa: F401

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
