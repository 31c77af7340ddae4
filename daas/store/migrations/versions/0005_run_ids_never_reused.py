"""Run ids are never reused: ``job_run`` on SQLite gets AUTOINCREMENT.

A run id names things outside the database (the Ray job ``daas-<job>-<run id>``, the storage
prefix ``runs/<run id>``). Without AUTOINCREMENT SQLite hands the id of a deleted newest run
to the next one, and Ray refuses a submission id it has seen. The table is copied (SQLite
cannot add AUTOINCREMENT in place); the sequence starts after the largest id it holds.
PostgreSQL sequences never go back: nothing to do there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _copy_job_runs(autoincrement=True)


def downgrade() -> None:
    _copy_job_runs(autoincrement=False)


def _copy_job_runs(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("job_run", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
