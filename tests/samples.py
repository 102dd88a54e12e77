"""A small, realistic commerce record shared by the record tests (contract, service, API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warmline.domain.record.commerce import (
    Cart,
    Customer,
    Interaction,
    LineItem,
    Order,
    Product,
    ProductLine,
    RecordBatch,
    Refund,
    Return,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def sample_batch() -> RecordBatch:
    """Maria (VIP, a blender 34 days after delivery, two fault reports), Tom (a dispatched
    order, a cart that failed at payment), and the catalogue they bought from."""
    kitchen = ProductLine("kitchen", "Kitchen appliances", "team-kitchen", 730, 30)
    apparel = ProductLine("apparel", "Apparel", "team-apparel", None, 60)
    return RecordBatch(
        product_lines=[kitchen, apparel],
        products=[Product("KIT-BLD-01", "Aurora Blender", "kitchen", 184.0),
                  Product("APP-JKT-02", "Harbour Rain Jacket", "apparel", 89.0),
                  Product("APP-SCK-01", "Wool Socks", "apparel", 12.5)],
        customers=[
            Customer("c-1001", "Maria Keller", "maria@example.com", "de", ("vip",), 2350.0,
                     "EUR", (("email", "maria@example.com"), ("whatsapp", "+4915550001")),
                     ago(900)),
            Customer("c-2002", "Tom Baker", None, "en", (), 101.5, "EUR",
                     (("web", "visitor-77"),), ago(40)),
        ],
        orders=[
            Order("1043", "c-1001", "delivered", 184.0, "EUR", ago(40), ago(38), ago(34),
                  ago(35), "DHL", "https://track.example/1043", "Hauptstr. 1, Berlin",
                  None, (LineItem("KIT-BLD-01", "Aurora Blender", 1, 184.0),)),
            Order("0999", "c-1001", "delivered", 42.0, "EUR", ago(200), ago(198), ago(196),
                  None, "DHL", None, None, "WELCOME10",
                  (LineItem("APP-SCK-01", "Wool Socks", 2, 12.5),
                   LineItem("GONE-1", "Discontinued mug", 1, 17.0))),
            Order("2077", "c-2002", "dispatched", 101.5, "EUR", ago(3), ago(1), None, ago(-2),
                  "UPS", "https://track.example/2077", None, None,
                  (LineItem("APP-JKT-02", "Harbour Rain Jacket", 1, 89.0),
                   LineItem("APP-SCK-01", "Wool Socks", 1, 12.5))),
        ],
        carts=[Cart("cart-9", "c-2002", "abandoned", 89.0, "EUR", ago(0.5),
                    "card declined (insufficient funds)",
                    (LineItem("APP-JKT-02", "Harbour Rain Jacket", 1, 89.0),))],
        returns=[Return("r-1", "0999", "c-1001", "refunded", "too small", ago(190))],
        refunds=[Refund("rf-1", "0999", "c-1001", 25.0, "EUR", "issued", "socks returned",
                        ago(185))],
        interactions=[
            Interaction("hd-1", "c-1001", "email", ago(20), "fault",
                        "Blender stops after a minute", "1043", False, "reset steps sent"),
            Interaction("hd-2", "c-1001", "phone", ago(10), "fault",
                        "Blender still failing", "1043", True, "replacement promised"),
        ],
    )
