"""A commerce record read from a JSON file: customers with their orders.

The first implementation of `ports.CommerceRecord`; good for demos, tests and
`warmline decide`. Shape: {"customers": [{"ref", "lifetime_value", "currency", "tags",
"orders": [{"id", "total", "currency", "status", "placed_at", "dispatched_at",
"delivered_at"}]}]}. Dates are ISO 8601; a relative form "-45d" means 45 days before now.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from warmline.domain.record.commerce import Customer, CustomerRecord, Order
from warmline.domain.record.facts import CustomerFacts, OrderFacts

_RELATIVE = re.compile(r"^-(\d+)d$")


class StaticCommerceRecord:
    def __init__(self, customers: dict[str, CustomerFacts] | None = None) -> None:
        self._customers = customers or {}

    @classmethod
    def from_json(cls, data: dict[str, Any], now: datetime | None = None) -> StaticCommerceRecord:
        now = now or datetime.now(UTC)
        customers = {}
        for i, c in enumerate(data.get("customers", [])):
            try:
                orders = tuple(_order(o, now) for o in c.get("orders", []))
                customers[c["ref"]] = CustomerFacts(
                    ref=c["ref"], lifetime_value=float(c.get("lifetime_value", 0)),
                    currency=c.get("currency", "EUR"), tags=tuple(c.get("tags", [])),
                    orders=orders)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"customers[{i}]: {exc}") from exc
        return cls(customers)

    @classmethod
    def from_file(cls, path: Path, now: datetime | None = None) -> StaticCommerceRecord:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")), now)

    def customer_facts(self, customer_ref: str) -> CustomerFacts | None:
        return self._customers.get(customer_ref)

    def customer_record(self, customer_ref: str) -> CustomerRecord | None:
        """The facts as a record: this file knows customers and orders, nothing more."""
        facts = self._customers.get(customer_ref)
        if facts is None:
            return None
        return CustomerRecord(
            customer=Customer(ref=facts.ref, tags=facts.tags,
                              lifetime_value=facts.lifetime_value, currency=facts.currency),
            orders=tuple(Order(id=o.id, customer_ref=facts.ref, status=o.status,
                               total=o.total, currency=o.currency, placed_at=o.placed_at,
                               dispatched_at=o.dispatched_at, delivered_at=o.delivered_at)
                         for o in facts.orders))

    def find_customer(self, channel: str, contact_id: str) -> str | None:
        return None  # the file has no contact ids


def _when(value: str | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    m = _RELATIVE.match(value)
    if m:
        return now - timedelta(days=int(m.group(1)))
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _order(o: dict[str, Any], now: datetime) -> OrderFacts:
    return OrderFacts(id=str(o["id"]), total=float(o["total"]),
                      currency=o.get("currency", "EUR"), status=o.get("status", "placed"),
                      placed_at=_when(o.get("placed_at"), now),
                      dispatched_at=_when(o.get("dispatched_at"), now),
                      delivered_at=_when(o.get("delivered_at"), now))
