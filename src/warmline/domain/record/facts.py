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
    expected_at: datetime | None = None  # delivery date promised at checkout
    refunded: float = 0.0  # already refunded (issued or pending), in `currency`
    tracking_url: str | None = None
    carrier: str | None = None
    discount_code: str | None = None
    items: str = ""  # "Aurora Blender and 1 more"
    product_line: str | None = None
    warranty_days: int | None = None  # from the product line; None: the policy's
    return_window_days: int | None = None  # from the product line; None: the policy's
    fault_reports: int = 0  # earlier fault reports on this order in the record

    @property
    def outstanding(self) -> float:
        """What could still be refunded: the total less what was already refunded."""
        return max(self.total - self.refunded, 0.0)

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
    name: str = ""
    language: str = "en"

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
