"""A synthetic history of conversations for the monthly review: days of customers from
the demo store writing in, judged and routed by the real engine, with the human side
(how long until a person answered) taken from `warmline simulate`.

It exists to exercise the metrics, the report and replay end to end on something shaped
like a real month; nothing in it is evidence about real customers. Deterministic for a
seed. The customer/bot part of each conversation is produced by the message bus (the
real handlers, in memory); the human side is appended as the events the console would
write (accepted, first message, sometimes a transfer, resolved — or withdrawn when the
simulated customer gave up), because no command writes human messages yet.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.bootstrap import bootstrap, memory_uow_factory
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.judge.signals import Signals
from warmline.domain.policy import Policy
from warmline.ports import UnitOfWork

#: (customer messages, the bot's confidence in its replies): shapes of conversations.
SHAPES: tuple[tuple[tuple[str, ...], float], ...] = (
    (("Where is my order 4412?", "ok thanks"), 0.9),
    (("Do you ship to Norway?", "great"), 0.85),
    (("I want a refund of 250 euros for order 1234",), 0.8),
    (("Can I talk to a real person please?",), 0.8),
    (("I want to cancel my order 5567",), 0.8),
    (("Do you do gift wrapping in teal?",), 0.2),
    (("My parcel is late again.", "This is useless. Awful, awful service!"), 0.6),
    (("How do I reset my password?", "that worked"), 0.9),
)
REPLIES = ("Thanks — let me look into that for you.", "Glad that helps. Anything else?")


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def simulated_waits(policy: Policy, seed: int) -> dict[str, list[float | None]]:
    """Waits (seconds; None = the customer gave up) per queue from one simulated day."""
    from dataclasses import replace

    from warmline.simulation.engine import simulate
    from warmline.simulation.plan import load_plan

    waits: dict[str, list[float | None]] = {}
    for story in simulate(replace(load_plan(), seed=seed), policy):
        waits.setdefault(story.final_queue or story.lane, []).append(story.wait)
    return waits


def customer_refs(count: int) -> list[str]:
    """Customer references of the demo store (Hearthwell)."""
    from warmline.demo.store import build

    return [c.ref for c in build().customers][:count]


def synthetic_history(start: datetime, *, days: int = 30, per_day: int = 12, seed: int = 7,
                      policy: Policy, signals: Signals, customers: int = 300
                      ) -> dict[str, list[ev.Event]]:
    """Conversation id → events for `days` days from `start` (a UTC midnight)."""
    rng = random.Random(seed)
    refs = customer_refs(customers)
    waits = simulated_waits(policy, seed)
    pooled = [w for ws in waits.values() for w in ws]
    out: dict[str, list[ev.Event]] = {}
    for day in range(days):
        for n in range(per_day):
            cid = f"syn-{day:02d}-{n:02d}"
            at = start + timedelta(days=day, hours=8 + rng.random() * 11)
            texts, confidence = SHAPES[rng.randrange(len(SHAPES))]
            events = _play(cid, at, texts, confidence, rng.choice(refs), policy, signals)
            out[cid] = events + _human_side(cid, events, waits, pooled, rng)
    return out


def _play(cid: str, at: datetime, texts: tuple[str, ...], confidence: float, ref: str,
          policy: Policy, signals: Signals) -> list[ev.Event]:
    clock = _Clock(at)
    app = bootstrap(Config.from_env({}), uow=memory_uow_factory(), signals=signals,
                    policy=policy, record=StaticCommerceRecord(), clock=clock)
    for i, text in enumerate(texts):
        clock.at = at + timedelta(minutes=2 * i)
        app.bus.handle(cmd.ReceiveCustomerMessage(
            conversation_id=cid, message_id=f"{cid}-{i}", text=text, channel="webchat",
            customer_ref=ref, reply=False))
        clock.at += timedelta(seconds=20)
        with app.uow() as uow:
            escalated = any(isinstance(e, ev.EscalationTriggered)
                            for e in uow.conversations.load(cid))
        if escalated:
            break
        app.bus.handle(cmd.RecordAgentReply(conversation_id=cid, text=REPLIES[min(i, 1)],
                                            message_id=f"{cid}-a{i}", confidence=confidence))
    with app.uow() as uow:
        return uow.conversations.load(cid)


def _human_side(cid: str, events: list[ev.Event], waits: dict[str, list[float | None]],
                pooled: list[float | None], rng: random.Random) -> list[ev.Event]:
    routed = next((e for e in events if isinstance(e, ev.HandoffRouted)), None)
    if routed is None:
        return []
    h, q, t0 = routed.handoff_id, routed.queue, routed.occurred_at
    wait = rng.choice(waits.get(q) or pooled)
    if wait is None:
        return [ev.HandoffWithdrawn(conversation_id=cid, occurred_at=t0 + timedelta(
            minutes=30), handoff_id=h, queue=q, reason="customer left")]
    seen = t0 + timedelta(seconds=round(wait))
    out: list[ev.Event] = [
        ev.HandoffAccepted(conversation_id=cid, occurred_at=seen, handoff_id=h,
                           agent_id="ana", queue=q, waited_seconds=round(wait)),
        ev.HumanReplied(conversation_id=cid, occurred_at=seen, message_id=f"{cid}-h",
                        text="Hi, I'm Ana from the team — I have your details here.",
                        author="ana")]
    if rng.random() < 0.1:
        out.append(ev.HandoffTransferred(
            conversation_id=cid, occurred_at=seen + timedelta(minutes=2), handoff_id=h,
            by="ana", from_queue=q, to_queue="general", reason="needs another team",
            priority=routed.priority))
    out.append(ev.HandoffResolved(conversation_id=cid, occurred_at=seen + timedelta(
        minutes=12), handoff_id=h, by="ana", queue=q))
    return out


def store_history(uow: Callable[[], UnitOfWork], history: dict[str, list[ev.Event]]) -> int:
    """Write a synthetic history into a store (a fixture loader, like `demo-store`)."""
    with uow() as u:
        for cid, events in history.items():
            u.conversations.append(cid, events, expected_version=0)
        u.commit()
    return len(history)
