"""What-if tuning: compare where a conversation escalated with where a candidate policy
would have escalated it, and score the timing against labels (docs/replay.md).

Pure: it reads event logs (by type name) and label mappings. Positions are *customer
turns*, counted from 1 — the n-th customer message — because that is what a reviewer
counts in a transcript, and it is the same in the stored log and in a replay whatever
the bot or the human said between messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Label keys whose `true` marks a turn a human should take over (FORMAT.md). An explicit
#: `escalate` label (a brand's own labelling, see docs/replay.md) overrides them.
GOLD_KEYS = ("human_request", "negative_emotion", "cancellation")


@dataclass(frozen=True)
class Point:
    """The first escalation of a conversation: on which customer turn, where it went."""

    customer_turn: int
    triggers: tuple[str, ...] = ()
    queue: str | None = None
    lane: str | None = None


def first_escalation(events: Sequence[Any]) -> Point | None:
    """The conversation's first escalation and the route its handoff took, or None."""
    customer_turns = 0
    point: Point | None = None
    for e in events:
        name = type(e).__name__
        if name == "MessageReceived":
            customer_turns += 1
        elif name == "EscalationTriggered" and point is None:
            point = Point(max(customer_turns, 1), tuple(dict.fromkeys(h.kind for h in e.hits)))
        elif name == "HandoffRouted" and point is not None and point.queue is None:
            return Point(point.customer_turn, point.triggers, e.queue, e.rule)
    return point


@dataclass(frozen=True)
class Change:
    """How the candidate's first escalation differs from the one that happened."""

    conversation_id: str
    kind: str  # same | earlier | later | dropped | added | rerouted
    actual: Point | None
    candidate: Point | None

    def describe(self) -> str:
        a, c = self.actual, self.candidate
        if self.kind == "dropped" and a:
            return f"would not escalate (did at customer turn {a.customer_turn}, {a.queue})"
        if self.kind == "added" and c:
            return (f"would escalate at customer turn {c.customer_turn} "
                    f"({', '.join(c.triggers)} → {c.queue})")
        if a and c and self.kind in ("earlier", "later"):
            return (f"would escalate {self.kind}: customer turn {a.customer_turn} → "
                    f"{c.customer_turn} ({', '.join(c.triggers)})")
        if a and c and self.kind == "rerouted":
            return f"same turn, route {a.queue} ({a.lane}) → {c.queue} ({c.lane})"
        return "no change"


def compare(conversation_id: str, actual: Point | None, candidate: Point | None) -> Change:
    if actual is None and candidate is None:
        kind = "same"
    elif actual is None:
        kind = "added"
    elif candidate is None:
        kind = "dropped"
    elif candidate.customer_turn < actual.customer_turn:
        kind = "earlier"
    elif candidate.customer_turn > actual.customer_turn:
        kind = "later"
    elif (candidate.queue, candidate.lane) != (actual.queue, actual.lane):
        kind = "rerouted"
    else:
        kind = "same"
    return Change(conversation_id, kind, actual, candidate)


def gold_turn(labels: Mapping[int, Mapping[str, Any]]) -> int | None:
    """The first customer turn (1-based) a human should take over, from a case's labels
    keyed by customer-turn number; None when no labelled turn asks for a human."""
    for turn in sorted(labels):
        marks = labels[turn]
        if "escalate" in marks:
            if marks["escalate"] is True:
                return turn
            continue
        if any(marks.get(k) is True for k in GOLD_KEYS):
            return turn
    return None


@dataclass(frozen=True)
class Tolerance:
    """How many customer turns early or late a handoff may come and still count as on
    time, and how fast credit falls beyond that."""

    early: int = 0
    late: int = 1
    decay: float = 0.5  # credit lost per turn outside the window


def timing_credit(predicted: int | None, gold: int | None, tol: Tolerance) -> float | None:
    """Credit in 0..1 for one conversation; None when neither side escalates (nothing to
    time). A handoff where none was wanted, or none where one was, earns 0."""
    if predicted is None and gold is None:
        return None
    if predicted is None or gold is None:
        return 0.0
    delta = predicted - gold
    outside = max(0, -delta - tol.early, delta - tol.late)
    return max(0.0, 1.0 - tol.decay * outside)


@dataclass(frozen=True)
class Scores:
    """Conversation-level precision/recall of escalating at all, and the timing score."""

    tp: int
    fp: int
    fn: int
    timing: float | None
    timed: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def score(pairs: Sequence[tuple[int | None, int | None]], tol: Tolerance) -> Scores:
    """`pairs` are (predicted customer turn, gold customer turn) per labelled conversation."""
    tp = sum(p is not None and g is not None for p, g in pairs)
    fp = sum(p is not None and g is None for p, g in pairs)
    fn = sum(p is None and g is not None for p, g in pairs)
    credits = [c for p, g in pairs if (c := timing_credit(p, g, tol)) is not None]
    return Scores(tp, fp, fn, sum(credits) / len(credits) if credits else None, len(credits))
