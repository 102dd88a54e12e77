"""Orders and customers shaped like the Shopify Admin API (REST `orders.json`,
`customers.json`): `{"orders": [...]}`, `{"customers": [...]}` or both in one file.

Only the fields listed in docs/record.md are read; errors name the Shopify field
(`orders row 3: total_price: ...`). The order id is its `name` without "#" (what
customers quote: "#1043"), else `order_number`, else `id`; the customer ref is the
Shopify customer `id`. An order's embedded `customer` is imported too when the file
has no customers list. Refunds come from the order's `refunds[].transactions` of kind
`refund` and status `success`.
"""

from __future__ import annotations

from typing import Any

from warmline.adapters.commerce.codec import FieldError, Row, parse_time
from warmline.adapters.commerce.importers import Parsed, load_json
from warmline.domain.record.commerce import Customer, LineItem, Order, Refund


def parse(text: str, source: str) -> Parsed:
    parsed = Parsed(source)
    data = load_json(text, parsed)
    if data is None:
        return parsed
    if isinstance(data, dict) and "order" in data and "orders" not in data:
        data = {"orders": [data["order"]]}
    if not isinstance(data, dict) or not ({"orders", "customers"} & set(data)):
        parsed.error("", 1, "(file)", 'expected {"orders": [...]} and/or {"customers": [...]}'
                     " as the Shopify Admin API returns them")
        return parsed
    for section in ("customers", "orders"):
        if not isinstance(data.get(section, []), list):
            parsed.error(section, 1, section, "expected a list")
            data[section] = []
    for i, row in enumerate(data.get("customers", []), start=1):
        c = parsed.read("customers", i, row, customer)
        if c is not None:
            parsed.add("customers", c.ref, i, c)
    listed = {c.ref for c in parsed.batch.customers}
    for i, row in enumerate(data.get("orders", []), start=1):
        got = parsed.read("orders", i, row, order_with_refunds)
        if got is None:
            continue
        o, refunds, embedded = got
        parsed.add("orders", o.id, i, o)
        for r in refunds:
            parsed.add("refunds", r.id, i, r)
        if embedded is not None and embedded.ref not in listed:
            listed.add(embedded.ref)
            parsed.add("customers", embedded.ref, i, embedded)
    return parsed


def customer(r: Row) -> Customer:
    ref = r.req("id", 128)
    name = " ".join(p for p in (r.text("first_name"), r.text("last_name")) if p)
    contacts = tuple((ch, v) for ch, v in (("email", r.text("email", max_len=320)),
                                           ("phone", r.text("phone", max_len=64))) if v)
    locale = (r.text("locale", default="en") or "en").split("-")[0].lower()
    return Customer(ref=ref, name=name, email=r.text("email", max_len=320), language=locale,
                    tags=r.tags("tags"),
                    lifetime_value=r.money("total_spent", required=False),
                    currency=r.currency("currency"), contacts=contacts,
                    created_at=r.when("created_at"))


def _status(r: Row, fulfillments: list[Row]) -> str:
    financial = (r.text("financial_status") or "").lower()
    if r.text("cancelled_at"):
        return "cancelled"
    if financial == "refunded":
        return "refunded"
    if any((f.text("shipment_status") or "").lower() == "delivered" for f in fulfillments):
        return "delivered"
    if fulfillments or (r.text("fulfillment_status") or "") in ("fulfilled", "partial"):
        return "dispatched"
    if financial in ("paid", "partially_paid", "partially_refunded"):
        return "paid"
    return "placed"


def order_with_refunds(r: Row) -> tuple[Order, list[Refund], Customer | None]:
    order_id = (r.text("name") or "").lstrip("#") or r.text("order_number") or r.req("id")
    raw_customer = r.data.get("customer")
    embedded = customer(Row(raw_customer, "customer.")) if raw_customer else None
    if embedded is None:
        raise FieldError("customer", "required: the order's customer with its id")
    currency = r.currency("currency")
    fulfillments = [Row(f, f"fulfillments[{i}].")
                    for i, f in enumerate(_list(r, "fulfillments"))]
    first = fulfillments[0] if fulfillments else None
    delivered = None
    for f in fulfillments:
        if (f.text("shipment_status") or "").lower() == "delivered":
            delivered = f.when("delivered_at") or f.when("updated_at")
    urls = first.data.get("tracking_urls") if first else None
    tracking = (first.text("tracking_url") if first else None) or (
        urls[0] if isinstance(urls, list) and urls and isinstance(urls[0], str) else None)
    codes = _list(r, "discount_codes")
    code = Row(codes[0], "discount_codes[0].").text("code", max_len=64) if codes else None
    lines = tuple(_line(Row(li, f"line_items[{i}]."))
                  for i, li in enumerate(_list(r, "line_items")))
    o = Order(id=order_id, customer_ref=embedded.ref, status=_status(r, fulfillments),
              total=r.money("total_price"), currency=currency,
              placed_at=r.when("created_at") or r.when("processed_at"),
              dispatched_at=first.when("created_at") if first else None,
              delivered_at=delivered,
              expected_at=first.when("estimated_delivery_at") if first else None,
              carrier=first.text("tracking_company", max_len=64) if first else None,
              tracking_url=tracking, shipping_address=_address(r), discount_code=code,
              lines=lines)
    refunds = [_refund(Row(x, f"refunds[{i}]."), o, currency)
               for i, x in enumerate(_list(r, "refunds"))]
    return o, [x for x in refunds if x.amount > 0], embedded


def _list(r: Row, key: str) -> list[Any]:
    value = r.data.get(key)
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise FieldError(r.name(key), "expected a list")
    return value


def _line(r: Row) -> LineItem:
    sku = r.text("sku") or r.text("variant_id") or r.text("product_id") or r.req("id")
    return LineItem(sku=sku, name=r.req("title"),
                    quantity=r.integer("quantity", default=1, low=1) or 1,
                    unit_price=r.money("price", required=False))


def _refund(r: Row, o: Order, currency: str) -> Refund:
    amount = 0.0
    for i, tx in enumerate(_list(r, "transactions")):
        t = Row(tx, r.name(f"transactions[{i}]."))
        if (t.text("kind") or "") == "refund" and (t.text("status") or "success") == "success":
            amount += t.money("amount")
    created = r.data.get("created_at")
    return Refund(id=r.req("id", 64), order_id=o.id, customer_ref=o.customer_ref,
                  amount=round(amount, 2), currency=currency, status="issued",
                  reason=r.text("note", default="") or "",
                  created_at=parse_time(created, r.name("created_at")) if created else None)


def _address(r: Row) -> str | None:
    value = r.data.get("shipping_address")
    if not isinstance(value, dict):
        return None
    a = Row(value, "shipping_address.")
    parts = [a.text(k) for k in ("address1", "address2", "zip", "city", "country")]
    return ", ".join(p for p in parts if p) or None
