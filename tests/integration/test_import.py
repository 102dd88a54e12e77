"""Importing the commerce record: JSON, CSV and Shopify-shaped files, all or nothing.

A malformed file reports every bad row by number with the field named, and nothing
from it (or from the other files of the same import) is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from warmline.adapters.commerce.sql import SqlCommerceRecord
from warmline.adapters.storage import schema as t
from warmline.bootstrap import parse_import_file
from warmline.demo.export import to_json
from warmline.demo.store import build
from warmline.entrypoints.cli.main import app
from warmline.service.importing import import_files

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "record"
runner = CliRunner()


@pytest.fixture
def store(sqlite_url: str) -> SqlCommerceRecord:
    return SqlCommerceRecord(sqlite_url)


def _count(store: SqlCommerceRecord, table: t.Table) -> int:
    with store.reader.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_shopify_orders_import_with_customers_fulfilments_and_refunds(
        store: SqlCommerceRecord) -> None:
    report = import_files([FIXTURES / "shopify_orders.json"], store=store, parse=parse_import_file)
    assert report.errors == [] and report.counts == {"customers": 2, "orders": 3,
                                                     "refunds": 1}
    maria = store.customer_record("207119551")
    assert maria is not None
    assert (maria.customer.name, maria.customer.tags) == ("Maria Keller", ("vip", "newsletter"))
    assert maria.customer.lifetime_value == 2350.0
    assert ("phone", "+4915550001") in maria.customer.contacts
    o = maria.order("#1043")
    assert o is not None and o.status == "delivered" and o.carrier == "DHL"
    assert o.delivered_at is not None and o.delivered_at.isoformat() == "2026-10-22T15:30:00+00:00"
    assert o.tracking_url == "https://www.dhl.com/track?JD014600003"
    assert o.discount_code == "WELCOME10" and o.shipping_address is not None
    assert [r.amount for r in maria.refunds] == [20.0]  # the failed transaction is not money
    tom = store.customer_record("207119552")
    assert tom is not None and [x.status for x in tom.orders] == ["refunded", "paid"]
    assert tom.order("1044").lines[0].sku == "39072856"  # type: ignore[union-attr]


def test_csv_customers_and_orders_with_several_lines_per_order(
        store: SqlCommerceRecord) -> None:
    report = import_files([FIXTURES / "orders.csv", FIXTURES / "customers.csv"], store=store,
                          parse=parse_import_file)
    assert report.errors == [], [str(e) for e in report.errors]
    ana = store.customer_record("c-1")
    assert ana is not None and ana.customer.language == "pt"
    assert ana.customer.contacts == (("whatsapp", "+351910000001"),)
    order = ana.order("5001")
    assert order is not None and [li.name for li in order.lines] == ["Aurora Blender",
                                                                     "Wool Socks"]
    assert store.find_customer("web", "visitor-9") == "c-2"


def test_a_malformed_csv_reports_every_bad_line_and_stores_nothing(
        store: SqlCommerceRecord) -> None:
    report = import_files([FIXTURES / "customers.csv", FIXTURES / "bad_orders.csv"],
                          store=store, parse=parse_import_file)
    got = [(e.source, e.row, e.field) for e in report.errors]
    assert got == [("bad_orders.csv", 5, "line_quantity"), ("bad_orders.csv", 2, "total"),
                   ("bad_orders.csv", 3, "status"), ("bad_orders.csv", 4, "currency"),
                   ("bad_orders.csv", 6, "customer_ref")]
    assert all(e.unit == "line" for e in report.errors)
    assert "got 'abc'" in report.errors[1].message and "c-404" in report.errors[4].message
    assert not report.stored
    assert _count(store, t.customers) == 0 and _count(store, t.orders) == 0  # not even the
    # good customers.csv: one import, one transaction


def test_a_malformed_json_reports_every_bad_row_by_section_and_number(
        store: SqlCommerceRecord) -> None:
    report = import_files([FIXTURES / "bad_record.json"], store=store, parse=parse_import_file)
    got = {(e.section, e.row, e.field) for e in report.errors}
    assert got == {("widgets", 1, "widgets"), ("customers", 2, "ref"),
                   ("customers", 3, "language"), ("orders", 2, "id"),
                   ("orders", 3, "total"), ("refunds", 1, "amount")}
    shown = {str(e) for e in report.errors}
    assert "bad_record.json: orders row 2: id: '7001' already appears in row 1" in shown
    assert "bad_record.json: refunds row 1: amount: 999.00 is more than the order's total " \
           "20.00" in shown
    assert _count(store, t.customers) == 0


def test_references_to_rows_already_in_the_database_are_fine(
        store: SqlCommerceRecord, tmp_path: Path) -> None:
    assert import_files([FIXTURES / "customers.csv"], store=store, parse=parse_import_file).stored
    later = tmp_path / "orders.json"
    later.write_text(json.dumps({"orders": [{"id": "9", "customer_ref": "c-1",
                                             "status": "paid", "total": 5}]}))
    report = import_files([later], store=store, parse=parse_import_file)
    assert report.stored and report.counts == {"orders": 1}


def test_importing_the_same_file_twice_updates_in_place(store: SqlCommerceRecord) -> None:
    for _ in range(2):
        assert import_files([FIXTURES / "shopify_orders.json"], store=store,
                            parse=parse_import_file).stored
    assert _count(store, t.orders) == 3 and _count(store, t.order_lines) == 3


def test_the_demo_store_round_trips_through_its_json_export(
        store: SqlCommerceRecord, tmp_path: Path) -> None:
    batch = build()
    path = tmp_path / "record.json"
    path.write_text(json.dumps(to_json(batch)))
    report = import_files([path], store=store, parse=parse_import_file)
    assert report.errors == [] and report.counts["customers"] == len(batch.customers)
    assert _count(store, t.orders) == len(batch.orders)


def test_the_cli_imports_with_a_summary(sqlite_url: str) -> None:
    result = runner.invoke(app, ["import", str(FIXTURES / "shopify_orders.json"), "--url",
                                 sqlite_url])
    assert result.exit_code == 0, result.output
    assert "orders" in result.output and "one transaction" in result.output


def test_the_cli_lists_every_bad_row_and_exits_non_zero(sqlite_url: str) -> None:
    result = runner.invoke(app, ["import", str(FIXTURES / "bad_orders.csv"), "--url",
                                 sqlite_url])
    assert result.exit_code == 1
    assert "nothing was stored" in result.output
    for where in ("orders line 2", "orders line 3", "orders line 4", "orders line 5"):
        assert where in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml"], "--format"),
    (["--kind", "widgets"], "unknown kind"),
])
def test_the_cli_names_a_bad_option(sqlite_url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["import", str(FIXTURES / "orders.csv"), "--url", sqlite_url,
                                 *args])
    assert result.exit_code in (1, 2) and message in result.output
