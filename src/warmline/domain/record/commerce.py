"""The commerce record: one customer's truth, read by the agent, the triggers and humans.

These are plain values. Adapters (SQL, memory, a JSON file, a live HTTP API) build a
`CustomerRecord` for one customer; the triggers see its narrow view (`facts()`), the
context package stores its `to_dict()` as the audit snapshot, and `diff_records`
compares that snapshot with the record as it is now, so whoever opens a handoff sees
what changed since it was packaged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warmline.domain.record.facts import CustomerFacts, OrderFacts

ORDER_STATUSES = ("placed", "paid", "dispatched", "delivered", "cancelled", "returned",
                  "refunded")
CART_STATUSES = ("open", "abandoned", "converted")
RETURN_STATUSES = ("requested", "approved", "received", "refunded", "rejected")
REFUND_STATUSES = ("pending", "issued", "declined")
FAULT_TOPICS = ("fault", "defect", "repair", "warranty")


@dataclass(frozen=True)
class Customer:
    ref: str
    name: str = ""
    email: str | None = None
    language: str = "en"
    tags: tuple[str, ...] = ()
    lifetime_value: float = 0.0
    currency: str = "EUR"
    contacts: tuple[tuple[str, str], ...] = ()  # (channel, id on that channel)
    created_at: datetime | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


@dataclass(frozen=True)
class ProductLine:
    id: str
    name: str
    team: str = ""  # who knows this line (routing)
    warranty_days: int | None = None  # overrides the policy's default when set
    return_window_days: int | None = None


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    line_id: str
    price: float
    currency: str = "EUR"


@dataclass(frozen=True)
class LineItem:
    """One line of an order or a cart."""

    sku: str
    name: str
    quantity: int = 1
    unit_price: float = 0.0
    line_id: str | None = None  # the product line, when the product is known


@dataclass(frozen=True)
class Order:
    id: str
    customer_ref: str
    status: str
    total: float
    currency: str = "EUR"
    placed_at: datetime | None = None
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None
    expected_at: datetime | None = None  # the delivery date promised at checkout
    carrier: str | None = None
    tracking_url: str | None = None
    shipping_address: str | None = None
    discount_code: str | None = None
    lines: tuple[LineItem, ...] = ()

    @property
    def dispatched(self) -> bool:
        return self.dispatched_at is not None or self.status in ("dispatched", "delivered")

    @property
    def items(self) -> str:
        """"Aurora Blender" or "Aurora Blender and 2 more", for sentences."""
        if not self.lines:
            return ""
        rest = len(self.lines) - 1
        return self.lines[0].name + (f" and {rest} more" if rest else "")


@dataclass(frozen=True)
class Cart:
    id: str
    customer_ref: str
    status: str
    total: float
    currency: str = "EUR"
    updated_at: datetime | None = None
    payment_error: str | None = None  # why the last checkout attempt failed
    lines: tuple[LineItem, ...] = ()


@dataclass(frozen=True)
class Return:
    id: str
    order_id: str
    customer_ref: str
    status: str
    reason: str = ""
    requested_at: datetime | None = None


@dataclass(frozen=True)
class Refund:
    id: str
    order_id: str
    customer_ref: str
    amount: float
    currency: str = "EUR"
    status: str = "issued"
    reason: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class Interaction:
    """A past conversation (from the helpdesk before Warmline, or a Warmline one)."""

    id: str
    customer_ref: str
    channel: str
    started_at: datetime | None = None
    topic: str = ""
    summary: str = ""
    order_id: str | None = None
    handed_off: bool = False
    outcome: str = ""


@dataclass(frozen=True)
class CustomerRecord:
    """Everything the brand knows of one customer, as read at `read_at`."""

    customer: Customer
    orders: tuple[Order, ...] = ()
    carts: tuple[Cart, ...] = ()
    returns: tuple[Return, ...] = ()
    refunds: tuple[Refund, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    product_lines: tuple[ProductLine, ...] = field(default=())
    read_at: datetime | None = None

    @property
    def ref(self) -> str:
        return self.customer.ref

    def order(self, order_id: str) -> Order | None:
        wanted = order_id.lstrip("#").lower()
        return next((o for o in self.orders if o.id.lstrip("#").lower() == wanted), None)

    def line(self, line_id: str | None) -> ProductLine | None:
        return next((pl for pl in self.product_lines if pl.id == line_id), None)

    def refunded(self, order_id: str) -> float:
        """Money already refunded on the order (issued or pending), in its currency."""
        return sum(r.amount for r in self.refunds
                   if r.order_id == order_id and r.status in ("issued", "pending"))

    def fault_reports(self, order_id: str) -> list[Interaction]:
        return [i for i in self.interactions
                if i.order_id == order_id and i.topic in FAULT_TOPICS]

    def open_cart(self) -> Cart | None:
        """The cart still in play (open or abandoned), newest first."""
        live = [c for c in self.carts if c.status in ("open", "abandoned")]
        return max(live, key=lambda c: c.updated_at or datetime.min) if live else None

    def facts(self) -> CustomerFacts:
        """The read-only view the triggers judge with."""
        return CustomerFacts(
            ref=self.customer.ref, lifetime_value=self.customer.lifetime_value,
            currency=self.customer.currency, tags=self.customer.tags,
            orders=tuple(self._order_facts(o) for o in self.orders),
            name=self.customer.name, language=self.customer.language)

    def _order_facts(self, o: Order) -> OrderFacts:
        main = max(o.lines, key=lambda li: li.unit_price * li.quantity, default=None)
        pl = self.line(main.line_id) if main else None
        return OrderFacts(
            id=o.id, total=o.total, currency=o.currency, status=o.status,
            placed_at=o.placed_at, dispatched_at=o.dispatched_at,
            delivered_at=o.delivered_at, expected_at=o.expected_at,
            refunded=self.refunded(o.id), tracking_url=o.tracking_url, carrier=o.carrier,
            discount_code=o.discount_code, items=o.items,
            product_line=pl.name if pl else None,
            warranty_days=pl.warranty_days if pl else None,
            return_window_days=pl.return_window_days if pl else None,
            fault_reports=len(self.fault_reports(o.id)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (ISO 8601 dates), the shape of the record API and the snapshot."""
        return _plain(self)  # type: ignore[no-any-return]


