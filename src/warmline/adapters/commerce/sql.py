"""The commerce record stored in Warmline's own database (SQLite or PostgreSQL).

Reads never wait for writers: on SQLite they run on an engine of their own that opens
plain (deferred) transactions, so the WAL gives them a snapshot while a unit of work
holds the write lock (the judge reads the record inside one). Writes (`write`) upsert a
whole import in one transaction on the ordinary engine: all of it lands or none of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from warmline.adapters.storage import schema as t
from warmline.adapters.storage.engine import make_engine, sqlite_on_connect
from warmline.domain.record.commerce import (
    Cart,
    Customer,
    CustomerRecord,
    Interaction,
    LineItem,
    Order,
    ProductLine,
    RecordBatch,
    Refund,
    Return,
)
from warmline.domain.record.facts import CustomerFacts
from warmline.ports import RecordUnavailable

CHUNK = 500
_KIND_TABLES: dict[str, tuple[Table, str]] = {
    "customers": (t.customers, "ref"), "orders": (t.orders, "id"),
    "products": (t.products, "sku"), "product_lines": (t.product_lines, "id"),
    "carts": (t.carts, "id"), "returns": (t.returns, "id"), "refunds": (t.refunds, "id"),
    "interactions": (t.interactions, "id"),
}


def reading_engine(url: str) -> Engine:
    """An engine whose transactions never take SQLite's write lock."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return make_engine(url)
    engine = create_engine(parsed, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", sqlite_on_connect)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _f(value: Decimal | float | None) -> float:
    return float(value) if value is not None else 0.0


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


class SqlCommerceRecord:
    """`CommerceRecord` and `RecordStore` over the tables of migration 0002."""

    def __init__(self, url: str | None = None, *, reader: Engine | None = None,
                 writer: Engine | None = None) -> None:
        if url is None and (reader is None or writer is None):
            raise ValueError("give a database URL, or both engines")
        self.writer = writer or make_engine(url or "")
        self.reader = reader or reading_engine(url or "")

    # --- reading --------------------------------------------------------------------
    def customer_facts(self, customer_ref: str) -> CustomerFacts | None:
        record = self.customer_record(customer_ref)
        return record.facts() if record is not None else None

    def find_customer(self, channel: str, contact_id: str) -> str | None:
        with self._reading() as conn:
            found = conn.scalar(select(t.customer_contacts.c.customer_ref).where(
                t.customer_contacts.c.channel == channel.lower(),
                t.customer_contacts.c.contact_id == contact_id))
        return None if found is None else str(found)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A read connection; a database that cannot answer is an unavailable record."""
        try:
            with self.reader.connect() as conn:
                yield conn
        except (OperationalError, ProgrammingError) as exc:
            raise RecordUnavailable(f"the record in the database cannot be read "
                                    f"({type(exc.orig).__name__}: {str(exc.orig).strip()}); "
                                    "is it migrated? run `warmline db upgrade`") from exc

    def customer_record(self, customer_ref: str) -> CustomerRecord | None:
        with self._reading() as conn:
            row = conn.execute(select(t.customers).where(t.customers.c.ref == customer_ref)
                               ).mappings().first()
            if row is None:
                return None
            contacts = conn.execute(select(t.customer_contacts.c.channel,
                                           t.customer_contacts.c.contact_id)
                                    .where(t.customer_contacts.c.customer_ref == customer_ref)
                                    .order_by(t.customer_contacts.c.channel)).all()
            orders = self._orders(conn, customer_ref)
            skus = sorted({li.sku for o in orders for li in o.lines})
            lines_of = self._product_lines(conn, skus)
            orders = tuple(replace(o, lines=tuple(replace(li, line_id=lines_of.get(li.sku))
                                                  for li in o.lines)) for o in orders)
            used = {pl for pl in lines_of.values()}
            product_lines = tuple(ProductLine(r.id, r.name, r.team, r.warranty_days,
                                              r.return_window_days)
                                  for r in conn.execute(select(t.product_lines).where(
                                      t.product_lines.c.id.in_(sorted(used)))).all()) \
                if used else ()
            return CustomerRecord(
                customer=Customer(ref=row["ref"], name=row["name"], email=row["email"],
                                  language=row["language"], tags=tuple(row["tags"] or ()),
                                  lifetime_value=_f(row["lifetime_value"]),
                                  currency=row["currency"],
                                  contacts=tuple((c, i) for c, i in contacts),
                                  created_at=_utc(row["created_at"])),
                orders=orders, carts=self._carts(conn, customer_ref),
                returns=tuple(Return(r.id, r.order_id, r.customer_ref, r.status, r.reason,
                                     _utc(r.requested_at))
                              for r in self._rows(conn, t.returns, customer_ref,
                                                  t.returns.c.requested_at)),
                refunds=tuple(Refund(r.id, r.order_id, r.customer_ref, _f(r.amount),
                                     r.currency, r.status, r.reason, _utc(r.created_at))
                              for r in self._rows(conn, t.refunds, customer_ref,
                                                  t.refunds.c.created_at)),
                interactions=tuple(Interaction(r.id, r.customer_ref, r.channel,
                                               _utc(r.started_at), r.topic, r.summary,
                                               r.order_id, bool(r.handed_off), r.outcome)
                                   for r in self._rows(conn, t.interactions, customer_ref,
                                                       t.interactions.c.started_at)),
                product_lines=product_lines, read_at=datetime.now(UTC))

    @staticmethod
    def _rows(conn: Connection, table: Table, ref: str, order_by: Any) -> list[Any]:
        return list(conn.execute(select(table).where(table.c.customer_ref == ref)
                                 .order_by(order_by.nulls_first(), table.c.id)).all())

    def _orders(self, conn: Connection, ref: str) -> tuple[Order, ...]:
        rows = self._rows(conn, t.orders, ref, t.orders.c.placed_at)
        lines: dict[str, list[LineItem]] = {}
        ids = [r.id for r in rows]
        for chunk in _chunks(ids):
            for li in conn.execute(select(t.order_lines).where(
                    t.order_lines.c.order_id.in_(chunk)).order_by(
                    t.order_lines.c.order_id, t.order_lines.c.line_no)).all():
                lines.setdefault(li.order_id, []).append(
                    LineItem(li.sku, li.name, li.quantity, _f(li.unit_price)))
        return tuple(Order(
            id=r.id, customer_ref=r.customer_ref, status=r.status, total=_f(r.total),
            currency=r.currency, placed_at=_utc(r.placed_at),
            dispatched_at=_utc(r.dispatched_at), delivered_at=_utc(r.delivered_at),
            expected_at=_utc(r.expected_at), carrier=r.carrier, tracking_url=r.tracking_url,
            shipping_address=r.shipping_address, discount_code=r.discount_code,
            lines=tuple(lines.get(r.id, ()))) for r in rows)

    @staticmethod
    def _product_lines(conn: Connection, skus: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(skus):
            out.update({sku: line for sku, line in conn.execute(
                select(t.products.c.sku, t.products.c.line_id)
                .where(t.products.c.sku.in_(chunk))).all()})
        return out

    def _carts(self, conn: Connection, ref: str) -> tuple[Cart, ...]:
        return tuple(Cart(r.id, r.customer_ref, r.status, _f(r.total), r.currency,
                          _utc(r.updated_at), r.payment_error,
                          tuple(LineItem(li["sku"], li["name"], li.get("quantity", 1),
                                         float(li.get("unit_price", 0.0)))
                                for li in r.lines or ()))
                     for r in self._rows(conn, t.carts, ref, t.carts.c.updated_at))

    # --- writing (RecordStore) ------------------------------------------------------
    def existing(self, kind: str, ids: Sequence[str]) -> set[str]:
        table, key = _KIND_TABLES[kind]
        found: set[str] = set()
        with self.reader.connect() as conn:
            for chunk in _chunks(sorted(set(ids))):
                found.update(conn.scalars(select(table.c[key]).where(
                    table.c[key].in_(chunk))))
        return found

    def write(self, batch: RecordBatch) -> dict[str, int]:
        now = datetime.now(UTC)
        try:
            with self.writer.begin() as conn:
                _Writer(conn, now).write(batch)
        except IntegrityError as exc:
            raise ValueError(f"unknown references: {exc.orig}") from exc
        return batch.counts()


class _Writer:
    """Upserts by primary key, parents before children, on one connection."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self.dialect = conn.dialect.name

    def upsert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        make = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = make(table)
        keys = [c.name for c in table.primary_key.columns]
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys})
        for i in range(0, len(rows), CHUNK):
            self.conn.execute(stmt, rows[i:i + CHUNK])

    def replace_children(self, table: Table, column: str, parents: list[str],
                         rows: list[dict[str, Any]]) -> None:
        for chunk in _chunks(parents):
            self.conn.execute(delete(table).where(table.c[column].in_(chunk)))
        self.upsert(table, rows)

    def write(self, batch: RecordBatch) -> None:
        b = RecordBatch(**{kind: _last(getattr(batch, kind), "ref" if kind == "customers"
                                       else "sku" if kind == "products" else "id")
                           for kind in RecordBatch.KINDS})
        self.upsert(t.product_lines, [pl.__dict__.copy() for pl in b.product_lines])
        self.upsert(t.products, [p.__dict__.copy() for p in b.products])
        self.upsert(t.customers, [
            {"ref": c.ref, "name": c.name, "email": c.email, "language": c.language,
             "tags": list(c.tags), "lifetime_value": c.lifetime_value,
             "currency": c.currency, "created_at": _utc(c.created_at),
             "updated_at": self.now} for c in b.customers])
        self.replace_children(
            t.customer_contacts, "customer_ref", [c.ref for c in b.customers],
            [{"channel": ch, "contact_id": cid, "customer_ref": c.ref}
             for c in b.customers for ch, cid in c.contacts])
        self.upsert(t.orders, [{**{k: v for k, v in o.__dict__.items() if k != "lines"},
                                **{k: _utc(getattr(o, k)) for k in (
                                    "placed_at", "dispatched_at", "delivered_at",
                                    "expected_at")},
                                "updated_at": self.now} for o in b.orders])
        self.replace_children(
            t.order_lines, "order_id", [o.id for o in b.orders],
            [{"order_id": o.id, "line_no": n, "sku": li.sku, "name": li.name,
              "quantity": li.quantity, "unit_price": li.unit_price}
             for o in b.orders for n, li in enumerate(o.lines, start=1)])
        self.upsert(t.carts, [{**{k: v for k, v in c.__dict__.items() if k != "lines"},
                               "updated_at": _utc(c.updated_at),
                               "lines": [li.__dict__.copy() for li in c.lines]}
                              for c in b.carts])
        self.upsert(t.returns, [{**r.__dict__, "requested_at": _utc(r.requested_at)}
                                for r in b.returns])
        self.upsert(t.refunds, [{**r.__dict__, "created_at": _utc(r.created_at)}
                                for r in b.refunds])
        self.upsert(t.interactions, [{**i.__dict__, "started_at": _utc(i.started_at)}
                                     for i in b.interactions])


def _last(items: list[Any], key: str) -> list[Any]:
    """One entity per key, the last one given (a later file corrects an earlier one)."""
    return list({getattr(x, key): x for x in items}.values())


__all__ = ["SqlCommerceRecord", "reading_engine"]
