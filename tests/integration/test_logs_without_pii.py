"""A real request carrying an e-mail address and a phone number leaves no trace of either
in the logs, even at DEBUG (where SQLAlchemy logs every statement with its parameters and
the HTTP client logs every URL)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.entrypoints.http.app import create_app

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
EMAIL, PHONE, DIGITS = "maria.keller@example.com", "+44 20 7946 0958", "447946095800"


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_a_message_with_an_email_and_phone_number_leaves_no_trace_in_the_logs(
        sqlite_url: str, caplog: pytest.LogCaptureFixture, level: int) -> None:
    caplog.set_level(level)
    # an operator debugging the database: every statement with its parameters (set before
    # the engine exists, which is when SQLAlchemy decides whether to log)
    caplog.set_level(level, logger="sqlalchemy.engine")
    wl = bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": sqlite_url,
                                    "WARMLINE_ADMIN_TOKEN": "test-admin-token",
                                    "WARMLINE_SIGNALS": "lexical"}),
                   record=StaticCommerceRecord.from_file(SCENARIOS / "record.json"))
    with TestClient(create_app(wl),
                    headers={"Authorization": "Bearer test-admin-token"}) as client:
        r = client.post(f"/v1/conversations/wa-{DIGITS}/messages", json={
            "message_id": "m1",
            "text": f"Please email me at {EMAIL} or call {PHONE} about order #10432"})
        assert r.status_code == 201
        assert client.get(f"/v1/conversations/wa-{DIGITS}").status_code == 200
    text = caplog.text
    assert caplog.records, "the request was logged"
    for secret in (EMAIL, PHONE, DIGITS, "7946"):
        assert secret not in text
    assert "[phone]" in text  # the URL and the stored text were logged, redacted
    assert "[email]" in text and "#10432" in text  # the statement parameters, redacted
