"""The commerce record: customers and their contacts, product lines, products, orders
with lines, carts, returns, refunds and past interactions; and an index to find a
customer's conversations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Hand-written to match schema.py exactly (names follow its naming convention);
tests/integration/test_migrations.py compares the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(12, 2)


def _when(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _customer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["customer_ref"], ["customers.ref"],
                                   name=f"fk_{table}_customer_ref_customers")


def _order_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                   name=f"fk_{table}_order_id_orders")


def upgrade() -> None:
    op.create_index("ix_conversations_customer_ref", "conversations", ["customer_ref"])
    op.create_table(
        "customers",
        sa.Column("ref", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("lifetime_value", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _when("created_at"),
        _when("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("ref", name="pk_customers"),
    )
    op.create_table(
        "customer_contacts",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.String(256), nullable=False),
        sa.Column("customer_ref", sa.String(128), nullable=False),
        _customer_fk("customer_contacts"),
        sa.PrimaryKeyConstraint("channel", "contact_id", name="pk_customer_contacts"),
    )
    op.create_index("ix_customer_contacts_customer_ref", "customer_contacts",
                    ["customer_ref"])
    op.create_table(
        "product_lines",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("warranty_days", sa.Integer(), nullable=True),
        sa.Column("return_window_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_product_lines"),
    )
    op.create_table(
        "products",
        sa.Column("sku", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["product_lines.id"],
                                name="fk_products_line_id_product_lines"),
        sa.PrimaryKeyConstraint("sku", name="pk_products"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _when("placed_at"), _when("dispatched_at"), _when("delivered_at"),
        _when("expected_at"),
        sa.Column("carrier", sa.String(64), nullable=True),
        sa.Column("tracking_url", sa.String(1024), nullable=True),
        sa.Column("shipping_address", sa.Text(), nullable=True),
        sa.Column("discount_code", sa.String(64), nullable=True),
        _when("updated_at", nullable=False),
        _customer_fk("orders"),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    op.create_index("ix_orders_customer_ref", "orders", ["customer_ref"])
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("sku", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        _order_fk("order_lines"),
        sa.PrimaryKeyConstraint("order_id", "line_no", name="pk_order_lines"),
    )
    op.create_table(
        "carts",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _when("updated_at"),
        sa.Column("payment_error", sa.String(512), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        _customer_fk("carts"),
        sa.PrimaryKeyConstraint("id", name="pk_carts"),
    )
    op.create_index("ix_carts_customer_ref", "carts", ["customer_ref"])
    op.create_table(
        "returns",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(128), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(1024), nullable=False),
        _when("requested_at"),
        _order_fk("returns"),
        _customer_fk("returns"),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
    )
    op.create_index("ix_returns_customer_ref", "returns", ["customer_ref"])
    op.create_table(
        "refunds",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("customer_ref", sa.String(128), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(1024), nullable=False),
        _when("created_at"),
        _order_fk("refunds"),
        _customer_fk("refunds"),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
    )
    op.create_index("ix_refunds_customer_ref", "refunds", ["customer_ref"])
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("customer_ref", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        _when("started_at"),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("handed_off", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(256), nullable=False),
        _customer_fk("interactions"),
        sa.PrimaryKeyConstraint("id", name="pk_interactions"),
    )
    op.create_index("ix_interactions_customer_ref", "interactions", ["customer_ref"])


def downgrade() -> None:
    for table in ("interactions", "refunds", "returns", "carts"):
        op.drop_index(f"ix_{table}_customer_ref", table_name=table)
        op.drop_table(table)
    op.drop_table("order_lines")
    op.drop_index("ix_orders_customer_ref", table_name="orders")
    op.drop_table("orders")
    op.drop_table("products")
    op.drop_table("product_lines")
    op.drop_index("ix_customer_contacts_customer_ref", table_name="customer_contacts")
    op.drop_table("customer_contacts")
    op.drop_table("customers")
    op.drop_index("ix_conversations_customer_ref", table_name="conversations")
