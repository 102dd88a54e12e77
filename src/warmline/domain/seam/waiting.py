"""Keeping the thread useful while the customer waits for a person (pure).

After a handoff the bot stops improvising, but it may still do the few things that save
the person time and the customer a repeat: confirm the order the conversation is about
and its delivery address (both read from the record snapshot in the context package),
ask for photos when the customer reports damage (any photo or file they send counts as
received), and share the order's tracking link. Each one is a `Detail`; the policy says
which, in what order (`waiting.confirm`), and words them (`messages.<language>`).

The bot goes through them one at a time: it asks, the customer answers (yes or no to a
confirmation; a photo to the request), the outcome is recorded as `DetailChecked`, then
the next one. Anything else the customer says is left for the person, as before; a
question that is no answer to what was asked never moves the list on.

Outcomes: `confirmed` (the customer said yes), `disputed` (they said no: the person
checks it with them), `received` (photos arrived), `shared` (the tracking link went out).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warmline.domain.errors import PolicyError

ORDER_NUMBER, DAMAGE_PHOTOS, ADDRESS, TRACKING_LINK = (
    "order_number", "damage_photos", "address", "tracking_link")
ITEMS = (ORDER_NUMBER, DAMAGE_PHOTOS, ADDRESS, TRACKING_LINK)

#: the outbound message kind for each item (OutboundRequested.kind)
KIND = {ORDER_NUMBER: "confirm_order", ADDRESS: "confirm_address",
        DAMAGE_PHOTOS: "ask_photos", TRACKING_LINK: "share_tracking"}
ITEM_OF_KIND = {kind: item for item, kind in KIND.items()}

CONFIRM, REQUEST, SHARE = "confirm", "request", "share"
ACTION = {ORDER_NUMBER: CONFIRM, ADDRESS: CONFIRM, DAMAGE_PHOTOS: REQUEST,
          TRACKING_LINK: SHARE}

CONFIRMED, DISPUTED, RECEIVED, SHARED = "confirmed", "disputed", "received", "shared"
DONE = frozenset({CONFIRMED, RECEIVED, SHARED})  # the person need not ask again

# How a photo, video or file reads in the transcript (channels.MediaReceived.as_text).
MEDIA = re.compile(r"^\[(image|video|document|sticker|audio)(: [^\]]*)?\]", re.IGNORECASE)


def _f(default: Any, help: str) -> Any:
    meta = {"help": help, "min": None, "max": None}
    if isinstance(default, list):
        frozen = tuple(default)
        return field(default_factory=lambda: frozen, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class WaitingRules:
    confirm: tuple[str, ...] = _f(
        list(ITEMS), "what the bot goes through while the customer waits, in this order "
        "(order_number, damage_photos, address, tracking_link); leave one out to skip it, "
        "[] to only answer \"how long now?\"")
    damage_words: tuple[str, ...] = _f(
        ["damaged", "damage", "broken", "broke", "cracked", "smashed", "shattered",
         "dented", "scratched", "torn", "leaking", "crushed"],
        "words in the customer's messages that make it a damage complaint (photos asked)")
    address_after_delivery: bool = _f(
        False, "also confirm the delivery address of an order already delivered")
    tracking_after_delivery: bool = _f(
        False, "also share the tracking link of an order already delivered")

    def __post_init__(self) -> None:
        unknown = [i for i in self.confirm if i not in ITEMS]
        if unknown:
            raise PolicyError("waiting.confirm", f"unknown item {unknown[0]!r} (known: "
                              f"{', '.join(ITEMS)})")


@dataclass(frozen=True)
class Detail:
    """One thing to confirm, request or share, with the values its message needs."""

    item: str
    values: Mapping[str, str]

    @property
    def action(self) -> str:
        return ACTION[self.item]

    @property
    def kind(self) -> str:
        return KIND[self.item]


@dataclass(frozen=True)
class Checked:
    """What became of a detail while waiting (from the `DetailChecked` events)."""

    item: str
    outcome: str
    value: str = ""
    note: str = ""


def plan(package: Mapping[str, Any], rules: WaitingRules,
         customer_texts: Sequence[str]) -> list[Detail]:
    """The details this conversation has, from the package's record snapshot, in the
    policy's order. Nothing is invented: no order in the record, no order to confirm."""
    order = _order(package)
    damaged = is_damage(customer_texts, rules.damage_words)
    delivered = order is not None and (order.get("status") == "delivered"
                                       or bool(order.get("delivered_at")))
    out: list[Detail] = []
    for item in rules.confirm:
        if item == ORDER_NUMBER and order:
            out.append(Detail(item, {"order": str(order["id"]), "items": _items(order)}))
        elif item == DAMAGE_PHOTOS and damaged:
            out.append(Detail(item, {"order": str(order["id"]) if order else ""}))
        elif item == ADDRESS and order and order.get("shipping_address") and (
                not delivered or rules.address_after_delivery):
            out.append(Detail(item, {"order": str(order["id"]),
                                     "address": str(order["shipping_address"])}))
        elif item == TRACKING_LINK and order and order.get("tracking_url") and (
                not delivered or rules.tracking_after_delivery):
            out.append(Detail(item, {"order": str(order["id"]),
                                     "tracking_url": str(order["tracking_url"]),
                                     "carrier": str(order.get("carrier") or "")}))
    return out


