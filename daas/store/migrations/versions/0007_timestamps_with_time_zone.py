"""Timestamps carry their time zone on PostgreSQL, as the tables declare them (SQLModel's
``datetime`` columns are ``TIMESTAMP WITH TIME ZONE``). The values were written in UTC, so
each is read as UTC. SQLite keeps one storage class for both: nothing to do there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _timestamp_columns(with_zone: bool) -> list[tuple[str, str]]:
    inspector = sa.inspect(op.get_bind())
    return [(table, column["name"])
            for table in inspector.get_table_names() if table != "alembic_version"
            for column in inspector.get_columns(table)
            if isinstance(column["type"], sa.DateTime)
            and bool(column["type"].timezone) is with_zone]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _timestamp_columns(with_zone=False):
        op.alter_column(table, column, type_=sa.DateTime(timezone=True),
                        postgresql_using=f'"{column}" AT TIME ZONE \'UTC\'')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _timestamp_columns(with_zone=True):
        op.alter_column(table, column, type_=sa.DateTime(timezone=False),
                        postgresql_using=f'"{column}" AT TIME ZONE \'UTC\'')
