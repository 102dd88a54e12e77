"""Phone numbers from every source meet in one E.164 form (adapters/identity.py)."""

import pytest

from warmline.adapters.identity import e164, same_phone


@pytest.mark.parametrize(("raw", "region", "expected"), [
    ("+447708457810", None, "+447708457810"),  # the record
    ("447708457810", None, "+447708457810"),  # WhatsApp's wa_id: no plus
    ("+44 7708 457810", None, "+447708457810"),  # written for people
    ("0044 7708 457810", None, "+447708457810"),  # international prefix 00
    ("07708 457810", "GB", "+447708457810"),  # national, with the address's country
    ("555-625-1199", "US", "+15556251199"),  # Shopify's free-form address phone
    ("+1 (613) 612-0707", None, "+16136120707"),
])
def test_every_way_of_writing_a_number_gives_its_e164_form(raw: str, region: str | None,
                                                         expected: str) -> None:
    assert e164(raw, region) == expected


@pytest.mark.parametrize("raw", ["", None, "n/a", "12", "wa-abc", "x" * 50,
                                 "9" * 300, "07708 457810"])
def test_what_is_not_a_possible_number_gives_none(raw: str | None) -> None:
    assert e164(raw) is None  # a national number without its country cannot be placed


def test_two_spellings_of_one_phone_are_the_same_phone() -> None:
    assert same_phone("447708457810", "+44 7708 457810")
    assert not same_phone("447708457810", "447708457811")
    assert not same_phone(None, None)
