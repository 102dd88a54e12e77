"""CSV: one file per kind, named by the file (customers.csv) or chosen with --kind.

Columns are the JSON field names (docs/record.md). Customers take their contacts from
`contact:<channel>` columns (`contact:whatsapp`, `contact:email`) and their tags as
comma-separated text. Orders and carts take one row per line item: the `line_sku`,
`line_name`, `line_quantity` and `line_unit_price` columns; the rows of one order share
its id and only the first needs the order's own fields. Errors name the file's line
(the header is line 1).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from warmline.adapters.commerce import codec
from warmline.adapters.commerce.importers import Parsed
from warmline.domain.record.commerce import RecordBatch

LINE_COLUMNS = {"line_sku": "sku", "line_name": "name", "line_quantity": "quantity",
                "line_unit_price": "unit_price", "line_line_id": "line_id"}
WITH_LINES = ("orders", "carts")
KEYS = {"customers": "ref", "products": "sku"}


def parse(text: str, source: str, kind: str) -> Parsed:
    parsed = Parsed(source)
    if kind not in RecordBatch.KINDS:
        parsed.error("", 1, "(kind)", f"unknown kind {kind!r} (known: "
                     f"{', '.join(RecordBatch.KINDS)}); name the file after it or pass --kind")
        return parsed
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        parsed.error(kind, 1, "(header)", "the file has no header line", "line")
        return parsed
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    order: list[str] = []
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            parsed.error(kind, number, "(columns)", "more values than header columns", "line")
            continue
        row = _shape(raw)
        key = str(row.get(KEYS.get(kind, "id")) or "").lstrip("#")
        line = _line(parsed, kind, number, raw)
        if kind in WITH_LINES and key in rows:
            first_number, first = rows[key]
            for name, value in row.items():
                if value not in ("", None, {}) and first.get(name) not in ("", None, {}) \
                        and first[name] != value and name != "lines":
                    parsed.error(kind, number, name, f"differs from line {first_number} of "
                                 f"the same {kind[:-1]} ({first[name]!r})", "line")
            if line:
                first["lines"].append(line)
            continue
        if kind in WITH_LINES:
            row["lines"] = [line] if line else []
        rows[key or f"(line {number})"] = (number, row)
        order.append(key or f"(line {number})")
    for key in order:
        number, row = rows[key]
        entity = parsed.read(kind, number, row, codec.PARSERS[kind], "line")
        if entity is not None:
            parsed.add(kind, str(getattr(entity, KEYS.get(kind, "id"))), number, entity,
                       "line")
    return parsed


def _line(parsed: Parsed, kind: str, number: int, raw: dict[str, str]) -> dict[str, str]:
    """The row's line item, checked here so an error names its own line and column."""
    line = {LINE_COLUMNS[c]: v for c, v in raw.items() if c in LINE_COLUMNS and v != ""}
    if not line or kind not in WITH_LINES:
        return {}
    try:
        codec.line_item(codec.Row(line))
    except codec.FieldError as exc:
        column = next((c for c, f in LINE_COLUMNS.items() if f == exc.field), exc.field)
        parsed.error(kind, number, column, exc.message, "line")
        return {}
    return line


def _shape(raw: dict[str, str]) -> dict[str, Any]:
    """Header names to the JSON shape: contact:<channel> columns become `contacts`."""
    row: dict[str, Any] = {}
    contacts = {c.split(":", 1)[1].strip(): v for c, v in raw.items()
                if c and c.startswith("contact:") and v}
    for column, value in raw.items():
        if column and not column.startswith("contact:") and column not in LINE_COLUMNS:
            row[column.strip()] = value
    if contacts:
        row["contacts"] = contacts
    return row
