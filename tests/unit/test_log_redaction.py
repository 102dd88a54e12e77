"""Personal data is redacted from log lines; order numbers, amounts and dates survive."""

from __future__ import annotations

import logging

import pytest

from warmline.logs import RedactPII, install, luhn_valid, redact


@pytest.mark.parametrize(("text", "expected"), [
    ("reach me at maria.keller+shop@example.co.uk please",
     "reach me at [email] please"),
    ("Call me on +44 20 7946 0958 tomorrow", "Call me on [phone] tomorrow"),
    ("my number is (555) 123-4567.", "my number is [phone]."),
    ("WhatsApp 16505551234 wrote", "WhatsApp [phone] wrote"),
    ("POST /v1/conversations/wa-16505551234/messages",
     "POST /v1/conversations/wa-[phone]/messages"),
    ("+49 30 901820", "[phone]"),
    ("paid with 4111 1111 1111 1111 yesterday", "paid with [card] yesterday"),
    ("card 5555-5555-5555-4444", "card [card]"),
    ("ship it to 221B Baker Street, London", "ship it to [address], London"),
    ("deliver to 1600 Pennsylvania Avenue NW", "deliver to [address] NW"),
    ("new address: Hauptstraße 5, Berlin", "new address: [address], Berlin"),
])
def test_personal_data_is_replaced_by_its_kind(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Where is order #10432?",
    "order 1043 was €184.00, refund 92.50",
    "delivered 2026-11-25 14:00, 34 days ago",
    "at 2026-11-25T14:00:00.123456+00:00",
    "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTFCMEE2",
    "handoff h-3f2a9c1e queued in retention at priority 60",
    "I waited 3 days on the road to get 2 mugs",
    "tracking 1Z999AA10123456784",
    "4111-1111-1111-1112 is not a valid card",  # Luhn fails; 16 digits: too long for a phone
    '192.168.100.200:54321 - "POST /v1/conversations/c-1/messages HTTP/1.1" 201',
    "version 1.10.2 of 2026.11.1",
])
def test_order_numbers_amounts_dates_and_ids_survive(text: str) -> None:
    assert redact(text) == text


def test_the_luhn_check_tells_card_numbers_from_other_long_numbers() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")


def test_a_very_long_digit_run_is_handled_quickly_and_kept() -> None:
    text = "1" * 5000 + "x"
    assert redact(text) == text  # no catastrophic backtracking; not a phone or card


def test_the_filter_redacts_message_arguments_and_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("warmline.test.redaction")
    log.addFilter(RedactPII())
    try:
        with caplog.at_level(logging.DEBUG, logger="warmline.test.redaction"):
            log.info("customer %s wrote from %s about order %d", "ana@example.com",
                     "+1 650 555 1234", 10432)
            try:
                raise ValueError("bad card 4111111111111111")
            except ValueError:
                log.exception("failed for %(who)s", {"who": "bo@example.org"})
    finally:
        log.filters.clear()
    assert caplog.records[0].getMessage() == "customer [email] wrote from [phone] about order 10432"
    assert caplog.records[1].getMessage() == "failed for [email]"
    assert "4111111111111111" not in caplog.text and "[card]" in caplog.text


def test_once_installed_every_logger_redacts_before_any_handler_sees_the_record(
        caplog: pytest.LogCaptureFixture) -> None:
    install()
    install()  # idempotent: one wrapping, not two
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").info("sent to %s", "maria@example.com")
    assert caplog.records[-1].getMessage() == "sent to [email]"
    factory = logging.getLogRecordFactory()
    assert getattr(factory, "_warmline_redacting", False)
