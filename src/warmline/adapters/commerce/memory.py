"""In-memory twin of the record in the database: the same answers, no database.

For unit tests and one-shot runs. It passes the same contract suite as the SQL record
(tests/contract/test_commerce_record.py), including writes that land whole or not at all.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from warmline.domain.record.commerce import Customer, CustomerRecord, RecordBatch
from warmline.domain.record.facts import CustomerFacts

_KEYS = {"customers": "ref", "products": "sku"}


class MemoryCommerceRecord:
    """`CommerceRecord` and `RecordStore` kept in dictionaries."""

    def __init__(self, batch: RecordBatch | None = None) -> None:
        self.tables: dict[str, dict[str, Any]] = {k: {} for k in RecordBatch.KINDS}
        self._contacts: dict[tuple[str, str], str] = {}
        if batch is not None:
            self.write(batch)

    def write(self, batch: RecordBatch) -> dict[str, int]:
        tables = copy.copy(self.tables)  # publish all tables at once, or nothing
        for kind in RecordBatch.KINDS:
            key = _KEYS.get(kind, "id")
            tables[kind] = {**tables[kind],
                            **{getattr(x, key): x for x in getattr(batch, kind)}}
        missing = _dangling(tables)
        if missing:
            raise ValueError(f"unknown references: {', '.join(missing[:5])}")
        self._contacts = {ch_id: c.ref for c in tables["customers"].values()
                          if isinstance(c, Customer) for ch_id in c.contacts}
        self.tables = tables
        return batch.counts()

    def existing(self, kind: str, ids: Sequence[str]) -> set[str]:
        return set(ids) & set(self.tables[kind])

    def find_customer(self, channel: str, contact_id: str) -> str | None:
        found = self._contacts.get((channel.lower(), contact_id))
        return None if found is None else str(found)

    def customer_facts(self, customer_ref: str) -> CustomerFacts | None:
        record = self.customer_record(customer_ref)
        return record.facts() if record is not None else None

    def customer_record(self, customer_ref: str) -> CustomerRecord | None:
        customer = self.tables["customers"].get(customer_ref)
        if not isinstance(customer, Customer):
            return None

        def mine(kind: str) -> list[Any]:
            rows = [x for x in self.tables[kind].values()
                    if getattr(x, "customer_ref", None) == customer_ref]
            return sorted(rows, key=lambda x: (_stamp(x), getattr(x, "id", "")))

        products = self.tables["products"]
        orders = [replace(o, lines=tuple(
            replace(li, line_id=getattr(products.get(li.sku), "line_id", None))
            for li in o.lines)) for o in mine("orders")]
        used = {li.line_id for o in orders for li in o.lines if li.line_id}
        return CustomerRecord(
            customer=replace(customer, contacts=tuple(sorted(customer.contacts))),
            orders=tuple(orders),
            carts=tuple(mine("carts")), returns=tuple(mine("returns")),
            refunds=tuple(mine("refunds")),
            interactions=tuple(mine("interactions")),
            product_lines=tuple(pl for k, pl in sorted(self.tables["product_lines"].items())
                                if k in used),
            read_at=datetime.now(UTC))


def _stamp(x: object) -> float:
    for name in ("placed_at", "updated_at", "requested_at", "created_at", "started_at"):
        moment = getattr(x, name, None)
        if isinstance(moment, datetime):
            return moment.timestamp()
    return float("-inf")


def _dangling(tables: dict[str, dict[str, Any]]) -> list[str]:
    """References the SQL schema would refuse (its foreign keys), as "kind id -> ref"."""
    out = []
    for kind in ("orders", "carts", "returns", "refunds", "interactions"):
        for key, row in tables[kind].items():
            if getattr(row, "customer_ref", None) not in tables["customers"]:
                out.append(f"{kind} {key} -> customer {getattr(row, 'customer_ref', None)}")
    for kind in ("returns", "refunds"):
        for key, row in tables[kind].items():
            if getattr(row, "order_id", None) not in tables["orders"]:
                out.append(f"{kind} {key} -> order {getattr(row, 'order_id', None)}")
    for key, row in tables["products"].items():
        if getattr(row, "line_id", None) not in tables["product_lines"]:
            out.append(f"products {key} -> product line {getattr(row, 'line_id', None)}")
    return out
