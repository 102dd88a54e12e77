"""What the triggers may know of the commerce record: a read-only view.

The commerce record itself lives behind `ports.CommerceRecord`; the domain sees only
these plain values, read at the moment of judging.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrderFacts:
    id: str
    total: float
    currency: str
    status: str  # placed | paid | dispatched | delivered | cancelled | returned
    placed_at: datetime | None = None
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None

    @property
    def dispatched(self) -> bool:
        return self.dispatched_at is not None or self.status in ("dispatched", "delivered")


@dataclass(frozen=True)
class CustomerFacts:
    ref: str
    lifetime_value: float = 0.0
    currency: str = "EUR"
    tags: tuple[str, ...] = ()
    orders: tuple[OrderFacts, ...] = ()

    def order(self, order_id: str) -> OrderFacts | None:
        wanted = order_id.lstrip("#").lower()
        for o in self.orders:
            if o.id.lstrip("#").lower() == wanted:
                return o
        return None

    def latest_order(self) -> OrderFacts | None:
        dated = [o for o in self.orders if o.placed_at is not None]
        if dated:
            return max(dated, key=lambda o: o.placed_at or datetime.min)
        return self.orders[-1] if self.orders else None
