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


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    """A record made as a logger makes it, without the installed redacting factory."""
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("warmline.test.json", logging.WARNING, __file__, 1, msg, args,
                             exc_info)


def test_json_log_lines_are_one_object_each_with_the_same_redaction_as_text() -> None:
    import json

    from warmline.logs import JsonFormatter

    try:
        raise ValueError("bad card 4111111111111111 from ana@example.com")
    except ValueError as caught:
        error = caught
    line = JsonFormatter().format(_record("customer %s wrote about order %d",
                                          "ana@example.com", 10432, exc=error))
    assert "\n" not in line  # one line a record, even with a traceback
    entry = json.loads(line)
    assert entry["message"] == "customer [email] wrote about order 10432"
    assert entry["level"] == "WARNING" and entry["logger"] == "warmline.test.json"
    assert entry["time"].endswith("+00:00")
    assert "ValueError: bad card [card] from [email]" in entry["exception"]
    assert "4111111111111111" not in line and "ana@example.com" not in line


def test_the_serve_log_config_sends_uvicorn_and_warmline_records_through_json() -> None:
    import io
    import json
    import logging.config

    from warmline.logs import serve_log_config

    assert serve_log_config("text") is None  # uvicorn's own text lines
    config = serve_log_config("json")
    assert config is not None
    stream = io.StringIO()
    config["handlers"]["json"]["stream"] = stream
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).level,
                    logging.getLogger(name).propagate)
             for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "warmline",
                          "sqlalchemy.engine")}
    try:
        logging.config.dictConfig(config)
        logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5",
                                                 "GET", "/v1/customers/bo@example.org",
                                                 "1.1", 200)
        logging.getLogger("warmline.sweeper").info("sweep: nothing due")
        logging.getLogger("sqlalchemy.engine").info("SELECT 1")  # below WARNING: not shown
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["logger"] for e in entries] == ["uvicorn.access", "warmline.sweeper"]
    assert entries[0]["message"] == '127.0.0.1:5 - "GET /v1/customers/[email] HTTP/1.1" 200'
