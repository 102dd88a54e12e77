"""Storage backends for the repository contract, and event factories.

PostgreSQL is part of the contract, not an optional extra: if the server named by
WARMLINE_TEST_POSTGRES_URL is unreachable its tests fail (with the reason), never skip.
Each session migrates a fresh schema and drops it afterwards; each test starts empty.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine

from warmline.adapters.storage import migrate
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.memory import MemoryStore, MemoryUnitOfWork
from warmline.adapters.storage.sql import SqlUnitOfWork
from warmline.domain import events as ev
from warmline.domain.hits import Evidence, TriggerHit, TriggerKind
from warmline.ports import ConcurrencyError, UnitOfWork

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MEMORY = "memory"
SQLITE = "sqlite"
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@dataclass
class Backend:
    """A storage implementation under test: a unit-of-work factory (+ engine if SQL)."""

    name: str
    new_uow: Callable[[], UnitOfWork]
    engine: Engine | None = None

    def commit(self, cid: str, events: list[ev.Event], expected: int) -> None:
        """Append in a unit of work of its own and commit it."""
        with self.new_uow() as uow:
            uow.conversations.append(cid, events, expected_version=expected)
            uow.commit()

    def load(self, cid: str) -> list[ev.Event]:
        with self.new_uow() as uow:
            return uow.conversations.load(cid)


Race = Callable[..., list[ConcurrencyError | None]]


def _race(*bodies: Callable[[], None]) -> list[ConcurrencyError | None]:
    """Start the bodies together on their own threads; what each raised, if it lost."""
    barrier = threading.Barrier(len(bodies))

    def run(body: Callable[[], None]) -> ConcurrencyError | None:
        barrier.wait(timeout=10)
        try:
            body()
        except ConcurrencyError as exc:
            return exc
        return None

    with ThreadPoolExecutor(len(bodies)) as pool:
        return [f.result(timeout=30) for f in [pool.submit(run, b) for b in bodies]]


@pytest.fixture
def race() -> Race:
    return _race


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine bound to the session's throwaway, migrated PostgreSQL schema."""
    engine = make_engine(postgres_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _open(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if name == MEMORY:
        store = MemoryStore()
        yield Backend(name, lambda: MemoryUnitOfWork(store))
    elif name == SQLITE:
        url = f"sqlite:///{tmp_path / 'warmline.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            yield Backend(name, lambda: SqlUnitOfWork(engine), engine)
        finally:
            engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations")
        yield Backend(name, lambda: SqlUnitOfWork(engine), engine)


@pytest.fixture(params=[MEMORY, SQLITE, POSTGRES])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Every implementation of the storage ports."""
    yield from _open(request.param, request, tmp_path)


@pytest.fixture(params=[SQLITE, POSTGRES])
def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The database-backed implementations (real transactions, real concurrency)."""
    yield from _open(request.param, request, tmp_path)


class Make:
    """Event factories: timezone-aware, unique ids, realistic payloads."""

    @staticmethod
    def conversation_id() -> str:
        return f"conv-{uuid.uuid4().hex[:10]}"

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def started(cid: str, channel: str = "web", customer_ref: str | None = "cust-42",
                ) -> ev.ConversationStarted:
        return ev.ConversationStarted(conversation_id=cid, occurred_at=Make.now(),
                                      channel=channel, customer_ref=customer_ref)

    @staticmethod
    def message(cid: str, text: str = "where is my parcel?",
                message_id: str | None = None) -> ev.MessageReceived:
        return ev.MessageReceived(conversation_id=cid, occurred_at=Make.now(),
                                  message_id=message_id or uuid.uuid4().hex,
                                  channel="web", text=text)

    @staticmethod
    def hits() -> tuple[TriggerHit, ...]:
        text = "I want a refund of £240 now, this is useless"
        start = text.index("£240")
        return (
            TriggerHit(TriggerKind.MONEY_RISK.value, 1, "refund above threshold",
                       (Evidence.span(1, text, start, start + 4, figure=240.0, unit="GBP",
                                      note="order #1009"),), intensity=0.85),
            TriggerHit(TriggerKind.NEGATIVE_EMOTION.value, 1, "anger",
                       (Evidence(turn=0, quote="useless"), Evidence(turn=1)), 0.6),
        )

    @staticmethod
    def handoff_events(cid: str, t: datetime) -> list[ev.Event]:
        """One of each routing event, as a handoff's life would write them."""
        hid = "h-7f3a"
        return [
            ev.HandoffRouted(conversation_id=cid, occurred_at=t, handoff_id=hid, turn=1,
                             queue="retention", priority=60, rule="complaints_to_retention",
                             reason="topic complaint — save the relationship", language="de",
                             policy_version="2024-06-01", eta_seconds=240),
            ev.HandoffDeferred(conversation_id=cid, occurred_at=t, handoff_id=hid,
                               queue="retention", action="next_open",
                               until="2026-11-26T08:00:00+01:00", reason="closed"),
            ev.HandoffEscalated(conversation_id=cid, occurred_at=t, handoff_id=hid,
                                kind="overflow", from_queue="retention", to_queue="general",
                                priority=70, waited_seconds=480, reason="step 2"),
            ev.HandoffAccepted(conversation_id=cid, occurred_at=t, handoff_id=hid,
                               agent_id="ana", queue="general", waited_seconds=495),
            ev.HandoffReleased(conversation_id=cid, occurred_at=t, handoff_id=hid,
                               agent_id="ana", queue="general", reason="lunch"),
            ev.HandoffTransferred(conversation_id=cid, occurred_at=t, handoff_id=hid,
                                  by="ana", from_queue="general", to_queue="billing",
                                  to_agent=None, reason="needs a refund", priority=80,
                                  context_package_turn=1),
            ev.HandoffResolved(conversation_id=cid, occurred_at=t, handoff_id=hid, by="bo",
                               queue="billing", outcome="refunded", hand_back=False),
            ev.HandoffWithdrawn(conversation_id=cid, occurred_at=t, handoff_id="h-2",
                                queue="general", reason="handed back"),
        ]

    @staticmethod
    def every_type(cid: str) -> list[ev.Event]:
        """One event of every type, one with a non-UTC offset (stored as UTC)."""
        t = Make.now()
        plus_two = timezone(timedelta(hours=2))
        hits = Make.hits()
        made: list[ev.Event] = [
            Make.started(cid),
            ev.MessageReceived(conversation_id=cid, occurred_at=t.astimezone(plus_two),
                               message_id="m-1", channel="web", text="Hi — ça va? 👋"),
            ev.AgentReplied(conversation_id=cid, occurred_at=t, message_id="a-1",
                            text="Let me check.", confidence=0.42, intent="order_status",
                            actions=("lookup_order", "quote_refund")),
            ev.HandoffRequested(conversation_id=cid, occurred_at=t, source="button",
                                turn=1, note="customer tapped 'talk to a human'"),
            ev.DecisionMade(conversation_id=cid, occurred_at=t, turn=1, escalate=True,
                            hits=hits, policy_version="2024-06-01", suppressed=False),
            ev.EscalationTriggered(conversation_id=cid, occurred_at=t, turn=1,
                                   hits=hits[:1], policy_version="2024-06-01"),
            ev.ContextPackaged(conversation_id=cid, occurred_at=t, turn=1, package={
                "schema": "warmline.context/1", "summary": {"wants": "Refund £240."},
                "record": {"orders": [{"id": "1009", "total": 240.0, "lines": []}]},
                "quotes": [{"turn": 1, "text": "ça va? 👋", "why": "strong feeling"}]}),
            *Make.handoff_events(cid, t),
            ev.HumanReplied(conversation_id=cid, occurred_at=t, message_id="h-1",
                            text="Refund issued.", author="sam@brand.example"),
            ev.OutboundRequested(conversation_id=cid, occurred_at=t, message_id=f"{cid}:csat:9",
                                 kind="csat_question", text="How did we do?",
                                 button_ids=("csat:5", "csat:1"),
                                 button_titles=("Great", "Poor"), handoff_id="h-7f3a"),
            ev.CsatReceived(conversation_id=cid, occurred_at=t, message_id="wamid.9",
                            score=4, handoff_id="h-7f3a", channel="whatsapp"),
            ev.SeamLeakDetected(conversation_id=cid, occurred_at=t, handoff_id="h-7f3a", turn=2,
                                who="human", item="order_number",
                                evidence="what's your order number?"),
            ev.InternalNoteAdded(conversation_id=cid, occurred_at=t, note_id="n-1",
                                 text="VIP: call back after 5 — «ça va»", author="sam",
                                 handoff_id="h-7f3a"),
            ev.DetailChecked(conversation_id=cid, occurred_at=t, handoff_id="h-7f3a",
                             item="address", outcome="disputed", value="1 Main St, Berlin",
                             note="no, I moved — Rue 2, Paris"),
            ev.CustomerIdentified(conversation_id=cid, occurred_at=t, customer_ref="cust-43",
                                  channel="whatsapp"),
            ev.HandedBackToBot(conversation_id=cid, occurred_at=t, by="sam", reason="done"),
            ev.DecisionMade(conversation_id=cid, occurred_at=t, turn=2, escalate=False,
                            policy_version="2024-06-01", suppressed=True),
        ]
        assert {type(e).__name__ for e in made} == set(ev.EVENT_TYPES)
        return made


@pytest.fixture
def make() -> type[Make]:
    return Make
