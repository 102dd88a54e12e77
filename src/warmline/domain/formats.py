"""Formatting figures for people: money with its symbol, short dates, ordinals."""

from __future__ import annotations

from datetime import datetime

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
                 7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}


def money(amount: float, currency: str | None) -> str:
    """"€184.00", "$249.99", "1,299.00 CHF"."""
    code = (currency or "EUR").upper()
    symbol = SYMBOLS.get(code)
    figure = f"{amount:,.2f}"
    return f"{symbol}{figure}" if symbol else f"{figure} {code}"


def day(moment: datetime) -> str:
    """"14 Oct 2026"."""
    return f"{moment.day} {moment:%b %Y}"


def ordinal(n: int) -> str:
    return ORDINAL_WORDS.get(n, f"{n}th")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