def settled(detail: Detail, checked: Iterable[Checked]) -> bool:
    """Gone through already (in any handoff of the conversation), for this same value:
    a later handoff about another order confirms that order again."""
    return any(c.item == detail.item and c.value == value_of(detail) for c in checked)


def next_detail(details: Sequence[Detail], checked: Sequence[Checked]) -> Detail | None:
    """The first detail not yet settled (each is gone through once)."""
    return next((d for d in details if not settled(d, checked)), None)


def answer(detail: Detail, text: str, yes: Iterable[str], no: Iterable[str]) -> str | None:
    """The customer's reply to what was asked, as an outcome; None when it is no answer
    (a question, a new topic: left for the person)."""
    if detail.action == REQUEST:
        return RECEIVED if is_media(text) else None
    if detail.action != CONFIRM:
        return None
    said = _words(text)
    if not said:
        return None
    if _starts_with(said, no):
        return DISPUTED
    if _starts_with(said, yes):
        return CONFIRMED
    return None


def is_media(text: str) -> bool:
    return MEDIA.match(text.strip()) is not None


def is_damage(texts: Iterable[str], words: Iterable[str]) -> bool:
    wanted = {w.lower() for w in words}
    return any(w in wanted for t in texts for w in _words(t))


def checklist(checked: Sequence[Checked], asked: Sequence[Detail] = ()
              ) -> list[dict[str, Any]]:
    """For the person: each detail gone through while waiting, latest word per item —
    `done` (confirmed, received, shared: do not ask again), `disputed` (the customer said
    it is wrong: check it with them), `asked` (no answer yet)."""
    rows: dict[str, dict[str, Any]] = {}
    for d in asked:
        rows[d.item] = {"item": d.item, "state": "asked", "outcome": None,
                        "value": value_of(d), "note": ""}
    for c in checked:
        rows[c.item] = {"item": c.item, "state": "done" if c.outcome in DONE else c.outcome,
                        "outcome": c.outcome, "value": c.value, "note": c.note}
    return list(rows.values())


def value_of(d: Detail) -> str:
    """What was confirmed, requested or shared, as the person reads it."""
    v = d.values
    return {ORDER_NUMBER: f"#{v.get('order', '')}", ADDRESS: v.get("address", ""),
            TRACKING_LINK: v.get("tracking_url", ""), DAMAGE_PHOTOS: ""}[d.item]


def _order(package: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The order the conversation is about (the package's first order ref), from the
    snapshot; None when the conversation names no order of the record."""
    refs = package.get("refs") or {}
    ids = [str(i).lstrip("#") for i in refs.get("order_ids") or ()]
    record = package.get("record") or {}
    orders = [o for o in record.get("orders") or () if isinstance(o, Mapping)]
    for wanted in ids:
        for o in orders:
            if str(o.get("id", "")).lstrip("#") == wanted:
                return o
    return None


def _items(order: Mapping[str, Any]) -> str:
    names = [str(li.get("name", "")) for li in order.get("lines") or ()
             if isinstance(li, Mapping) and li.get("name")]
    if not names:
        return ""
    return names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:'[^\W_]+)?", text.lower())


def _starts_with(said: list[str], phrases: Iterable[str]) -> bool:
    """The reply opens with one of the phrases ("yes", "yes that's it", "no, it's...")."""
    for phrase in phrases:
        words = _words(phrase)
        if words and said[:len(words)] == words:
            return True
    return False
