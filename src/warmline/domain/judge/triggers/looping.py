"""`looping`: the conversation goes round in circles.

A miss is one of:
- a customer turn that re-asks an earlier customer turn *after the agent has had a
  go at it* (two messages sent back to back are impatience, not a loop);
- an agent turn that repeats an earlier agent turn;
- an agent turn that falls back: one of the policy's `fallback_phrases`, or a common
  way of saying it did not understand ("Sorry, I don't understand", "could you say
  that again?"), so a paraphrase of the policy's wording still counts.
Two messages naming different order numbers or amounts are different asks however
alike their words. The policy's `after` counts misses in the window.
"""

from __future__ import annotations

import re

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.judge.triggers.base import TurnContext
from warmline.domain.model import Role, Turn
from warmline.domain.text import normalise

KIND = "looping"
FALLBACK = re.compile(
    r"\b(?:i\s+(?:didn't|did\s+not|don't|do\s+not|couldn't|could\s+not)\s+(?:quite\s+|really\s+)?"
    r"(?:understand|get\s+that|follow|catch\s+that)|i'm\s+not\s+sure\s+(?:what\s+you\s+mean|"
    r"i\s+(?:understand|follow))|(?:could|can)\s+you\s+(?:please\s+)?(?:rephrase|reword|"
    r"say\s+that\s+(?:again|differently)|try\s+(?:asking\s+)?again)|i\s+(?:can't|cannot|"
    r"am\s+unable\s+to|'m\s+unable\s+to|'m\s+not\s+able\s+to)\s+help\s+with\s+(?:that|this))")
_FIGURES = re.compile(r"\d{3,}|[€$£]\s?\d+|\d+\s?(?:eur|usd|gbp|euros?|dollars?|pounds?)\b")


def detect(ctx: TurnContext) -> list[TriggerHit]:
    rule = ctx.policy.triggers.looping
    turn = ctx.turn
    if turn.role is Role.AGENT:
        hit = _fallback(turn, rule.fallback_phrases)
        if hit is not None:
            return [hit]
    if turn.role not in (Role.CUSTOMER, Role.AGENT):
        return []
    best, best_sim = None, 0.0
    for earlier in _comparable(ctx):
        if _different_figures(earlier.text, turn.text):
            continue
        sim = ctx.signals.similarity(earlier.text, turn.text)
        if sim > best_sim:
            best, best_sim = earlier, sim
    if best is None or best_sim < rule.similarity:
        return []
    who = "the customer re-asked" if turn.role is Role.CUSTOMER else "the agent repeated itself"
    evidence = (
        Evidence(turn=best.index, quote=best.text, note="first asked"),
        Evidence(turn=turn.index, quote=turn.text, figure=round(best_sim, 3),
                 unit="similarity", note=who),
    )
    return [TriggerHit(KIND, turn.index, who, evidence, round(min(1.0, best_sim), 3))]


def _fallback(turn: Turn, phrases: tuple[str, ...]) -> TriggerHit | None:
    lowered = normalise(turn.text)
    spans = [(at, at + len(p)) for p in phrases if (at := lowered.find(p.lower())) >= 0]
    m = FALLBACK.search(lowered)
    if m:
        spans.append(m.span())
    if not spans:
        return None
    start, end = min(spans)
    ev = Evidence.span(turn.index, turn.text, start, end, note="agent fell back")
    return TriggerHit(KIND, turn.index, "the agent fell back", (ev,))


def _comparable(ctx: TurnContext) -> list[Turn]:
    """Earlier turns of the same role; for the customer, only those the agent answered."""
    same = ctx.earlier(ctx.turn.role)
    if ctx.turn.role is not Role.CUSTOMER:
        return same
    answered = [t.index for t in ctx.turns if t.role is not Role.CUSTOMER
                and t.index < ctx.turn.index]
    last_answer = max(answered, default=-1)
    return [t for t in same if t.index < last_answer]


def _different_figures(a: str, b: str) -> bool:
    """Both name order numbers or amounts, and none of them in common."""
    fa, fb = set(_FIGURES.findall(normalise(a))), set(_FIGURES.findall(normalise(b)))
    return bool(fa and fb and not fa & fb)
