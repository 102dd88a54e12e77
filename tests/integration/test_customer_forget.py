"""`warmline customer forget REF`: the customer's words, package and record rows are gone
from every table, another customer's are untouched, and the metrics are unchanged."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from tests.http_client import admin_client
from tests.integration.conftest import demo_app
from typer.testing import CliRunner

from warmline.adapters.storage.schema import COMMERCE_TABLES
from warmline.entrypoints.cli.main import app
from warmline.service.views.metrics import live_metrics

runner = CliRunner()
ADDRESS = "12 Birch Lane"


def _customer_with_whatsapp(url: str) -> tuple[str, str, str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT c.ref, c.name, c.email, k.contact_id FROM customers c JOIN "
            "customer_contacts k ON k.customer_ref = c.ref AND k.channel = 'whatsapp' "
            "WHERE c.email IS NOT NULL ORDER BY c.ref LIMIT 1")).one()
    engine.dispose()
    return row.ref, row.name, row.email, row.contact_id


def test_forgetting_a_customer_erases_them_everywhere_and_keeps_the_metrics(
        demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    url = f"sqlite:///{db}"
    ref, name, email, phone = _customer_with_whatsapp(url)
    wl = demo_app(url)
    complaint = (f"This is {name}, {email}. My parcel to {ADDRESS} never came and I want "
                 "my money back NOW, this is ridiculous!!")
    with admin_client(wl) as http:
        for cid, channel, customer, words in (
                (f"wa-{phone}", "whatsapp", None, complaint),
                ("web-77", "api", ref, f"Still waiting, {name} here. Get me a human."),
                ("other-1", "api", "cust-0300", "Where is my order? I want a person.")):
            r = http.post(f"/v1/conversations/{cid}/messages", json={
                "message_id": f"{cid}-1", "text": words, "channel": channel,
                **({"customer_ref": customer} if customer else {})})
            assert r.status_code == 201, r.text
        assert http.get(f"/v1/conversations/wa-{phone}/context").status_code == 200
        other_before = http.get("/v1/conversations/other-1").json()
    engine = create_engine(url)
    with engine.begin() as conn:  # a template resend is logged under a key of its own
        conn.execute(text(
            "INSERT INTO outbox (key, conversation_id, channel, kind, state, attempts, "
            "provider_message_id, created_at, updated_at) VALUES (:k, '', 'whatsapp', '', "
            "'sent', 1, 'wamid.resent', :t, :t)"),
            {"k": f"wa-{phone}:expectation:1:template", "t": datetime.now(UTC)})
    engine.dispose()
    now = datetime.now(UTC) + timedelta(seconds=5)
    before = live_metrics(wl.uow, now)
    dump_before = "\n".join(sqlite3.connect(db).iterdump())
    assert phone in dump_before and email in dump_before and ADDRESS in dump_before

    result = runner.invoke(app, ["customer", "forget", ref, "--yes", "--url", url,
                                 "--conversation", "web-77"])
    assert result.exit_code == 0, result.output
    assert "2 conversation(s)" in result.output

    dump_after = "\n".join(sqlite3.connect(db).iterdump())
    for personal in (phone, email, name, ADDRESS, ref, "ridiculous"):
        assert personal not in dump_after, personal
    after = live_metrics(wl.uow, now)
    assert replace(after, handoffs=[]) == replace(before, handoffs=[])  # every figure
    facts = {h.handoff_id: replace(h, conversation_id="") for h in before.handoffs}
    assert {h.handoff_id: replace(h, conversation_id="") for h in after.handoffs} == facts
    assert len(facts) == 3
    with admin_client(demo_app(url)) as http:
        assert http.get("/v1/conversations/other-1").json() == other_before
        ids = http.get("/v1/conversations").json()["ids"]
        forgotten = [i for i in ids if i.startswith("forgotten-")]
        assert len(forgotten) == 2 and f"wa-{phone}" not in ids
        for cid in forgotten:  # still readable: the shape is kept, the words are not
            view = http.get(f"/v1/conversations/{cid}")
            assert view.status_code == 200
            assert "[erased]" in view.text
        assert http.get(f"/v1/customers/{ref}").status_code == 404


def test_forgetting_an_unknown_conversation_changes_nothing(demo_db: Path,
                                                           tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    url = f"sqlite:///{db}"
    dump_before = "\n".join(sqlite3.connect(db).iterdump())
    result = runner.invoke(app, ["customer", "forget", "cust-0300", "--yes", "--url", url,
                                 "--conversation", "no-such-thread"])
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "no-such-thread" in said and "nothing was erased" in said
    assert "\n".join(sqlite3.connect(db).iterdump()) == dump_before


def test_forgetting_works_the_same_on_postgresql(pg_demo_client: TestClient,
                                                 postgres_url: str) -> None:
    ref, name, email, phone = _customer_with_whatsapp(postgres_url)
    try:
        _forget_on(pg_demo_client, postgres_url, ref, name, email, phone)
    finally:  # the session's schema is shared: the next test gets the whole demo store
        engine = create_engine(postgres_url)
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE " + ", ".join(t.name for t in COMMERCE_TABLES))
        engine.dispose()


def _forget_on(pg_demo_client: TestClient, postgres_url: str, ref: str, name: str,
               email: str, phone: str) -> None:
    r = pg_demo_client.post(f"/v1/conversations/wa-{phone}/messages", json={
        "message_id": f"wamid-{phone}-1", "channel": "whatsapp",
        "text": f"{name} here ({email}): the parcel to {ADDRESS} never came, refund me!!"})
    assert r.status_code == 201
    result = runner.invoke(app, ["customer", "forget", ref, "--yes", "--url", postgres_url])
    assert result.exit_code == 0, result.output
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        everything = " ".join(str(v) for table in (
            "events", "conversations", "inbound_messages", "handoffs", "customers",
            "customer_contacts", "orders") for row in conn.execute(
            text(f"SELECT * FROM {table}")) for v in row)
    engine.dispose()
    for personal in (phone, email, name, ADDRESS):
        assert personal not in everything, personal
    assert "forgotten-" in everything
