"""`low_confidence`: the agent is unsure, or the message is outside its scope.

From the agent's own reported confidence and intent, or — when the agent reports
nothing — from the scope check over the agent's knowledge (a `Signals` verdict).
"""

from __future__ import annotations

from warmline.domain.hits import Evidence, TriggerHit
from warmline.domain.model import Role
from warmline.domain.triggers.base import TurnContext

KIND = "low_confidence"


def detect(ctx: TurnContext) -> list[TriggerHit]:
    rule = ctx.policy.triggers.low_confidence
    turn = ctx.turn
    if turn.role is Role.AGENT:
        if turn.intent and turn.intent.lower() in rule.fallback_intents:
            ev = Evidence(turn=turn.index, quote=turn.intent, unit="intent",
                          note="agent reported a fallback intent")
            return [TriggerHit(KIND, turn.index, "the agent could not map the request", (ev,))]
        if turn.confidence is not None and turn.confidence < rule.confidence_below:
            ev = Evidence(turn=turn.index, quote=turn.text, figure=turn.confidence,
                          unit="confidence",
                          note=f"below the policy threshold {rule.confidence_below}")
            return [TriggerHit(KIND, turn.index, "the agent's confidence is low", (ev,),
                               1.0 - turn.confidence)]
        return []
    if turn.role is Role.CUSTOMER:
        verdict = ctx.signals.scope(turn.text)
        if verdict is not None and not verdict.in_scope:
            ev = Evidence(turn=turn.index, quote=turn.text, figure=round(verdict.confidence, 3),
                          unit="scope confidence", note="outside the agent's knowledge")
            return [TriggerHit(KIND, turn.index, "the message is out of the agent's scope",
                               (ev,))]
    return []
