"""Lexical topic cues (refund, cancellation, chargeback, return...) shared by detectors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from warmline.domain.text import negated, normalise


@dataclass(frozen=True)
class TopicCue:
    topic: str
    start: int
    end: int


TOPICS: dict[str, re.Pattern[str]] = {
    "refund_request": re.compile(
        r"\b(?:refund(?:ed)?|money back|reimburse\w*|pay (?:me )?back|"
        r"(?:return|give|send) (?:me )?(?:back )?my money|credit (?:it )?back)\b"),
    "cancellation": re.compile(
        r"\b(?:cancel\w*|terminate (?:my|the)|close (?:my|the) account|"
        r"(?:stop|end) (?:my|the) (?:subscription|membership|order))\b"),
    "chargeback": re.compile(
        r"\b(?:charge-?back|dispute (?:the|this|a) (?:charge|payment|transaction)|"
        r"(?:call|contact|report (?:you |this )?to) my (?:bank|credit card company)|"
        r"reverse the (?:charge|payment)|(?:sue|lawyer|legal action|small claims))\b"),
    "return": re.compile(r"\b(?:return(?:ing)?|send (?:it|this|them) back|exchange)\b"),
    "address_change": re.compile(
        r"\b(?:change|update|correct|fix|modify|edit)\s+(?:the\s+|my\s+)?"
        r"(?:delivery\s+|shipping\s+)?address\b|\b(?:wrong|new|different)\s+"
        r"(?:delivery\s+|shipping\s+)?address\b|\bship (?:it )?to (?:a )?different\b"),
    "price_match": re.compile(
        r"\bprice[- ]?match\w*|\bmatch (?:the|their|a|this) price\b|"
        r"\bcheaper (?:at|on|elsewhere|somewhere)\b|\blower price (?:at|on|elsewhere)\b"),
    "discount_exception": re.compile(
        r"\b(?:special|extra|additional|loyalty|courtesy|one-?off|exceptional)\s+"
        r"(?:discount|deal|price|offer|coupon)\b|\b(?:expired|old|invalid)\s+"
        r"(?:discount|coupon|promo|voucher)(?:\s+code)?\b|\b(?:discount|coupon|promo|voucher)"
        r"(?:\s+code)?\s+(?:has\s+)?expired\b|\bapply\s+(?:the\s+|a\s+)?(?:discount|coupon|"
        r"promo)\w*\s+(?:retroactively|after)\b|\bgive me a discount\b|\bmake an exception\b"),
    "late_return": re.compile(
        r"\b(?:past|after|outside|beyond|over|missed)\s+(?:the\s+)?(?:\d+[- ]day\s+)?"
        r"(?:return\s+)?(?:window|deadline|period|\d+\s+days)\b|"
        r"\breturn (?:window|period) (?:has )?(?:passed|expired|closed|ended)\b"),
    "warranty": re.compile(
        r"\b(?:out of|expired|past the|after the|outside the)\s+warranty\b|"
        r"\bwarranty (?:has )?(?:expired|ended|run out)\b"),
}


def cues(text: str, topics: tuple[str, ...] | None = None) -> list[TopicCue]:
    """Every non-negated topic cue in `text` (one per topic, the first)."""
    lowered = normalise(text)
    found = []
    for topic, pattern in TOPICS.items():
        if topics is not None and topic not in topics:
            continue
        for m in pattern.finditer(lowered):
            if negated(lowered, m.start(), window=3):
                continue
            found.append(TopicCue(topic, m.start(), m.end()))
            break
    return found
