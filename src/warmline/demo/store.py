"""Generate the Hearthwell demo store: deterministic for a given day.

`build(now)` returns the whole record as a `RecordBatch`: 300 generated customers with
orders in every state (placed, paid, dispatched, delivered, cancelled, returned,
refunded), carts (some abandoned after a payment error), returns, refunds and past
helpdesk conversations — plus the hand-written customers the scenarios are about
(`stories.py`). Dates are relative to `today`, so return windows and late deliveries
mean the same thing whenever the demo runs; the same `now` always gives the same store
(`warmline demo-store --today 2026-11-25` builds it as of noon UTC that day).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from warmline.demo.catalogue import (
    CARRIERS,
    FIRST,
    LAST,
    PAST_TOPICS,
    PAYMENT_ERRORS,
    PHONE_PREFIX,
    PRODUCT_LINES,
    PRODUCTS,
)
from warmline.demo.stories import stories
from warmline.domain.record.commerce import (
    Cart,
    Customer,
    Interaction,
    LineItem,
    Order,
    RecordBatch,
    Refund,
    Return,
)

SEED = 20261125
CUSTOMERS = 300
SHIPPING = 4.95


def build(now: datetime | None = None, customers: int = CUSTOMERS) -> RecordBatch:
    """The demo store as of `now` (default: this moment); the same `now`, the same store."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    rng = random.Random(SEED)
    batch = RecordBatch(product_lines=list(PRODUCT_LINES), products=list(PRODUCTS))
    next_order = 10001
    for n in range(1, customers + 1):
        made, next_order = _customer(rng, n, now, next_order)
        batch.extend(made)
    batch.extend(stories(now))
    return batch


def _ago(now: datetime, days: float) -> datetime:
    return (now - timedelta(days=days)).replace(microsecond=0)


def _customer(rng: random.Random, n: int, now: datetime,
              next_order: int) -> tuple[RecordBatch, int]:
    lang = rng.choice(list(FIRST))
    first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
    ref = f"cust-{n:04d}"
    email = f"{first}.{last}.{n}@example.com".lower().replace(" ", "")
    contacts = [("email", email)]
    if rng.random() < 0.7:
        contacts.append(("whatsapp", f"{PHONE_PREFIX[lang]}{rng.randrange(10**6, 10**7)}"))
    if rng.random() < 0.3:
        contacts.append(("web", f"visitor-{rng.randrange(10**5, 10**6)}"))
    since = rng.uniform(10, 1400)
    batch = RecordBatch()
    orders: list[Order] = []
    for _ in range(rng.choices([0, 1, 2, 3, 4, 6], [5, 30, 25, 20, 12, 8])[0]):
        o = _order(rng, str(next_order), ref, now, min(since, rng.uniform(0.1, since)))
        next_order += 1
        orders.append(o)
        if o.status in ("returned", "refunded"):
            placed = o.placed_at or now
            batch.returns.append(Return(f"ret-{o.id}", o.id, ref,
                                        "refunded" if o.status == "refunded" else "received",
                                        rng.choice(["too small", "not as pictured",
                                                    "changed my mind", "arrived damaged"]),
                                        placed + timedelta(days=rng.uniform(8, 20))))
            batch.refunds.append(Refund(f"rf-{o.id}", o.id, ref, o.total, o.currency,
                                        "issued", "return received",
                                        placed + timedelta(days=rng.uniform(21, 28))))
        elif o.status == "cancelled":
            batch.refunds.append(Refund(f"rf-{o.id}", o.id, ref, o.total, o.currency,
                                        "issued", "order cancelled before dispatch",
                                        (o.placed_at or now) + timedelta(hours=5)))
    spent = sum(o.total for o in orders if o.status not in ("cancelled", "refunded"))
    value = round(spent + rng.choice([0, 0, 0, 0, 0, 150, 400, 900]), 2)
    tags = ["vip"] if value >= 2000 else []
    if rng.random() < 0.4:
        tags.append("newsletter")
    batch.customers.append(Customer(ref, f"{first} {last}", email, lang, tuple(tags), value,
                                    "EUR", tuple(contacts), _ago(now, since)))
    batch.orders.extend(orders)
    if rng.random() < 0.18:
        lines = _lines(rng, rng.randint(1, 2))
        status = rng.choice(["open", "abandoned", "abandoned", "converted"])
        error = rng.choice(PAYMENT_ERRORS) if status == "abandoned" and rng.random() < 0.5 \
            else None
        batch.carts.append(Cart(f"cart-{n:04d}", ref, status,
                                round(sum(li.unit_price * li.quantity for li in lines), 2),
                                "EUR", _ago(now, rng.uniform(0.05, 20)), error, tuple(lines)))
    for k in range(rng.choices([0, 1, 2], [6, 3, 1])[0]):
        topic, summary, outcome, handed = rng.choice(PAST_TOPICS)
        about = rng.choice(orders).id if orders and topic in ("delivery", "fault", "returns",
                                                               "complaint") else None
        batch.interactions.append(Interaction(
            f"hd-{n:04d}-{k}", ref, rng.choice(["email", "phone", "web"]),
            _ago(now, rng.uniform(3, since)), topic, summary, about, handed, outcome))
    return batch, next_order


def _lines(rng: random.Random, count: int) -> list[LineItem]:
    picked = rng.sample(PRODUCTS, count)
    return [LineItem(p.sku, p.name, 1 if p.price > 50 else rng.randint(1, 3), p.price,
                     p.line_id) for p in picked]


def _order(rng: random.Random, oid: str, ref: str, now: datetime, age: float) -> Order:
    lines = _lines(rng, rng.choices([1, 2, 3], [6, 3, 1])[0])
    subtotal = sum(li.unit_price * li.quantity for li in lines)
    total = round(subtotal + (SHIPPING if subtotal < 50 else 0), 2)
    placed = _ago(now, age)
    expected = placed + timedelta(days=5)
    carrier = rng.choice(CARRIERS)
    track = f"https://track.hearthwell.example/{carrier.lower()}/{oid}"
    code = rng.choice([None, None, None, "WELCOME10", "SPRING15"])
    base = Order(oid, ref, "placed", total, "EUR", placed_at=placed, expected_at=expected,
                 discount_code=code, shipping_address=f"{rng.randint(1, 120)} Main Street",
                 lines=tuple(LineItem(li.sku, li.name, li.quantity, li.unit_price)
                             for li in lines))
    roll = rng.random()
    if age < 1:
        return replace(base, status="placed" if roll < 0.5 else "paid")
    if roll < 0.05:
        return replace(base, status="cancelled")
    if age < 2:
        return replace(base, status="paid")
    dispatched = placed + timedelta(days=rng.uniform(0.5, 1.5))
    shipped = replace(base, status="dispatched", dispatched_at=dispatched, carrier=carrier,
                      tracking_url=track)
    delivered = dispatched + timedelta(days=rng.uniform(1.5, 3.5))
    if delivered > now - timedelta(hours=1) or age < 4:
        return shipped
    status = "delivered"
    if roll > 0.93 and age > 30:
        status = "refunded"
    elif roll > 0.88 and age > 30:
        status = "returned"
    return replace(shipped, status=status, delivered_at=delivered)
