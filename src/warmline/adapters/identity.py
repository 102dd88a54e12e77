"""One customer, one phone number: contacts in E.164, whatever format a source wrote.

The record may hold `+44 7708 457810`, WhatsApp sends `447708457810` (its `wa_id`: the
international number without the plus), a Shopify address `07708 457810` beside its
country, a CSV `0044 7708 457810`. Every adapter that stores or looks up a phone number
passes it through `e164` first (`phonenumbers`, Google's libphonenumber port), so a lookup
matches whichever source wrote it, and erasure finds a thread by the same key.
"""

from __future__ import annotations

import re

import phonenumbers

_DIGITS = re.compile(r"\d")


def e164(raw: str | None, region: str | None = None) -> str | None:
    """`raw` as E.164 (`+447708457810`), or None when it is not a possible phone number.

    A number written without an international prefix is read in `region` (an ISO 3166
    country code, e.g. the address's `GB`) first; without a region, digits alone are taken
    as international (WhatsApp ids, `447708457810`)."""
    if not raw:
        return None
    text = raw.strip()
    if len(_DIGITS.findall(text)) < 6 or len(text) > 40:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        return _parse(text, None)
    if region:  # written for the address's country first, else as international digits
        return _parse(text, region.upper()) or _parse("+" + text, None)
    return _parse("+" + text, None)


def _parse(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def same_phone(a: str | None, b: str | None, region: str | None = None) -> bool:
    """Do two written numbers name the same phone?"""
    x, y = e164(a, region), e164(b, region)
    return x is not None and x == y
