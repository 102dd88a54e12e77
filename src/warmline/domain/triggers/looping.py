"""`looping`: the conversation goes round in circles.

A miss is a customer turn that re-asks an earlier customer turn, or an agent turn
that repeats an earlier agent turn or falls back. The policy's `after` counts misses.
"""

from __future__ import annotations

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.model import Role
from warmline.domain.text import normalise
from warmline.domain.triggers.base import TurnContext

KIND = "looping"


def detect(ctx: TurnContext) -> list[TriggerHit]:
    rule = ctx.policy.triggers.looping
    turn = ctx.turn
    if turn.role is Role.AGENT:
        lowered = normalise(turn.text)
        for phrase in rule.fallback_phrases:
            at = lowered.find(phrase)
            if at >= 0:
                ev = Evidence.span(turn.index, turn.text, at, at + len(phrase),
                                   note="agent fell back")
                return [TriggerHit(KIND, turn.index, "the agent fell back", (ev,))]
    if turn.role not in (Role.CUSTOMER, Role.AGENT):
        return []
    best, best_sim = None, 0.0
    for earlier in ctx.earlier(turn.role):
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
    return [TriggerHit(KIND, turn.index, who, evidence, best_sim)]
