"""The import command: read files into the record, all of it or nothing.

Every file is parsed to the end and every bad row reported (file, row or line number,
field); references are then checked across the files and against what the database
already holds (an order's customer, a refund's order, a product's line). Only when no
row anywhere is bad is the whole batch written, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warmline.domain.record.commerce import RecordBatch, Refund, Return, RowError
from warmline.ports import ParsedFile, RecordStore

#: one file read: (path, format or None to detect, CSV kind or None) -> what it yielded
Parse = Callable[[Path, str | None, str | None], ParsedFile]

Progress = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    sources: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def stored(self) -> bool:
        return not self.errors and bool(self.counts)


def check_references(files: Sequence[ParsedFile], store: RecordStore) -> list[RowError]:
    """Rows that name a customer, order or product line that exists nowhere."""
    batch = RecordBatch()
    for parsed in files:
        batch.extend(parsed.batch)
    known = {
        "customers": {c.ref for c in batch.customers},
        "orders": {o.id for o in batch.orders},
        "product_lines": {pl.id for pl in batch.product_lines},
    }
    wanted: dict[str, set[str]] = {
        "customers": {x.customer_ref for kind in ("orders", "carts", "returns", "refunds",
                                                  "interactions")
                      for x in getattr(batch, kind)},
        "orders": {x.order_id for x in batch.returns} | {x.order_id for x in batch.refunds},
        "product_lines": {p.line_id for p in batch.products},
    }
    for kind, ids in wanted.items():
        missing = sorted(ids - known[kind])
        if missing:
            known[kind] |= store.existing(kind, missing)
    totals = {o.id: o.total for o in batch.orders}
    errors: list[RowError] = []
    for parsed in files:
        bad = _reporter(parsed, errors)
        b = parsed.batch
        for kind in ("orders", "carts", "returns", "refunds", "interactions"):
            for x in getattr(b, kind):
                if x.customer_ref not in known["customers"]:
                    bad(kind, x.id, "customer_ref", f"no customer {x.customer_ref!r} in this "
                        "import or the database")
        pairs: list[tuple[str, Return | Refund]] = [
            *(("returns", x) for x in b.returns), *(("refunds", x) for x in b.refunds)]
        for kind, x in pairs:
            if x.order_id not in known["orders"]:
                bad(kind, x.id, "order_id", f"no order {x.order_id!r} in this import or the "
                    "database")
        for r in b.refunds:
            if r.order_id in totals and r.amount > totals[r.order_id] + 0.005:
                bad("refunds", r.id, "amount", f"{r.amount:.2f} is more than the order's "
                    f"total {totals[r.order_id]:.2f}")
        for p in b.products:
            if p.line_id not in known["product_lines"]:
                bad("products", p.sku, "line_id", f"no product line {p.line_id!r} in this "
                    "import or the database")
    return errors


def _reporter(parsed: ParsedFile, errors: list[RowError]) -> Callable[[str, str, str, str], None]:
    """Report a problem on the row an entity came from (its file, row and unit)."""
    rows = {(kind, key): (row, unit) for kind, entries in parsed.origin.items()
            for key, row, unit in entries}

    def bad(kind: str, key: str, name: str, message: str) -> None:
        row, unit = rows[(kind, key)]
        errors.append(RowError(parsed.source, kind, row, name, message, unit))
    return bad


def import_files(paths: Sequence[Path], *, store: RecordStore, parse: Parse,
                 fmt: str | None = None, kind: str | None = None,
                 progress: Progress | None = None) -> ImportReport:
    """Parse, check, and write everything in one transaction — or nothing."""
    note = progress or (lambda stage, done, total: None)
    report = ImportReport([p.name for p in paths])
    files = []
    for i, path in enumerate(paths, start=1):
        parsed = parse(path, fmt, kind)
        files.append(parsed)
        report.errors += parsed.errors
        report.rows += parsed.rows
        note(f"read {path.name}", i, len(paths))
    report.errors += check_references(files, store)  # on the rows that did parse
    note("checked references", 1, 1)
    if report.errors:
        return report
    batch = RecordBatch()
    for parsed in files:
        batch.extend(parsed.batch)
    if batch.counts():
        report.counts = store.write(batch)
    note("written", 1, 1)
    return report
