"""Seam leaks: after a handoff, someone had to carry across what the package already held.

The test of a clean handoff is whether the customer did any work to bridge it. Two kinds
of leak are read from the turns after the escalation, against the context package that
travelled with it:

- the customer restates it: an order number the package already named, the problem in
  much the same words as the package's summary or quotes, or "I already tried ..." when
  the package listed what was tried;
- the person asks for it: "what's your order number?", "what seems to be the problem?",
  "have you tried ...?" while the package held the answer; or asks for a detail the bot
  already went through with the customer while they waited (domain/seam/waiting.py): "can
  you confirm your address?" after the address was confirmed, "could you send a photo?"
  after the photos came.

Each leak is recorded once per item and who per handoff (`SeamLeakDetected`), so the
metrics count leaks per handoff without double-counting a customer who repeats twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from warmline.domain.text import content_words, lexical_similarity, order_refs

ASKS_ORDER = re.compile(r"\b(order (number|no|#|id)|which order|what order)\b", re.I)
ASKS_PROBLEM = re.compile(
    r"\b(what('s| is| seems to be) the (problem|issue|matter)|how can i help|"
    r"what happened|can you (describe|explain) (the|your) (problem|issue))\b", re.I)
ASKS_TRIED = re.compile(r"\b(have you tried|did you try|have you already)\b", re.I)
SAYS_TRIED = re.compile(r"\b(i (already|have already|already have) (tried|done|did)|"
                        r"as i (said|told)|like i said|i told (you|the bot))\b", re.I)
ASKS_ADDRESS = re.compile(
    r"\b((your|the) (delivery |shipping )?address|where (should|do|can) we (deliver|send)|"
    r"where (do|should) (you|i) want it (delivered|sent))\b", re.I)
ASKS_PHOTOS = re.compile(
    r"\b(send|share|upload|attach|take)\b[^.?!]{0,30}\b(photo|picture|pic|image|video)s?\b|"
    r"\b(photo|picture|pic|image)s? of (the|it|that)\b", re.I)
RESTATED = 0.5  # lexical similarity to the package's problem that counts as a restatement


@dataclass(frozen=True)
class Leak:
    who: str  # customer | human
    item: str  # order_number | problem | tried | address | damage_photos
    evidence: str


def leaks(package: Mapping[str, Any], who: str, text: str,
          seen: Iterable[tuple[str, str]] = (), confirmed: Iterable[str] = ()) -> list[Leak]:
    """The leaks in one turn after the handoff; `seen` (who, item) are not repeated;
    `confirmed` are the details done while the customer waited (order_number, address,
    damage_photos, tracking_link)."""
    done = set(confirmed)
    found: list[Leak] = []
    known = set(seen)
    refs = package.get("refs") or {}
    orders = {str(o).lstrip("#") for o in refs.get("order_ids") or ()}
    summary = package.get("summary") or {}
    wants = str(summary.get("wants") or "")
    tried = summary.get("tried") or ""
    quotes = [str(q.get("text", "")) for q in package.get("quotes") or ()
              if isinstance(q, Mapping)]

    def add(item: str, evidence: str) -> None:
        if (who, item) not in known:
            known.add((who, item))
            found.append(Leak(who, item, evidence[:200]))

    if who == "customer":
        for ref, start, end in order_refs(text):
            if ref.lstrip("#") in orders:
                add("order_number", text[start:end])
        problem = [p for p in (wants, *quotes) if p]
        long_enough = len(content_words(text)) >= 3  # "order 1042?" is not the problem
        if problem and long_enough and \
                max(lexical_similarity(text, p) for p in problem) >= RESTATED:
            add("problem", text)
        if tried and SAYS_TRIED.search(text):
            add("tried", text)
    elif who == "human":
        if (orders or "order_number" in done) and (m := ASKS_ORDER.search(text)):
            add("order_number", m.group(0))
        if "address" in done and (m := ASKS_ADDRESS.search(text)):
            add("address", m.group(0))
        if "damage_photos" in done and (m := ASKS_PHOTOS.search(text)):
            add("damage_photos", m.group(0))
        if (wants or quotes) and (m := ASKS_PROBLEM.search(text)):
            add("problem", m.group(0))
        if tried and (m := ASKS_TRIED.search(text)):
            add("tried", m.group(0))
    return found
