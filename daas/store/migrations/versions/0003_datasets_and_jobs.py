"""Datasets, jobs and job runs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("origin_format", sa.String(16), nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("storage_key", sa.String, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("columns", sa.JSON, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String, nullable=True),
    )
    op.create_index("ix_dataset_name", "dataset", ["name"], unique=True)
    op.create_table(
        "job",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("schedule", sa.String, nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("allow_overlap", sa.Boolean, nullable=False),
        sa.Column("catch_up", sa.Boolean, nullable=False),
        sa.Column("next_run", sa.DateTime, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String, nullable=True),
    )
    op.create_index("ix_job_name", "job", ["name"], unique=True)
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_name", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("submission_id", sa.String(128), nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("started", sa.DateTime, nullable=True),
        sa.Column("ended", sa.DateTime, nullable=True),
        sa.Column("rows_done", sa.BigInteger, nullable=False),
        sa.Column("rows_total", sa.BigInteger, nullable=True),
        sa.Column("output_dataset", sa.String(64), nullable=True),
        sa.Column("output_key", sa.String, nullable=True),
        sa.Column("error", sa.String, nullable=True),
        sa.Column("metrics", sa.JSON, nullable=True),
        sa.Column("created_by", sa.String, nullable=True),
    )
    op.create_index("ix_job_run_job_name", "job_run", ["job_name"])
    op.create_index("ix_job_run_status", "job_run", ["status"])


def downgrade() -> None:
    op.drop_table("job_run")
    op.drop_table("job")
    op.drop_table("dataset")
