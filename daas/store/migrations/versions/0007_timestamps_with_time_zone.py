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


def _retype_timestamps(with_zone: bool) -> None:
    """Every timestamp column of the other kind becomes ``with_zone``, its values read as UTC."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    inspector = sa.inspect(bind)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            kind, name = column["type"], column["name"]
            if isinstance(kind, sa.DateTime) and bool(kind.timezone) is not with_zone:
                op.alter_column(table, name, type_=sa.DateTime(timezone=with_zone),
                                postgresql_using=f'"{name}" AT TIME ZONE \'UTC\'')


def upgrade() -> None:
    _retype_timestamps(with_zone=True)


def downgrade() -> None:
    _retype_timestamps(with_zone=False)
