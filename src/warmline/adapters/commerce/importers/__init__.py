"""Importers: files -> a `RecordBatch` plus every bad row, named by number and field.

Parsing never stops at the first problem: a file is read to the end so the person
fixing it sees every bad row at once. The service (`service/importing.py`) stores
nothing unless every row of every file is good, and then all of it in one transaction.

Formats (docs/record.md): `json` (Warmline's record JSON), `csv` (one file per kind,
several rows per order for its lines) and `shopify` (orders and customers as the
Shopify Admin API returns them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmline.adapters.commerce.codec import FieldError, Row
from warmline.domain.record.commerce import RecordBatch, RowError

FORMATS = ("json", "csv", "shopify")


@dataclass
class Parsed:
    """What a file yielded: entities, where each came from, and every bad row."""

    source: str
    batch: RecordBatch = field(default_factory=RecordBatch)
    errors: list[RowError] = field(default_factory=list)
    #: kind -> (entity key, row number, unit) for each stored entity, for later checks
    origin: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(len(v) for v in self.origin.values())

    def add(self, kind: str, key: str, row: int, entity: Any, unit: str = "row") -> None:
        for other_key, other_row, _ in self.origin.get(kind, []):
            if other_key == key:
                self.error(kind, row, "id" if kind != "customers" else "ref",
                           f"{key!r} already appears in {unit} {other_row}", unit)
                return
        getattr(self.batch, kind).append(entity)
        self.origin.setdefault(kind, []).append((key, row, unit))

    def error(self, section: str, row: int, field_name: str, message: str,
              unit: str = "row") -> None:
        self.errors.append(RowError(self.source, section, row, field_name, message, unit))

    def read(self, section: str, row: int, data: Any, parse: Callable[[Row], Any],
             unit: str = "row") -> Any | None:
        """Parse one row; a bad one is recorded (not raised) and gives None."""
        try:
            return parse(Row(data))
        except FieldError as exc:
            self.error(section, row, exc.field, exc.message, unit)
            return None


def load_json(text: str, parsed: Parsed) -> Any | None:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.error("", exc.lineno, "(file)", f"not valid JSON: {exc.msg} "
                     f"(column {exc.colno})", "line")
        return None


def detect_format(path: Path, text: str) -> str:
    """csv by extension; JSON that looks like a Shopify export is `shopify`."""
    if path.suffix.lower() == ".csv":
        return "csv"
    head = text[:20000]
    shopify_marks = ('"line_items"', '"total_price"', '"first_name"', '"financial_status"',
                     '"total_spent"')
    return "shopify" if any(m in head for m in shopify_marks) else "json"


def parse_file(path: Path, fmt: str | None = None, kind: str | None = None) -> Parsed:
    """One file parsed; unreadable files are reported like a bad row, not raised."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        parsed = Parsed(source)
        parsed.error("", 1, "(file)", f"cannot read: {exc}", "line")
        return parsed
    fmt = fmt or detect_format(path, text)
    if fmt not in FORMATS:
        parsed = Parsed(source)
        parsed.error("", 1, "(format)", f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        return parsed
    from warmline.adapters.commerce.importers import csv_file, json_file, shopify

    if fmt == "csv":
        return csv_file.parse(text, source, kind or kind_of(path))
    if fmt == "shopify":
        return shopify.parse(text, source)
    return json_file.parse(text, source)


def kind_of(path: Path) -> str:
    """The kind a CSV file holds, from its name: orders.csv, 2026-11_orders.csv..."""
    stem = path.stem.lower()
    ends = [k for k in RecordBatch.KINDS if stem == k or stem.endswith(("_" + k, "-" + k))]
    return max(ends, key=len) if ends else stem


__all__ = ["FORMATS", "Parsed", "RowError", "detect_format", "kind_of", "load_json", "parse_file"]
