"""One contract for every CommerceRecord: memory, SQLite, PostgreSQL and the live HTTP API.

Every implementation answers the same customer record for the same data: the customer
and contacts, orders with their lines and product lines, carts, returns, refunds and
past interactions, in the same order; unknown customers are None, not errors. The
writable ones (memory, SQL) also take imports whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.fake_commerce_api import serve
from tests.samples import sample_batch

from warmline.adapters.commerce.http import HttpCommerceRecord
from warmline.adapters.commerce.memory import MemoryCommerceRecord
from warmline.adapters.commerce.sql import SqlCommerceRecord, reading_engine
from warmline.adapters.storage import migrate
from warmline.adapters.storage import schema as t
from warmline.adapters.storage.engine import make_engine
from warmline.domain.record.commerce import Customer, Order, RecordBatch
from warmline.ports import CommerceRecord, RecordStore

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@dataclass
class RecordBackend:
    name: str
    record: CommerceRecord
    store: RecordStore  # where the test writes (the HTTP API's own store for "http")


def _sql(url: str) -> SqlCommerceRecord:
    return SqlCommerceRecord(reader=reading_engine(url), writer=make_engine(url))


@pytest.fixture(params=["memory", "sqlite", POSTGRES, "http"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RecordBackend]:
    """Every implementation of the record (the HTTP one reads a live fake API)."""
    yield from _open(request.param, request, tmp_path)


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def writable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RecordBackend]:
    """The implementations importers write to (the live API is read-only)."""
    yield from _open(request.param, request, tmp_path)


def _open(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RecordBackend]:
    if name == "memory":
        memory = MemoryCommerceRecord()
        yield RecordBackend("memory", memory, memory)
    elif name == "sqlite":
        url = f"sqlite:///{tmp_path / 'record.db'}"
        migrate.upgrade(url)
        sql = _sql(url)
        yield RecordBackend("sqlite", sql, sql)
        sql.reader.dispose()
        sql.writer.dispose()
    elif name == "postgres":
        engine: Engine = request.getfixturevalue("postgres_engine")
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE " + ", ".join(tb.name for tb in t.COMMERCE_TABLES))
        sql = SqlCommerceRecord(reader=engine, writer=engine)
        yield RecordBackend("postgres", sql, sql)
    else:
        memory = MemoryCommerceRecord()
        with serve(memory) as api:
            http = HttpCommerceRecord(api.url, timeout=2)
            yield RecordBackend("http", http, memory)
            http.close()


def test_a_customer_record_reads_back_whole_and_in_order(backend: RecordBackend) -> None:
    batch = sample_batch()
    backend.store.write(batch)
    record = backend.record.customer_record("c-1001")
    assert record is not None
    assert record.customer == replace(batch.customers[0], contacts=(
        ("email", "maria@example.com"), ("whatsapp", "+4915550001")))
    assert [o.id for o in record.orders] == ["0999", "1043"]  # oldest first
    blender = record.order("#1043")
    assert blender is not None and blender.lines[0].line_id == "kitchen"
    assert blender.delivered_at == batch.orders[0].delivered_at
    socks = record.order("0999")
    assert socks is not None and [li.line_id for li in socks.lines] == ["apparel", None]
    assert {pl.id for pl in record.product_lines} == {"kitchen", "apparel"}
    assert [r.id for r in record.refunds] == ["rf-1"] and record.refunded("0999") == 25.0
    assert [i.id for i in record.interactions] == ["hd-1", "hd-2"]
    assert record.interactions[1].handed_off is True
    assert len(record.fault_reports("1043")) == 2
    assert record.read_at is not None


def test_the_triggers_view_carries_the_figures_they_cite(backend: RecordBackend) -> None:
    backend.store.write(sample_batch())
    facts = backend.record.customer_facts("c-1001")
    assert facts is not None and facts.tags == ("vip",) and facts.lifetime_value == 2350.0
    blender = facts.order("1043")
    assert blender is not None
    assert (blender.warranty_days, blender.return_window_days) == (730, 30)
    assert blender.fault_reports == 2 and blender.tracking_url == "https://track.example/1043"
    socks = facts.order("0999")
    assert socks is not None and socks.outstanding == 17.0  # 42.00 less 25.00 refunded


def test_carts_keep_their_lines_and_payment_error(backend: RecordBackend) -> None:
    backend.store.write(sample_batch())
    record = backend.record.customer_record("c-2002")
    assert record is not None
    cart = record.open_cart()
    assert cart is not None and cart.payment_error == "card declined (insufficient funds)"
    assert [li.name for li in cart.lines] == ["Harbour Rain Jacket"]
    assert record.order("2077") is not None and record.order("2077").dispatched  # type: ignore[union-attr]


def test_unknown_customers_and_contacts_are_none(backend: RecordBackend) -> None:
    backend.store.write(sample_batch())
    assert backend.record.customer_record("nobody") is None
    assert backend.record.customer_facts("nobody") is None
    assert backend.record.find_customer("whatsapp", "+000") is None


def test_a_contact_id_finds_its_customer(backend: RecordBackend) -> None:
    backend.store.write(sample_batch())
    assert backend.record.find_customer("whatsapp", "+4915550001") == "c-1001"
    assert backend.record.find_customer("WhatsApp", "+4915550001") == "c-1001"
    assert backend.record.find_customer("web", "visitor-77") == "c-2002"


def test_writing_again_updates_in_place(backend: RecordBackend) -> None:
    batch = sample_batch()
    backend.store.write(batch)
    shipped = replace(batch.orders[2], status="delivered", delivered_at=batch.orders[2].placed_at,
                      lines=batch.orders[2].lines[:1])
    moved = replace(batch.customers[1], contacts=(("web", "visitor-78"),))
    backend.store.write(RecordBatch(customers=[moved], orders=[shipped]))
    record = backend.record.customer_record("c-2002")
    assert record is not None
    order = record.order("2077")
    assert order is not None and order.status == "delivered" and len(order.lines) == 1
    assert record.customer.contacts == (("web", "visitor-78"),)
    assert backend.record.find_customer("web", "visitor-77") is None


def test_a_write_that_names_an_unknown_customer_stores_nothing(
        writable: RecordBackend) -> None:
    backend = writable
    stray = Order("5555", "c-ghost", "paid", 10.0)
    with pytest.raises(ValueError, match="unknown references"):
        backend.store.write(RecordBatch(customers=[Customer("c-new")], orders=[stray]))
    assert backend.record.customer_record("c-new") is None
    assert backend.store.existing("orders", ["5555"]) == set()


def test_existing_reports_which_ids_are_stored(writable: RecordBackend) -> None:
    backend = writable
    backend.store.write(sample_batch())
    assert backend.store.existing("customers", ["c-1001", "c-9"]) == {"c-1001"}
    assert backend.store.existing("orders", ["1043", "2077", "x"]) == {"1043", "2077"}
    assert backend.store.existing("product_lines", ["kitchen"]) == {"kitchen"}


def test_sql_writes_are_one_transaction(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    migrate.upgrade(url)
    sql = _sql(url)
    batch = sample_batch()
    batch.refunds.append(replace(batch.refunds[0], id="rf-2", order_id="no-such-order"))
    with pytest.raises(ValueError):
        sql.write(batch)
    with sql.reader.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.customers)) == 0
        assert conn.scalar(select(func.count()).select_from(t.orders)) == 0
