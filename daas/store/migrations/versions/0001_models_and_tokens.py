"""Models, model versions and API tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("description", sa.String, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String, nullable=True),
    )
    op.create_index("ix_model_name", "model", ["name"], unique=True)
    op.create_table(
        "model_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("model.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("description", sa.String, nullable=True),
        sa.Column("format", sa.String, nullable=False),
        sa.Column("engine", sa.String, nullable=False),
        sa.Column("algorithm", sa.String, nullable=False),
        sa.Column("task", sa.String, nullable=False),
        sa.Column("schema", sa.JSON, nullable=False),
        sa.Column("filename", sa.String, nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String, nullable=True),
        sa.UniqueConstraint("model_id", "version", name="uq_model_version"),
    )
    op.create_index("ix_model_version_model_id", "model_version", ["model_id"])
    op.create_index("ix_model_version_sha256", "model_version", ["sha256"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String, nullable=True),
        sa.Column("last_used", sa.DateTime, nullable=True),
        sa.Column("revoked", sa.DateTime, nullable=True),
    )
    op.create_index("ix_api_token_token_hash", "api_token", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_table("api_token")
    op.drop_table("model_version")
    op.drop_table("model")
