"""Hearthwell's catalogue: three product lines and the people behind them."""

from __future__ import annotations

from warmline.domain.record.commerce import Product, ProductLine

BRAND = "Hearthwell"

PRODUCT_LINES = [
    ProductLine("kitchen", "Kitchen appliances", "team-kitchen", warranty_days=730),
    ProductLine("living", "Home & living", "team-living", warranty_days=365),
    ProductLine("apparel", "Outdoor apparel", "team-apparel", warranty_days=365),
]

PRODUCTS = [
    Product("KIT-BLD-01", "Aurora Blender", "kitchen", 184.00),
    Product("KIT-KTL-01", "Kettle Classic", "kitchen", 69.00),
    Product("KIT-GRD-01", "Burr Coffee Grinder", "kitchen", 129.00),
    Product("KIT-TST-01", "Toaster Duo", "kitchen", 89.00),
    Product("KIT-MIX-01", "Stand Mixer Pro", "kitchen", 549.00),
    Product("KIT-ESP-01", "Espresso Machine Nova", "kitchen", 649.00),
    Product("KIT-KNF-01", "Chef's Knife Set", "kitchen", 149.00),
    Product("KIT-PAN-01", "Cast-Iron Pan", "kitchen", 59.00),
    Product("LIV-SOF-01", "Linden Sofa", "living", 1299.00),
    Product("LIV-TBL-01", "Oak Side Table", "living", 219.00),
    Product("LIV-VAS-01", "Glass Vase", "living", 60.00),
    Product("LIV-RUG-01", "Wool Rug", "living", 349.00),
    Product("LIV-LMP-01", "Reading Lamp", "living", 119.00),
    Product("LIV-CSH-01", "Linen Cushion", "living", 39.00),
    Product("LIV-THR-01", "Throw Blanket", "living", 79.00),
    Product("APP-JKT-01", "Harbour Rain Jacket", "apparel", 89.00),
    Product("APP-SHT-01", "Linen Shirt", "apparel", 59.00),
    Product("APP-SWT-01", "Merino Sweater", "apparel", 119.00),
    Product("APP-TRS-01", "Trail Trousers", "apparel", 99.00),
    Product("APP-SCK-01", "Wool Socks", "apparel", 12.50),
    Product("APP-VST-01", "Down Vest", "apparel", 149.00),
    Product("APP-TOT-01", "Canvas Tote", "apparel", 29.00),
]
BY_SKU = {p.sku: p for p in PRODUCTS}

FIRST = {
    "de": ["Anna", "Lukas", "Lena", "Felix", "Mia", "Jonas", "Hannah", "Paul", "Clara", "Max"],
    "fr": ["Camille", "Hugo", "Léa", "Louis", "Chloé", "Arthur", "Manon", "Jules"],
    "en": ["Olivia", "James", "Amelia", "Oliver", "Isla", "Harry", "Grace", "Jack", "Ella"],
    "nl": ["Sanne", "Daan", "Fleur", "Bram", "Noor", "Sem"],
    "es": ["Lucía", "Mateo", "Sofía", "Hugo", "Martina", "Pablo"],
    "it": ["Giulia", "Lorenzo", "Aurora", "Matteo", "Alice", "Leonardo"],
}
LAST = {
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann"],
    "fr": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit"],
    "en": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Walsh"],
    "nl": ["de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser"],
    "es": ["García", "Fernández", "López", "Martínez", "Sánchez", "Pérez"],
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano"],
}
PHONE_PREFIX = {"de": "+49151", "fr": "+33612", "en": "+44770", "nl": "+31612",
                "es": "+34612", "it": "+39347"}
CARRIERS = ["DHL", "UPS", "DPD", "GLS", "PostNL"]
PAYMENT_ERRORS = ["card declined (insufficient funds)", "3-D Secure authentication failed",
                  "card expired", "payment provider timed out"]
PAST_TOPICS = [
    ("delivery", "Asked when the parcel would arrive", "tracking link sent", False),
    ("sizing", "Asked which size to pick", "size guide sent", False),
    ("returns", "Asked how to return an item", "return label sent", False),
    ("billing", "Questioned a charge on the statement", "explained the pre-authorisation",
     False),
    ("fault", "Reported a faulty item", "replacement sent", True),
    ("complaint", "Unhappy with a late delivery", "goodwill voucher of €10", True),
]
