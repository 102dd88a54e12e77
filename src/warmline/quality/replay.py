"""`warmline replay`: re-run the detectors and router over conversations under a
candidate policy, in a private in-memory engine, and compare (docs/replay.md).

Live data is only ever read: the stored conversations are loaded through the unit of
work and each is played again — customer messages, one-tap requests and the bot's
replies, at their original times — into a fresh in-memory store. Human messages are not
played: what matters is where the candidate would have handed over, and after that the
conversation is with a person under either policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.bootstrap import bootstrap, memory_uow_factory
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.domain.events import Event
from warmline.domain.judge.signals import Signals
from warmline.domain.measure.replay import (
    Change,
    Point,
    Scores,
    Tolerance,
    compare,
    first_escalation,
    gold_turn,
    score,
)
from warmline.domain.policy import Policy
from warmline.ports import CommerceRecord, UnitOfWork
from warmline.quality.dataset import Case, LabelledSet

Tick = Callable[[int], None]


@dataclass(frozen=True)
class Step:
    """One thing to play again: a customer message, a one-tap request or a bot reply."""

    kind: str  # customer | one_tap | agent
    text: str
    at: datetime | None = None
    confidence: float | None = None
    intent: str | None = None
    source: str = "api"


class _Clock:
    """The replay's clock: the original time of the step being played."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


def steps_from_log(events: Sequence[Event]) -> list[Step]:
    """The playable steps of a stored conversation, in order."""
    steps: list[Step] = []
    for e in events:
        name = type(e).__name__
        if name == "MessageReceived":
            steps.append(Step("customer", e.text, e.occurred_at))  # type: ignore[attr-defined]
        elif name == "HandoffRequested" and steps and steps[-1].kind == "customer":
            last = steps[-1]
            steps[-1] = Step("one_tap", last.text, last.at,
                             source=e.source)  # type: ignore[attr-defined]
        elif name == "AgentReplied":
            steps.append(Step("agent", e.text, e.occurred_at,  # type: ignore[attr-defined]
                              e.confidence, e.intent))  # type: ignore[attr-defined]
    return steps


def steps_from_case(case: Case) -> list[Step]:
    return [Step("customer" if t.role == "customer" else "agent", t.text,
                 confidence=t.confidence, intent=t.intent) for t in case.turns]


@dataclass
class Replayer:
    """Plays conversations into a fresh in-memory engine under one policy."""

    policy: Policy
    signals: Signals
    record: CommerceRecord = field(default_factory=StaticCommerceRecord)

    def play(self, cid: str, steps: Iterable[Step], channel: str = "api",
             customer_ref: str | None = None) -> list[Event]:
        clock = _Clock()
        app = bootstrap(Config.from_env({}), uow=memory_uow_factory(), signals=self.signals,
                        policy=self.policy, record=self.record, clock=clock)
        for i, s in enumerate(steps):
            clock.at = s.at or clock.at
            mid = f"replay:{i}"
            if s.kind == "agent":
                app.bus.handle(cmd.RecordAgentReply(
                    conversation_id=cid, text=s.text, message_id=mid, confidence=s.confidence,
                    intent=s.intent, start_if_missing=True))
            elif s.kind == "one_tap":
                app.bus.handle(cmd.RequestHandoff(
                    conversation_id=cid, source=s.source, text=s.text, message_id=mid,
                    channel=channel, customer_ref=customer_ref))
            else:
                app.bus.handle(cmd.ReceiveCustomerMessage(
                    conversation_id=cid, message_id=mid, text=s.text, channel=channel,
                    customer_ref=customer_ref, sent_at=s.at, reply=False))
        with app.uow() as uow:
            return uow.conversations.load(cid)


@dataclass
class StoreReplay:
    changes: list[Change]
    conversations: int
    customer_turns: int


def replay_store(uow: Callable[[], UnitOfWork], replayer: Replayer, *,
                 since: datetime | None = None, limit: int = 100_000,
                 tick: Tick | None = None) -> StoreReplay:
    """Every stored conversation started at or after `since`, against what happened."""
    from warmline.service.views.metrics import load_histories

    histories = load_histories(uow, limit=limit)
    _warm(replayer.signals, [getattr(e, "text", "") for ev in histories.values() for e in ev
                             if type(e).__name__ in ("MessageReceived", "AgentReplied")])
    changes, turns = [], 0
    for cid, events in sorted(histories.items()):
        if not events or (since is not None and events[0].occurred_at < since):
            continue
        steps = steps_from_log(events)
        turns += sum(s.kind != "agent" for s in steps)
        start = events[0]
        replayed = replayer.play(cid, steps, getattr(start, "channel", "api"),
                                 getattr(start, "customer_ref", None))
        changes.append(compare(cid, first_escalation(events), first_escalation(replayed)))
        if tick:
            tick(1)
    return StoreReplay(changes, len(changes), turns)


@dataclass
class SetReplay:
    changes: list[Change]
    baseline: Scores
    candidate: Scores
    customer_turns: int


def _gold(case: Case, prediction: object) -> int | None:
    """The case's gold handoff turn, revealed only once both policies have played it."""
    numbers: dict[int, int] = {}
    for i, t in enumerate(case.turns):
        if t.role == "customer":
            numbers[i] = len(numbers) + 1
    labels: Mapping[int, Mapping[str, Any]] = {
        numbers[i]: case.labels.reveal(i, prediction) for i in sorted(case.labels.turns)
        if i in numbers}
    return gold_turn(labels)


def replay_set(labelled: LabelledSet, baseline: Replayer, candidate: Replayer, *,
               tolerance: Tolerance = Tolerance(), tick: Tick | None = None) -> SetReplay:
    """A FORMAT.md set under both policies: the changes, and each policy's scores."""
    changes = []
    pairs_a: list[tuple[int | None, int | None]] = []
    pairs_b: list[tuple[int | None, int | None]] = []
    turns = 0
    for signals in {id(baseline.signals): baseline.signals,
                    id(candidate.signals): candidate.signals}.values():
        _warm(signals, labelled.texts())
    for number, case in enumerate(labelled.cases):
        cid = f"{number}:{case.id}"
        steps = steps_from_case(case)
        turns += sum(s.kind != "agent" for s in steps)
        a = first_escalation(baseline.play(cid, steps))
        b = first_escalation(candidate.play(cid, steps))
        changes.append(compare(case.id, a, b))
        gold = _gold(case, (a, b))
        pairs_a.append((_turn(a), gold))
        pairs_b.append((_turn(b), gold))
        if tick:
            tick(1)
    return SetReplay(changes, score(pairs_a, tolerance), score(pairs_b, tolerance), turns)


def _turn(p: Point | None) -> int | None:
    return None if p is None else p.customer_turn


def _warm(signals: Signals, texts: list[str]) -> None:
    """Embed every distinct text once, in batches, before replaying (semantic signals):
    the same vectors, computed many times faster than one message at a time."""
    warm = getattr(signals, "warm", None)
    if callable(warm):
        warm(sorted(set(texts)))
