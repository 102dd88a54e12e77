"""The relational schema (SQLAlchemy Core), the single source the migrations must match.

Constraint names come from a naming convention so Alembic emits the same names on SQLite
and PostgreSQL; without it each backend invents its own and later migrations cannot
refer to constraints portably.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
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
    Index(None, "customer_ref"),  # a customer's past conversations (migration 0002)
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

# --- the commerce record (migration 0002) -------------------------------------------
# Money is NUMERIC(12, 2) in the row's currency; times are aware UTC. `updated_at` on a
# row is when Warmline last wrote it (imports upsert by primary key).
MONEY = Numeric(12, 2)

customers = Table(
    "customers",
    metadata,
    Column("ref", String(128), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("email", String(320), nullable=True),
    Column("language", String(16), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("lifetime_value", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per (channel, id on that channel): how a WhatsApp number finds its customer.
customer_contacts = Table(
    "customer_contacts",
    metadata,
    Column("channel", String(64), nullable=False),
    Column("contact_id", String(256), nullable=False),
    Column("customer_ref", String(128), ForeignKey("customers.ref"), nullable=False),
    PrimaryKeyConstraint("channel", "contact_id"),
    Index(None, "customer_ref"),
)

product_lines = Table(
    "product_lines",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("team", String(128), nullable=False),
    Column("warranty_days", Integer, nullable=True),
    Column("return_window_days", Integer, nullable=True),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(128), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("line_id", String(64), ForeignKey("product_lines.id"), nullable=False),
    Column("price", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_ref", String(128), ForeignKey("customers.ref"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=True),
    Column("dispatched_at", DateTime(timezone=True), nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("expected_at", DateTime(timezone=True), nullable=True),
    Column("carrier", String(64), nullable=True),
    Column("tracking_url", String(1024), nullable=True),
    Column("shipping_address", Text, nullable=True),
    Column("discount_code", String(64), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "customer_ref"),
)

# Order lines keep the sku without a foreign key: an imported order may name a product
# the catalogue no longer has, and the order must still be readable.
order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(64), ForeignKey("orders.id"), nullable=False),
    Column("line_no", Integer, nullable=False, autoincrement=False),
    Column("sku", String(128), nullable=False),
    Column("name", String(256), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", MONEY, nullable=False),
    PrimaryKeyConstraint("order_id", "line_no"),
)

# A cart is a short-lived snapshot of a checkout; its lines travel as JSON with it.
carts = Table(
    "carts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_ref", String(128), ForeignKey("customers.ref"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("payment_error", String(512), nullable=True),
    Column("lines", JSON, nullable=False),
    Index(None, "customer_ref"),
)

returns = Table(
    "returns",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", String(64), ForeignKey("orders.id"), nullable=False),
    Column("customer_ref", String(128), ForeignKey("customers.ref"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("reason", String(1024), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=True),
    Index(None, "customer_ref"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", String(64), ForeignKey("orders.id"), nullable=False),
    Column("customer_ref", String(128), ForeignKey("customers.ref"), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(32), nullable=False),
    Column("reason", String(1024), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=True),
    Index(None, "customer_ref"),
)

# Past conversations and handoffs from the brand's helpdesk before Warmline; Warmline's
# own conversations are read from the event log instead of being copied here.
interactions = Table(
    "interactions",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("customer_ref", String(128), ForeignKey("customers.ref"), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("topic", String(64), nullable=False),
    Column("summary", Text, nullable=False),
    Column("order_id", String(64), nullable=True),
    Column("handed_off", Boolean, nullable=False),
    Column("outcome", String(256), nullable=False),
    Index(None, "customer_ref"),
)

COMMERCE_TABLES = (customers, customer_contacts, product_lines, products, orders, order_lines,
                   carts, returns, refunds, interactions)

# --- routing: the handoff queue and the people who take from it (migration 0003) -----
# `handoffs` is the queue: written by the handlers in the same transaction as the
# conversation's Handoff* events, claimed with FOR UPDATE SKIP LOCKED. No foreign key to
# conversations: the queue is a projection of the log, and keeping it free of one lets
# the log's tables be truncated or archived on their own.

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("conversation_id", String(128), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("rule", String(128), nullable=False),
    Column("language", String(16), nullable=True),
    Column("need_language", String(16), nullable=True),
    Column("agent_id", String(128), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("enqueued_at", DateTime(timezone=True), nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("waiting_since", DateTime(timezone=True), nullable=False),
    Column("available_at", DateTime(timezone=True), nullable=False),
    Column("step", Integer, nullable=False, server_default=text("0")),
    Column("alerted", Boolean, nullable=False, server_default=text("false")),
    Column("callback", Boolean, nullable=False, server_default=text("false")),
    Column("transfers", Integer, nullable=False, server_default=text("0")),
    Column("next_due_at", DateTime(timezone=True), nullable=True),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "conversation_id"),
    Index(None, "state"),
    Index(None, "next_due_at"),
)
# The claim order: highest priority first, first come within it. Only waiting rows are
# in it, so a claim reads the first entries (no sort, however many wait or were
# resolved); leases that ran out are put back first, through ix_handoffs_lease.
_queued = text("state = 'queued'")
Index("ix_handoffs_claim_order", handoffs.c.priority.desc(), handoffs.c.enqueued_at,
      handoffs.c.id, postgresql_where=_queued, sqlite_where=_queued)
_claimed = text("state = 'claimed'")
Index("ix_handoffs_lease", handoffs.c.lease_until, postgresql_where=_claimed,
      sqlite_where=_claimed)
Index("ix_handoffs_queue_resolved", handoffs.c.queue, handoffs.c.resolved_at)
# Who is busy with what: agent loads count only rows that occupy a slot.
_held = text("state IN ('claimed', 'assigned')")
Index("ix_handoffs_agent_held", handoffs.c.agent_id, postgresql_where=_held,
      sqlite_where=_held)

# People who take handoffs: skills and languages decide eligibility, capacity how many
# at once, presence whether they get any now.
agents = Table(
    "agents",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("skills", JSON, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("presence", String(16), nullable=False),
    Column("presence_since", DateTime(timezone=True), nullable=True),
    Column("last_assigned_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Messages owed to customers, by idempotency key (the OutboundRequested event's
# message_id): the sent log that stops a retry double-sending, and the retry queue
# (state pending/failed with next_attempt_at) that makes a failed send visible.
outbox = Table(
    "outbox",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("conversation_id", String(128), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("provider_message_id", String(256), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
)

# Who may sign in and which machines hold tokens (migration 0005). Only hashes are kept:
# scrypt for passwords, SHA-256 for API tokens and session cookies.
users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("agent_id", String(64), nullable=True),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("agent_id", String(64), nullable=True),
    Column("revoked", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_api_tokens_token_hash", "token_hash", unique=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_user_name", "user_name"),
)

# The web chat's threads as the widget reads them (migration 0006): shared
# by every `warmline serve` worker, so a line written by one is streamed by another.
webchat_sessions = Table(
    "webchat_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
)

webchat_feed = Table(
    "webchat_feed",
    metadata,
    Column("session_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("buttons", JSON, nullable=False),
    Column("author", String(200), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("session_id", "seq"),
)

__all__ = [
    "COMMERCE_TABLES",
    "NAMING_CONVENTION",
    "api_tokens",
    "carts",
    "conversations",
    "customer_contacts",
    "customers",
    "events",
    "inbound_messages",
    "interactions",
    "metadata",
    "order_lines",
    "orders",
    "outbox",
    "product_lines",
    "products",
    "refunds",
    "returns",
    "users",
    "web_sessions",
    "webchat_feed",
    "webchat_sessions",
]