@dataclass
class RecordBatch:
    """Everything one import writes, in one transaction (parents before children)."""

    product_lines: list[ProductLine] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    carts: list[Cart] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)

    KINDS = ("product_lines", "products", "customers", "orders", "carts", "returns",
             "refunds", "interactions")

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in self.KINDS if getattr(self, k)}

    def extend(self, other: RecordBatch) -> None:
        for k in self.KINDS:
            getattr(self, k).extend(getattr(other, k))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        out = {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
        if isinstance(value, Customer):
            out["contacts"] = {ch: cid for ch, cid in value.contacts}
        return out
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


# --- what changed since the snapshot ------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One field that differs between the snapshot and the live record."""

    path: str  # e.g. "orders[1043].status"
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


#: How entities in each section are identified when comparing (lists of dicts).
_KEYS = {"orders": "id", "carts": "id", "returns": "id", "refunds": "id",
         "interactions": "id", "product_lines": "id", "lines": "sku"}
#: Bookkeeping that changes on every read and says nothing about the customer.
_IGNORED = frozenset({"read_at"})


def diff_records(before: Mapping[str, Any] | None,
                 after: Mapping[str, Any] | None) -> list[Change]:
    """Every field that differs, by stable path; added and removed entities included."""
    return list(_diff("", before or {}, after or {}))


def _diff(path: str, a: Any, b: Any) -> Iterator[Change]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in sorted(set(a) | set(b), key=str):
            if key in _IGNORED and not path:
                continue
            sub = f"{path}.{key}" if path else str(key)
            if key not in a:
                yield Change(sub, None, b[key])
            elif key not in b:
                yield Change(sub, a[key], None)
            else:
                yield from _diff(sub, a[key], b[key])
        return
    section = path.rsplit(".", 1)[-1]
    key = _KEYS.get(section)
    if isinstance(a, list) and isinstance(b, list) and key and _keyed(a, key) \
            and _keyed(b, key):
        old = {str(x[key]): x for x in a}
        new = {str(x[key]): x for x in b}
        for k in list(old) + [k for k in new if k not in old]:
            sub = f"{path}[{k}]"
            if k not in new:
                yield Change(sub, old[k], None)
            elif k not in old:
                yield Change(sub, None, new[k])
            else:
                yield from _diff(sub, old[k], new[k])
        return
    if a != b:
        yield Change(path, a, b)


def _keyed(items: list[Any], key: str) -> bool:
    return all(isinstance(x, Mapping) and key in x for x in items)


@dataclass(frozen=True)
class RowError:
    """One bad row: where it is (file, section, row or line number) and which field."""

    source: str
    section: str
    row: int  # 1-based: the Nth entry of a JSON section, or the line of a CSV file
    field: str
    message: str
    unit: str = "row"  # "row" (JSON) or "line" (CSV, the header is line 1)

    def __str__(self) -> str:
        where = f"{self.section} {self.unit} {self.row}" if self.section else \
            f"{self.unit} {self.row}"
        return f"{self.source}: {where}: {self.field}: {self.message}"
