"""The relational schema (SQLAlchemy Core), the single source the migrations must match.

Constraint names come from a naming convention so Alembic emits the same names on SQLite
and PostgreSQL; without it each backend invents its own and later migrations cannot
refer to constraints portably.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    text,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# One row per conversation; `version` is the number of stored events and is the
# optimistic-concurrency token compared by every append.
conversations = Table(
    "conversations",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("customer_ref", String(128), nullable=True),
    Column("version", Integer, nullable=False, default=0, server_default=text("0")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "updated_at"),  # list_ids orders by recency
)

# The append-only log; seq is 1-based, so after event n the conversation's version is n.
events = Table(
    "events",
    metadata,
    Column("conversation_id", String(128), ForeignKey("conversations.id"), nullable=False),
    Column("seq", Integer, nullable=False, autoincrement=False),
    Column("type", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("conversation_id", "seq"),
)

# Idempotency guard: one row per (channel, external message id) ever handled.
inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("channel", String(64), nullable=False),
    Column("message_id", String(256), nullable=False),
    Column("conversation_id", String(128), nullable=False),
    Column("turn", Integer, nullable=False),
    PrimaryKeyConstraint("channel", "message_id"),
)

__all__ = ["NAMING_CONVENTION", "conversations", "events", "inbound_messages", "metadata"]
