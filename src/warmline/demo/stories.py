"""The demo store's hand-written customers: the people the scenarios are about.

Each story sets up one situation a human should take over, with the record facts the
triggers and the context package must find (dates relative to `now`):

| customer | story |
| --- | --- |
| c-1001 Maria Keller (VIP) | blender #1043, €184, delivered 34 days ago: 4 days past the window |
| c-2051 Jonas Weber | order #2051, €64.50, paid yesterday, not dispatched |
| c-3307 Sophie Martin | rain jacket #3307 delivered 45 days ago: 15 days past the window |
| c-4410 Liam Walsh | order #4410 dispatched yesterday with DHL |
| c-5120 Aiko Tanaka (VIP) | stand mixer #5120 due 6 days ago, still in transit |
| c-7300 Emma Larsen | kettle #7300 with two earlier fault reports |
| c-8800 Noah Fischer | a €218.00 cart abandoned after 3-D Secure failed |
| c-9100 Giulia Rossi | espresso machine #9100, €649, delivered 10 days ago |
| c-2300 Ben Carter | order #2300 dispatched yesterday, due in 3 days |
| c-6100 Lea Dubois | a loyal customer asking for a birthday discount |
| c-6200 Tom Evans | a plain customer who asks for a person at once |
| c-6300 Sara Bakker | sizing questions, recent delivered order |
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warmline.demo.catalogue import BY_SKU
from warmline.domain.record.commerce import (
    Cart,
    Customer,
    Interaction,
    LineItem,
    Order,
    RecordBatch,
)


def _line(sku: str, quantity: int = 1) -> LineItem:
    p = BY_SKU[sku]
    return LineItem(p.sku, p.name, quantity, p.price)


def stories(now: datetime) -> RecordBatch:
    def ago(days: float) -> datetime:
        return (now - timedelta(days=days)).replace(microsecond=0)

    def track(carrier: str, oid: str) -> str:
        return f"https://track.hearthwell.example/{carrier.lower()}/{oid}"

    def person(ref: str, name: str, lang: str, tags: tuple[str, ...], value: float,
               since: float, phone: str) -> Customer:
        email = name.lower().replace(" ", ".") + "@example.com"
        return Customer(ref, name, email, lang, tags, value, "EUR",
                        (("email", email), ("whatsapp", phone)), ago(since))

    def delivered(oid: str, ref: str, sku: str, days: float, carrier: str = "DHL",
                  total: float | None = None) -> Order:
        line = _line(sku)
        return Order(oid, ref, "delivered", total or line.unit_price, "EUR", ago(days + 5),
                     ago(days + 3), ago(days), ago(days + 1), carrier, track(carrier, oid),
                     "Hauptstraße 5, 10115 Berlin", None, (line,))

    return RecordBatch(
        customers=[
            person("c-1001", "Maria Keller", "de", ("vip", "newsletter"), 2350.0, 1100,
                   "+4915550001"),
            person("c-2051", "Jonas Weber", "de", (), 320.0, 400, "+4915550002"),
            person("c-3307", "Sophie Martin", "fr", (), 410.0, 700, "+33612000003"),
            person("c-4410", "Liam Walsh", "en", (), 150.0, 90, "+44770000004"),
            person("c-5120", "Aiko Tanaka", "en", ("vip",), 3120.0, 800, "+44770000005"),
            person("c-7300", "Emma Larsen", "nl", (), 268.0, 500, "+31612000006"),
            person("c-8800", "Noah Fischer", "de", (), 95.0, 60, "+4915550007"),
            person("c-9100", "Giulia Rossi", "it", (), 980.0, 300, "+39347000008"),
            person("c-2300", "Ben Carter", "en", (), 240.0, 200, "+44770000009"),
            person("c-6100", "Lea Dubois", "fr", ("newsletter",), 1460.0, 1300, "+33612000010"),
            person("c-6200", "Tom Evans", "en", (), 88.0, 30, "+44770000011"),
            person("c-6300", "Sara Bakker", "nl", (), 178.0, 150, "+31612000012"),
        ],
        orders=[
            delivered("1043", "c-1001", "KIT-BLD-01", 34),
            delivered("0877", "c-1001", "LIV-SOF-01", 240, "DPD"),
            Order("2051", "c-2051", "paid", 64.50, "EUR", ago(1), None, None, ago(-4), None,
                  None, "Lindenweg 2, Hamburg", None, (_line("APP-SHT-01"),
                                                      _line("APP-SCK-01"))),
            delivered("3307", "c-3307", "APP-JKT-01", 45, "GLS"),
            Order("4410", "c-4410", "dispatched", 42.0, "EUR", ago(3), ago(1), None, ago(-2),
                  "DHL", track("DHL", "4410"), "12 Rose Lane, Leeds", None,
                  (_line("LIV-CSH-01"),)),
            Order("5120", "c-5120", "dispatched", 549.0, "EUR", ago(13), ago(11), None, ago(6),
                  "DHL", track("DHL", "5120"), "4 Canal Street, Manchester", None,
                  (_line("KIT-MIX-01"),)),
            delivered("4870", "c-5120", "LIV-RUG-01", 120, "UPS"),
            delivered("7300", "c-7300", "KIT-KTL-01", 100, "PostNL"),
            delivered("9100", "c-9100", "KIT-ESP-01", 10, "UPS"),
            Order("2300", "c-2300", "dispatched", 99.0, "EUR", ago(2), ago(1), None, ago(-3),
                  "UPS", track("UPS", "2300"), "9 High Street, Bristol", None,
                  (_line("APP-TRS-01"),)),
            delivered("6110", "c-6100", "LIV-TBL-01", 60, "DPD"),
            delivered("6120", "c-6100", "LIV-LMP-01", 20, "DPD"),
            delivered("6201", "c-6200", "LIV-VAS-01", 15, "DHL", total=64.95),
            delivered("6301", "c-6300", "APP-SHT-01", 8, "PostNL"),
        ],
        carts=[Cart("cart-8800", "c-8800", "abandoned", 218.0, "EUR", ago(0.1),
                    "3-D Secure authentication failed",
                    (_line("APP-SWT-01"), _line("APP-TRS-01")))],
        interactions=[
            Interaction("hd-7300-1", "c-7300", "email", ago(60), "fault",
                        "Kettle switches itself off", "7300", False,
                        "descaling steps sent"),
            Interaction("hd-7300-2", "c-7300", "phone", ago(25), "fault",
                        "Kettle stopped heating", "7300", True, "replacement base sent"),
            Interaction("hd-1001-1", "c-1001", "whatsapp", ago(200), "delivery",
                        "Asked to deliver the sofa on a Saturday", "0877", False,
                        "delivery slot booked"),
            Interaction("hd-5120-1", "c-5120", "email", ago(115), "complaint",
                        "Rug delivered two days late", "4870", True,
                        "goodwill voucher of €10"),
        ],
    )
