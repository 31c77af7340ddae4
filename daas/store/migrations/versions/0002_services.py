"""Services, service events, async requests and traffic buckets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("model_name", sa.String(64), nullable=False),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("previous_version", sa.Integer, nullable=True),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("desired", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String, nullable=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String, nullable=True),
    )
    op.create_index("ix_service_name", "service", ["name"], unique=True)
    op.create_table(
        "service_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_name", sa.String(63), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=True),
        sa.Column("message", sa.String, nullable=False),
    )
    op.create_index("ix_service_event_service_name", "service_event", ["service_name"])
    op.create_index("ix_service_event_created", "service_event", ["created"])
    op.create_table(
        "async_request",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("service_name", sa.String(63), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("content_type", sa.String, nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("started", sa.DateTime, nullable=True),
        sa.Column("finished", sa.DateTime, nullable=True),
        sa.Column("created_by", sa.String, nullable=True),
    )
    op.create_index("ix_async_request_service_name", "async_request", ["service_name"])
    op.create_index("ix_async_request_status", "async_request", ["status"])
    op.create_table(
        "service_traffic",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_name", sa.String(63), nullable=False),
        sa.Column("replica", sa.String(64), nullable=False),
        sa.Column("bucket", sa.DateTime, nullable=False),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("latency_ms_sum", sa.Float, nullable=False),
        sa.Column("histogram", sa.JSON, nullable=False),
        sa.UniqueConstraint("service_name", "replica", "bucket", name="uq_traffic_bucket"),
    )
    op.create_index("ix_service_traffic_service_name", "service_traffic", ["service_name"])
    op.create_index("ix_service_traffic_bucket", "service_traffic", ["bucket"])


def downgrade() -> None:
    op.drop_table("service_traffic")
    op.drop_table("async_request")
    op.drop_table("service_event")
    op.drop_table("service")
