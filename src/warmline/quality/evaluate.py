"""`warmline eval`: feed labelled conversations to the live engine and score each turn.

Each case becomes one conversation played turn by turn through the same service layer
as the API (message bus, handlers, in-memory unit of work), so a turn is judged with
only itself and the turns before it. After a customer turn is judged its stored
`DecisionMade` is read back and turned into a `Prediction`; only then are that turn's
labels revealed and scored. Trigger hits count even when the decision was suppressed
because the conversation had already been handed over: detection is what is measured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from warmline.adapters.commerce.static import StaticCommerceRecord
from warmline.bootstrap import Warmline, bootstrap, memory_uow_factory
from warmline.config import Config
from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.judge.assessment import TOPICS
from warmline.domain.judge.signals import Signals
from warmline.domain.policy import Policy
from warmline.quality.dataset import Case, LabelledSet
from warmline.quality.metrics import Prediction, Report

#: Trigger kinds whose hits answer a label key of the same name.
TRIGGER_KEYS = ("human_request", "negative_emotion")

Tick = Callable[[int], None]


def prediction_from(decision: ev.DecisionMade) -> Prediction:
    """The label-key view of one stored decision."""
    kinds = {h.kind for h in decision.hits}
    flags = {k: k in kinds for k in TRIGGER_KEYS}
    a = decision.assessment
    if a is None:
        return Prediction(flags)
    flags.update({t: a.has(t) for t in TOPICS})
    in_scope = None
    intent = None
    if a.scope is not None:
        in_scope = a.scope.in_scope
        intent = a.scope.intent
        flags["out_of_scope"] = not a.scope.in_scope
    return Prediction(flags, intent=intent, in_scope=in_scope, route=a.route)


@dataclass
class Evaluator:
    """The engine wired as the API wires it, with in-memory storage and no commerce
    record nor agent (an empty environment): only the set's own turns are judged."""

    signals: Signals
    policy: Policy

    def _fresh(self) -> Warmline:
        """An engine with an empty store: each case is a conversation of its own, and a
        store holding every earlier case would only slow each unit of work down."""
        return bootstrap(Config.from_env({}), uow=memory_uow_factory(), signals=self.signals,
                         policy=self.policy, record=StaticCommerceRecord())

    def run(self, labelled: LabelledSet, tick: Tick | None = None,
            cases: tuple[Case, ...] | None = None) -> Report:
        report = Report(labelled.name)
        for number, case in enumerate(cases if cases is not None else labelled.cases):
            self.play(f"{number}:{case.id}", case, report)
            if tick:
                tick(1)
        return report

    def play(self, cid: str, case: Case, report: Report) -> None:
        app = self._fresh()
        bus = app.bus
        for i, turn in enumerate(case.turns):
            if turn.role == "agent":
                bus.handle(cmd.RecordAgentReply(
                    conversation_id=cid, text=turn.text, message_id=f"{cid}:{i}",
                    confidence=turn.confidence, intent=turn.intent, start_if_missing=True))
                continue
            outcome = bus.handle(cmd.ReceiveCustomerMessage(
                conversation_id=cid, message_id=f"{cid}:{i}", text=turn.text))
            if i not in case.labels.turns:
                continue
            prediction = prediction_from(_decision(app, cid, outcome.turn))
            report.score(prediction, dict(case.labels.reveal(i, prediction)))



def _decision(app: Warmline, cid: str, turn: int) -> ev.DecisionMade:
    """The decision stored for `turn`, read back as any reader of the log would."""
    with app.uow() as uow:
        events = uow.conversations.load(cid)
    for event in reversed(events):
        if isinstance(event, ev.DecisionMade) and event.turn == turn:
            return event
    raise RuntimeError(f"no decision stored for turn {turn} of {cid}")
