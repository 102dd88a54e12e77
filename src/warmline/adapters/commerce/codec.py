"""Reading record entities from JSON-like rows, naming the field when a value is wrong.

One codec for every way a record arrives: the JSON and CSV importers, the Shopify-shaped
importer (after mapping its fields) and the live HTTP commerce API. `FieldError` names
the field; the importers add the row number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from warmline.domain.record.commerce import (
    CART_STATUSES,
    ORDER_STATUSES,
    REFUND_STATUSES,
    RETURN_STATUSES,
    Cart,
    Customer,
    CustomerRecord,
    Interaction,
    LineItem,
    Order,
    Product,
    ProductLine,
    Refund,
    Return,
)

T = TypeVar("T")
CURRENCY = re.compile(r"^[A-Z]{3}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")


class FieldError(ValueError):
    """A value that cannot be read; `field` is its dotted name inside the row."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Row:
    """Typed access to one row; every reader raises FieldError naming the field."""

    def __init__(self, data: Any, prefix: str = "") -> None:
        if not isinstance(data, Mapping):
            raise FieldError(prefix.rstrip(".") or "row",
                             f"expected an object, got {type(data).__name__}")
        self.data, self.prefix = data, prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def _get(self, key: str) -> Any:
        value = self.data.get(key)
        return None if value == "" else value

    def text(self, key: str, *, required: bool = False, default: str | None = None,
             max_len: int = 1024) -> str | None:
        value = self._get(key)
        if value is None:
            if required:
                raise FieldError(self.name(key), "required")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise FieldError(self.name(key), f"expected text, got {value!r}")
        out = str(value).strip()
        if len(out) > max_len:
            raise FieldError(self.name(key), f"longer than {max_len} characters")
        return out

    def req(self, key: str, max_len: int = 256) -> str:
        value = self.text(key, required=True, max_len=max_len)
        assert value is not None
        return value

    def money(self, key: str, *, required: bool = True, default: float = 0.0) -> float:
        value = self._get(key)
        if value is None:
            if required:
                raise FieldError(self.name(key), "required")
            return default
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            raise FieldError(self.name(key), f"expected an amount ≥ 0, got {value!r}")
        return round(number, 2)

    def integer(self, key: str, *, default: int | None = None, low: int = 0) -> int | None:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise FieldError(self.name(key), f"expected a whole number ≥ {low}, got {value!r}")
        return value

    def when(self, key: str) -> datetime | None:
        value = self._get(key)
        if value is None:
            return None
        return parse_time(value, self.name(key))

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = (self.text(key, default=default) or "").lower()
        if value not in allowed:
            raise FieldError(self.name(key), f"expected one of {', '.join(allowed)}, "
                                             f"got {self._get(key)!r}")
        return value

    def currency(self, key: str = "currency", default: str = "EUR") -> str:
        value = (self.text(key, default=default) or default).upper()
        if not CURRENCY.match(value):
            raise FieldError(self.name(key), f"expected a 3-letter currency code, "
                                             f"got {self._get(key)!r}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
            return value.lower() in ("true", "yes", "1")
        raise FieldError(self.name(key), f"expected true or false, got {value!r}")

    def tags(self, key: str = "tags") -> tuple[str, ...]:
        value = self._get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(t.strip().lower() for t in value.split(",") if t.strip())
        if isinstance(value, list) and all(isinstance(t, str) for t in value):
            return tuple(t.strip().lower() for t in value if t.strip())
        raise FieldError(self.name(key), "expected a list of texts or comma-separated text")

    def items(self, key: str, parse: Callable[[Row], T]) -> tuple[T, ...]:
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise FieldError(self.name(key), "expected a list")
        return tuple(parse(Row(v, f"{self.name(key)}[{i}].")) for i, v in enumerate(value))


def parse_time(value: Any, field: str) -> datetime:
    """ISO 8601 date or date-time; a time without an offset is taken as UTC."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                d = date.fromisoformat(value.strip())
            except ValueError:
                raise FieldError(field, f"expected an ISO 8601 date, got {value!r}") from None
            parsed = datetime(d.year, d.month, d.day)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise FieldError(field, f"expected an ISO 8601 date, got {value!r}")


def customer(r: Row) -> Customer:
    language = (r.text("language", default="en") or "en").lower()
    if not LANGUAGE.match(language):
        raise FieldError(r.name("language"), f"expected a language code such as en or de, "
                                             f"got {language!r}")
    return Customer(ref=r.req("ref", 128), name=r.text("name", default="") or "",
                    email=r.text("email", max_len=320), language=language, tags=r.tags(),
                    lifetime_value=r.money("lifetime_value", required=False),
                    currency=r.currency(), contacts=contacts(r), created_at=r.when("created_at"))


def contacts(r: Row) -> tuple[tuple[str, str], ...]:
    value = r.data.get("contacts")
    if value in (None, ""):
        return ()
    if not isinstance(value, Mapping):
        raise FieldError(r.name("contacts"), "expected an object of channel: id")
    out = []
    for channel, cid in value.items():
        if not isinstance(cid, (str, int)) or isinstance(cid, bool) or not str(cid).strip():
            raise FieldError(r.name(f"contacts.{channel}"), f"expected an id, got {cid!r}")
        out.append((str(channel).lower(), str(cid).strip()))
    return tuple(out)


def product_line(r: Row) -> ProductLine:
    return ProductLine(id=r.req("id", 64), name=r.req("name"),
                       team=r.text("team", default="") or "",
                       warranty_days=r.integer("warranty_days"),
                       return_window_days=r.integer("return_window_days"))


def product(r: Row) -> Product:
    return Product(sku=r.req("sku", 128), name=r.req("name"), line_id=r.req("line_id", 64),
                   price=r.money("price"), currency=r.currency())


def line_item(r: Row) -> LineItem:
    return LineItem(sku=r.req("sku", 128), name=r.req("name"),
                    quantity=r.integer("quantity", default=1, low=1) or 1,
                    unit_price=r.money("unit_price", required=False),
                    line_id=r.text("line_id", max_len=64))


def order(r: Row) -> Order:
    return Order(id=r.req("id", 64).lstrip("#"), customer_ref=r.req("customer_ref", 128),
                 status=r.choice("status", ORDER_STATUSES), total=r.money("total"),
                 currency=r.currency(), placed_at=r.when("placed_at"),
                 dispatched_at=r.when("dispatched_at"), delivered_at=r.when("delivered_at"),
                 expected_at=r.when("expected_at"), carrier=r.text("carrier", max_len=64),
                 tracking_url=r.text("tracking_url"),
                 shipping_address=r.text("shipping_address", max_len=4000),
                 discount_code=r.text("discount_code", max_len=64),
                 lines=r.items("lines", line_item))


def cart(r: Row) -> Cart:
    return Cart(id=r.req("id", 64), customer_ref=r.req("customer_ref", 128),
                status=r.choice("status", CART_STATUSES, "open"), total=r.money("total"),
                currency=r.currency(), updated_at=r.when("updated_at"),
                payment_error=r.text("payment_error", max_len=512),
                lines=r.items("lines", line_item))


def return_(r: Row) -> Return:
    return Return(id=r.req("id", 64), order_id=r.req("order_id", 64).lstrip("#"),
                  customer_ref=r.req("customer_ref", 128),
                  status=r.choice("status", RETURN_STATUSES, "requested"),
                  reason=r.text("reason", default="") or "",
                  requested_at=r.when("requested_at"))


def refund(r: Row) -> Refund:
    return Refund(id=r.req("id", 64), order_id=r.req("order_id", 64).lstrip("#"),
                  customer_ref=r.req("customer_ref", 128), amount=r.money("amount"),
                  currency=r.currency(), status=r.choice("status", REFUND_STATUSES, "issued"),
                  reason=r.text("reason", default="") or "", created_at=r.when("created_at"))


def interaction(r: Row) -> Interaction:
    order_id = r.text("order_id", max_len=64)
    return Interaction(id=r.req("id", 128), customer_ref=r.req("customer_ref", 128),
                       channel=r.text("channel", default="email") or "email",
                       started_at=r.when("started_at"), topic=r.text("topic", default="") or "",
                       summary=r.text("summary", default="", max_len=4000) or "",
                       order_id=order_id.lstrip("#") if order_id else None,
                       handed_off=r.flag("handed_off"),
                       outcome=r.text("outcome", default="") or "")


def customer_record(data: Any, read_at: datetime | None = None) -> CustomerRecord:
    """One customer with everything about them (the record API's answer)."""
    r = Row(data)
    if "customer" not in r.data:
        raise FieldError("customer", "required")
    return CustomerRecord(
        customer=customer(Row(r.data["customer"], "customer.")),
        orders=r.items("orders", order), carts=r.items("carts", cart),
        returns=r.items("returns", return_), refunds=r.items("refunds", refund),
        interactions=r.items("interactions", interaction),
        product_lines=r.items("product_lines", product_line), read_at=read_at)


PARSERS: dict[str, Callable[[Row], Any]] = {
    "product_lines": product_line, "products": product, "customers": customer,
    "orders": order, "carts": cart, "returns": return_, "refunds": refund,
    "interactions": interaction,
}
