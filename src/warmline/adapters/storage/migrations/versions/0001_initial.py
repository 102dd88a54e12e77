"""Initial schema: conversations, their event log, and the inbound idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Hand-written to match schema.py exactly (names follow its naming convention);
tests/integration/test_migrations.py compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
    )
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_table(
        "events",
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name="fk_events_conversation_id_conversations"),
        sa.PrimaryKeyConstraint("conversation_id", "seq", name="pk_events"),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(256), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "message_id", name="pk_inbound_messages"),
    )


def downgrade() -> None:
    op.drop_table("inbound_messages")
    op.drop_table("events")
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    op.drop_table("conversations")
