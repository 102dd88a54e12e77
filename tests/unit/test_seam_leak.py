"""Seam leaks: what the customer restated or the person asked that the package held."""

from __future__ import annotations

from warmline.domain.seam.leaks import leaks

PACKAGE = {"refs": {"order_ids": ["1042"]},
           "summary": {"wants": "a refund for the damaged blender in order 1042",
                       "tried": "restarted it and checked the fuse"},
           "quotes": [{"turn": 1, "text": "the blender arrived cracked and won't start"}]}


def items(who: str, text: str) -> list[str]:
    return [leak.item for leak in leaks(PACKAGE, who, text)]


def test_a_customer_repeating_the_order_number_the_package_held_is_a_leak() -> None:
    assert items("customer", "it's order #1042") == ["order_number"]


def test_a_customer_restating_the_problem_is_a_leak() -> None:
    assert "problem" in items("customer", "my blender arrived cracked and won't start")


def test_a_customer_saying_they_already_tried_is_a_leak() -> None:
    assert items("customer", "I already tried that, like I said") == ["tried"]


def test_a_person_asking_for_what_the_package_held_is_a_leak() -> None:
    assert items("human", "Hi! What's your order number?") == ["order_number"]
    assert items("human", "Sorry to hear that, what seems to be the problem?") == ["problem"]
    assert items("human", "Have you tried restarting it?") == ["tried"]


def test_new_information_is_not_a_leak() -> None:
    assert items("customer", "I can send a photo of the box if useful") == []
    assert items("human", "I've issued the refund, you'll see it in 3 days") == []
    assert items("customer", "order 7777 is a different one") == []


def test_a_leak_already_seen_for_the_handoff_is_not_counted_twice() -> None:
    assert leaks(PACKAGE, "customer", "order 1042!", seen=[("customer", "order_number")]) == []
