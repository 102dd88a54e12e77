"""Warmline's record JSON: one object with a list per kind (docs/record.md).

    {"product_lines": [...], "products": [...], "customers": [...], "orders": [...],
     "carts": [...], "returns": [...], "refunds": [...], "interactions": [...]}

Rows are numbered from 1 within their section ("orders row 3" is `orders[2]`).
"""

from __future__ import annotations

from warmline.adapters.commerce import codec
from warmline.adapters.commerce.importers import Parsed, load_json
from warmline.domain.record.commerce import RecordBatch

KEYS = {"customers": "ref", "products": "sku"}


def parse(text: str, source: str) -> Parsed:
    parsed = Parsed(source)
    data = load_json(text, parsed)
    if data is None:
        return parsed
    if not isinstance(data, dict):
        parsed.error("", 1, "(file)", "expected an object with lists such as "
                     "\"customers\" and \"orders\"")
        return parsed
    unknown = sorted(set(data) - set(RecordBatch.KINDS))
    for key in unknown:
        parsed.error(key, 1, key, f"unknown section (known: {', '.join(RecordBatch.KINDS)})")
    for kind in RecordBatch.KINDS:
        rows = data.get(kind, [])
        if not isinstance(rows, list):
            parsed.error(kind, 1, kind, "expected a list")
            continue
        for i, row in enumerate(rows, start=1):
            entity = parsed.read(kind, i, row, codec.PARSERS[kind])
            if entity is not None:
                parsed.add(kind, str(getattr(entity, KEYS.get(kind, "id"))), i, entity)
    return parsed
