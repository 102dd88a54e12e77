"""Personal data out of the logs: one redaction applied to every log record.

`install()` (called by `bootstrap()` and by `warmline serve`, so by every process that
logs) wraps the logging record factory: each record's message, arguments and traceback
text are redacted the moment the record is made, before any handler, formatter or test
capture sees it. `RedactPII` is the same redaction as a `logging.Filter`, for handlers
configured elsewhere (a logging config file).

Redacted, best effort:

- e-mail addresses -> `[email]`;
- card-like numbers: runs of 13-19 digits (spaces or hyphens allowed) that pass the Luhn
  check -> `[card]`;
- phone numbers: 9-15 digits, optionally `+`-prefixed, grouped by spaces, hyphens, dots
  or parentheses (E.164 allows at most 15) -> `[phone]`; ISO dates are left alone;
- street addresses: a house number, one to four capitalised words and a street word
  (`221B Baker Street`, `12 Rue de Rivoli`, `Hauptstraße 5`) -> `[address]`.

With `WARMLINE_LOG_FORMAT=json`, `warmline serve` writes each line as one JSON object
(`JsonFormatter`, wired by `serve_log_config`): the same records, so the same redaction.

Kept: order numbers (`#10432`, `order 1043`), amounts, dates and times, IPv4
addresses (uvicorn's access log starts with the client's), ids that mix letters and
digits. A long digit-only id (a 10-digit epoch time...) reads as a phone number and is
redacted too: over-redaction is the safe side.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?![\w])")
PHONE = re.compile(
    r"(?<![\w#.])"  # not inside a word, an order number or a dotted number
    r"(?!\d{4}-\d{2}-\d{2}\b)"  # not an ISO date
    r"(?!\d{1,3}(?:\.\d{1,3}){3}(?![\d.]))"  # not an IPv4 address
    r"(?:\+|00)?\(?\d++\)?(?:[ .-]?\(?\d++\)?)*+(?![\w])")  # possessive: no backtracking
_STREET_WORDS = (r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|"
                 r"Blvd\.?|Way|Court|Ct\.?|Place|Pl\.?|Square|Sq\.?|Terrace|Close|Crescent|"
                 r"Gardens|Parkway|Highway|Hwy")
ADDRESS = re.compile(
    # 221B Baker Street, 10 Downing St, 1600 Pennsylvania Avenue NW
    r"\b\d{1,5}[A-Za-z]?,? (?:[A-Z][\w'’.-]*,? ){1,4}(?i:" + _STREET_WORDS + r")(?![\w])"
    # 12 Rue de Rivoli, 5 Calle Mayor, 3 Via Roma
    r"|\b\d{1,5}[A-Za-z]?,? (?:Rue|Calle|Via|Avenida|Rua|Boulevard) (?:[\w'’-]+ ?){1,4}"
    # Hauptstraße 5, Kirchweg 12a
    r"|\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|damm|ring)"
    r" \d{1,4}[a-z]?\b")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[card]" if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group()


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return "[phone]" if 9 <= digits <= 15 else match.group()


def redact(text: str) -> str:
    """`text` with e-mails, card-like numbers, phone numbers and addresses replaced."""
    if not any(ch.isdigit() or ch == "@" for ch in text):
        return text  # nothing here can match: the common case, kept cheap
    text = EMAIL.sub("[email]", text)
    text = CARD.sub(_card, text)
    text = ADDRESS.sub("[address]", text)
    return PHONE.sub(_phone, text)


def _redact_value(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value  # numbers keep their type for %d / %.2f
    shown = str(value)
    cleaned = redact(shown)
    return value if cleaned == shown else cleaned


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record in place: message, arguments and the traceback text."""
    if getattr(record, "_warmline_redacted", False):
        return record
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    else:
        record.msg = _redact_value(record.msg)
    if isinstance(record.args, Mapping):
        record.args = {k: _redact_value(v) for k, v in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_redact_value(a) for a in record.args)
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._warmline_redacted = True
    return record


class RedactPII(logging.Filter):
    """The redaction as a filter, for handlers set up outside Warmline."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Redact every log record of this process from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_warmline_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    redacting: Callable[..., logging.LogRecord] = factory
    redacting._warmline_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, process, message, and the
    traceback when there is one. The record is redacted first (a no-op when `install()`
    already did it), so JSON lines carry no more personal data than text ones."""

    def format(self, record: logging.LogRecord) -> str:
        redact_record(record)
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "process": record.process,
            "message": record.getMessage()}
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def serve_log_config(log_format: str) -> dict[str, Any] | None:
    """The `logging.config.dictConfig` for `warmline serve` (uvicorn applies it in every
    worker): None keeps uvicorn's text lines; `json` sends uvicorn's and Warmline's
    records, at INFO, through `JsonFormatter` to standard error. Other libraries' loggers
    stay at WARNING (SQLAlchemy would log every statement at INFO)."""
    if log_format != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    quiet = {"handlers": ["json"], "level": "INFO", "propagate": False}
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
            "handlers": {"json": handler},
            "loggers": {"uvicorn": quiet, "uvicorn.error": {"level": "INFO"},
                        "uvicorn.access": quiet, "warmline": quiet},
            "root": {"handlers": ["json"], "level": "WARNING"}}
