"""Users, groups, memberships and the audit log; every object belongs to a group.

Each existing token becomes a user named after it (``-2``, ``-3`` ... when names repeat) that
owns the token; every existing model, service, dataset, job and run moves to the group
``default``, where those users keep their powers: viewer -> read, editor -> change,
admin -> manage and platform admin. Their default group is ``default``, so the paths they
called before (no ``group`` parameter) reach the same objects.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import re
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PERMISSION_OF_ROLE = {"viewer": "read", "editor": "change", "admin": "manage"}
#: Tables whose names become unique per group instead of across the platform.
_NAMED_PER_GROUP = ("model", "dataset", "job")


def upgrade() -> None:
    _create_account_tables()
    connection = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    default_id = connection.execute(
        sa.text("INSERT INTO user_group (name, created, created_by) VALUES ('default', :now, 'migration')"
                " RETURNING id"), {"now": now}).scalar_one()
    _tokens_to_users(connection, default_id, now)
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer, nullable=False)
        batch.create_foreign_key("fk_api_token_user", "user_account", ["user_id"], ["id"])
        batch.create_index("ix_api_token_user_id", ["user_id"])
        batch.drop_column("role")
    for table in ("model", "dataset", "job", "service", "job_run"):
        op.add_column(table, sa.Column("group_id", sa.Integer, nullable=True))
        connection.execute(sa.text(f"UPDATE {table} SET group_id = :g"), {"g": default_id})
        with op.batch_alter_table(table) as batch:
            batch.alter_column("group_id", existing_type=sa.Integer, nullable=False)
            batch.create_foreign_key(f"fk_{table}_group", "user_group", ["group_id"], ["id"])
            batch.create_index(f"ix_{table}_group_id", ["group_id"])
            if table in _NAMED_PER_GROUP:
                batch.drop_index(f"ix_{table}_name")
                batch.create_index(f"ix_{table}_name", ["name"])
                batch.create_unique_constraint(f"uq_{table}_group_name", ["group_id", "name"])


def _create_account_tables() -> None:
    op.create_table(
        "user_group",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("personal_of", sa.Integer, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String, nullable=True),
    )
    op.create_index("ix_user_group_name", "user_group", ["name"], unique=True)
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("disabled", sa.DateTime, nullable=True),
        sa.Column("platform_admin", sa.Boolean, nullable=False),
        sa.Column("code_execution", sa.Boolean, nullable=False),
        sa.Column("default_group_id", sa.Integer, sa.ForeignKey("user_group.id"), nullable=True),
    )
    op.create_index("ix_user_account_name", "user_account", ["name"], unique=True)
    op.create_table(
        "group_member",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("group_id", sa.Integer, sa.ForeignKey("user_group.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("permission", sa.String(16), nullable=False),
        sa.Column("added", sa.DateTime, nullable=False),
        sa.Column("added_by", sa.String, nullable=True),
        sa.UniqueConstraint("group_id", "user_id", name="uq_group_member"),
    )
    op.create_index("ix_group_member_group_id", "group_member", ["group_id"])
    op.create_index("ix_group_member_user_id", "group_member", ["user_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("group_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("object_kind", sa.String(16), nullable=False),
        sa.Column("object_name", sa.String(128), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_event_created", "audit_event", ["created"])
    op.create_index("ix_audit_event_group_id", "audit_event", ["group_id"])
    op.add_column("api_token", sa.Column("user_id", sa.Integer, nullable=True))
    op.add_column("api_token", sa.Column("expires", sa.DateTime, nullable=True))


def _tokens_to_users(connection, default_id: int, now: datetime) -> None:
    """One user per token, a member of ``default`` with the token's role as a permission."""
    taken: set[str] = set()
    tokens = connection.execute(sa.text("SELECT id, name, role FROM api_token ORDER BY id")).all()
    for token_id, token_name, role in tokens:
        name = _unique_name(token_name, taken)
        user_id = connection.execute(
            sa.text("INSERT INTO user_account (name, created, platform_admin, code_execution,"
                    " default_group_id) VALUES (:name, :now, :admin, :admin, :g) RETURNING id"),
            {"name": name, "now": now, "admin": role == "admin", "g": default_id}).scalar_one()
        connection.execute(
            sa.text("INSERT INTO group_member (group_id, user_id, permission, added, added_by)"
                    " VALUES (:g, :u, :p, :now, 'migration')"),
            {"g": default_id, "u": user_id, "p": _PERMISSION_OF_ROLE.get(role, "read"), "now": now})
        connection.execute(sa.text("UPDATE api_token SET user_id = :u WHERE id = :t"),
                           {"u": user_id, "t": token_id})


def _unique_name(token_name: str, taken: set[str]) -> str:
    """A valid user name (letters, digits, '.', '_', '-') from a token's, unique among ``taken``."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", token_name).strip("-._").replace("..", ".") or "user"
    candidate, n = name[:64], 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = name[:64 - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def downgrade() -> None:
    raise NotImplementedError("users and groups cannot be folded back into role tokens")
