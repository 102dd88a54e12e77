"""Routing: the handoff queue (claimed with SKIP LOCKED, leased) and the agents table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Hand-written to match schema.py exactly (names follow its naming convention);
tests/integration/test_migrations.py compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUED = sa.text("state = 'queued'")
CLAIMED = sa.text("state = 'claimed'")
HELD = sa.text("state IN ('claimed', 'assigned')")


def _when(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("need_language", sa.String(16), nullable=True),
        sa.Column("agent_id", sa.String(128), nullable=True),
        _when("lease_until"),
        _when("enqueued_at", nullable=False),
        _when("queued_at", nullable=False),
        _when("waiting_since", nullable=False),
        _when("available_at", nullable=False),
        sa.Column("step", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("alerted", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("callback", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("transfers", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _when("next_due_at"),
        _when("accepted_at"),
        _when("resolved_at"),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_handoffs"),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_state", "handoffs", ["state"])
    op.create_index("ix_handoffs_next_due_at", "handoffs", ["next_due_at"])
    op.create_index("ix_handoffs_claim_order", "handoffs",
                    [sa.text("priority DESC"), "enqueued_at", "id"],
                    postgresql_where=QUEUED, sqlite_where=QUEUED)
    op.create_index("ix_handoffs_lease", "handoffs", ["lease_until"],
                    postgresql_where=CLAIMED, sqlite_where=CLAIMED)
    op.create_index("ix_handoffs_queue_resolved", "handoffs", ["queue", "resolved_at"])
    op.create_index("ix_handoffs_agent_held", "handoffs", ["agent_id"],
                    postgresql_where=HELD, sqlite_where=HELD)
    op.create_table(
        "agents",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("presence", sa.String(16), nullable=False),
        _when("presence_since"),
        _when("last_assigned_at"),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
    )


def downgrade() -> None:
    op.drop_table("agents")
    for name in ("agent_held", "queue_resolved", "lease", "claim_order", "next_due_at",
                 "state", "conversation_id"):
        op.drop_index(f"ix_handoffs_{name}", table_name="handoffs")
    op.drop_table("handoffs")
