"""What the bot may go through while the customer waits (domain/seam/waiting.py), and the
seam leaks that come from asking for it again (domain/seam/leaks.py)."""

from __future__ import annotations

from typing import Any

import pytest

from warmline.domain.errors import PolicyError
from warmline.domain.policy import Policy
from warmline.domain.seam.leaks import leaks
from warmline.domain.seam.waiting import (
    Checked,
    WaitingRules,
    answer,
    checklist,
    is_media,
    next_detail,
    plan,
)

YES, NO = ("yes", "yep", "that's right"), ("no", "nope", "wrong")


def package(status: str = "dispatched", **order: Any) -> dict[str, Any]:
    o = {"id": "1043", "status": status, "tracking_url": "https://t.example/1",
         "shipping_address": "Lindenstrasse 5, Berlin", "delivered_at": None,
         "carrier": "DHL", "lines": [{"name": "Aurora Blender"}, {"name": "Jug"}], **order}
    return {"refs": {"order_ids": ["1043"]}, "record": {"orders": [o]}}


def test_the_plan_follows_the_policys_order_and_reads_values_from_the_record() -> None:
    details = plan(package(), WaitingRules(), ["my blender arrived cracked"])
    assert [d.item for d in details] == ["order_number", "damage_photos", "address",
                                        "tracking_link"]
    assert details[0].values == {"order": "1043", "items": "Aurora Blender and 1 more"}
    assert details[2].values["address"] == "Lindenstrasse 5, Berlin"
    assert details[3].values["tracking_url"] == "https://t.example/1"


def test_photos_are_asked_only_for_a_damage_complaint() -> None:
    items = [d.item for d in plan(package(), WaitingRules(), ["where is my parcel?"])]
    assert "damage_photos" not in items and "order_number" in items


def test_a_delivered_order_needs_no_address_or_tracking_unless_the_policy_says_so() -> None:
    delivered = package("delivered", delivered_at="2026-11-20T10:00:00+00:00")
    assert [d.item for d in plan(delivered, WaitingRules(), [])] == ["order_number"]
    rules = WaitingRules(address_after_delivery=True, tracking_after_delivery=True)
    assert [d.item for d in plan(delivered, rules, [])] == ["order_number", "address",
                                                            "tracking_link"]


def test_nothing_is_invented_without_an_order_in_the_record() -> None:
    assert plan({"refs": {"order_ids": []}, "record": None}, WaitingRules(),
                ["it arrived broken"])[0].item == "damage_photos"
    assert plan({"refs": {"order_ids": ["9"]}, "record": {"orders": []}}, WaitingRules(),
                ["where is it"]) == []


def test_the_policy_chooses_and_orders_the_items_and_refuses_unknown_ones() -> None:
    rules = WaitingRules(confirm=("tracking_link", "order_number"))
    assert [d.item for d in plan(package(), rules, [])] == ["tracking_link", "order_number"]
    with pytest.raises(PolicyError, match=r"waiting\.confirm"):
        Policy.from_mapping({"version": "x", "waiting": {"confirm": ["shoe_size"]}})


@pytest.mark.parametrize(("reply", "outcome"), [
    ("Yes", "confirmed"), ("yep, that's it", "confirmed"), ("That's right!", "confirmed"),
    ("No, it's order 1050", "disputed"), ("wrong address", "disputed"),
    ("how long will it take?", None), ("yesterday it came", None), ("", None),
])
def test_a_yes_or_no_answers_a_confirmation_and_anything_else_does_not(
        reply: str, outcome: str | None) -> None:
    order = plan(package(), WaitingRules(), [])[0]
    assert answer(order, reply, YES, NO) == outcome


def test_only_a_photo_or_file_answers_the_request_for_photos() -> None:
    photos = plan(package(), WaitingRules(), ["it is broken"])[1]
    assert answer(photos, "[image] The lamp arrived broken", YES, NO) == "received"
    assert answer(photos, "[document: damage.pdf]", YES, NO) == "received"
    assert answer(photos, "yes I will send one", YES, NO) is None
    assert is_media("[video]") and not is_media("an [image] in words")


def test_each_detail_is_gone_through_once_per_value() -> None:
    details = plan(package(), WaitingRules(), [])
    done = [Checked("order_number", "confirmed", "#1043")]
    nxt = next_detail(details, done)
    assert nxt is not None and nxt.item == "address"
    later = package(id="1050")  # a later handoff, about another order
    later["refs"]["order_ids"] = ["1050"]
    again = next_detail(plan(later, WaitingRules(), []), done)
    assert again is not None and again.item == "order_number"


def test_the_checklist_shows_the_latest_word_on_each_item() -> None:
    details = plan(package(), WaitingRules(), [])
    rows = checklist([Checked("order_number", "confirmed", "#1043", "yes"),
                      Checked("address", "disputed", "Lindenstrasse 5, Berlin", "no")],
                     asked=[details[0], details[1], details[2]])
    assert [(r["item"], r["state"]) for r in rows] == [
        ("order_number", "done"), ("address", "disputed"), ("tracking_link", "asked")]


def test_a_person_asking_for_a_confirmed_address_or_received_photos_is_a_leak() -> None:
    pkg = {"refs": {"order_ids": []}, "summary": {}}
    said = "Could you send us a photo of the damage? And what's your delivery address?"
    assert leaks(pkg, "human", said) == []  # nothing was confirmed: fair questions
    found = leaks(pkg, "human", said, confirmed=["address", "damage_photos"])
    assert {(f.who, f.item) for f in found} == {("human", "address"),
                                               ("human", "damage_photos")}
    assert leaks(pkg, "human", "What's your order number?",
                 confirmed=["order_number"])[0].item == "order_number"
