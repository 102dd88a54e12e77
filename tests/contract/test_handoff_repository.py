"""One contract for the handoff queue and the agents table: memory, SQLite, PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tests.contract.conftest import Backend

from warmline.adapters.notify import InProcessNotifier, PostgresNotifier
from warmline.adapters.storage.memory import MemoryUnitOfWork
from warmline.adapters.storage.sql import SqlUnitOfWork
from warmline.domain.routing.queueing import Handoff, HandoffState, HumanAgent, Presence

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # handoffs are routed from T0 on
NOW = T0 + timedelta(hours=1)  # claims happen then
LEASE = NOW + timedelta(seconds=45)


@pytest.fixture
def store(backend: Backend) -> Iterator[Backend]:
    """The backend with an empty queue and no agents."""
    if backend.engine is not None and backend.engine.dialect.name == "postgresql":
        with backend.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE handoffs, agents")
    yield backend


def make(hid: str, queue: str = "retention", priority: int = 60, minutes: int = 0,
         language: str | None = None, **kw: object) -> Handoff:
    at = T0 + timedelta(minutes=minutes)
    return replace(Handoff(hid, f"conv-{hid}", queue, priority, HandoffState.QUEUED,
                           "complaints", at, at, at, at, language=language,
                           need_language=language), **kw)  # type: ignore[arg-type]


def put(b: Backend, *handoffs: Handoff, due: datetime | None = None) -> None:
    with b.new_uow() as uow:
        for h in handoffs:
            uow.handoffs.add(h, due, "routed")
        uow.commit()


def claim(b: Backend, agent: str = "ana", queues: tuple[str, ...] = ("retention",),
          languages: tuple[str, ...] = ("en",), now: datetime = NOW,
          lease: datetime = LEASE) -> Handoff | None:
    with b.new_uow() as uow:
        got = uow.handoffs.claim_next(agent, queues, languages, now, lease)
        uow.commit()
        return got


def test_a_handoff_reads_back_exactly_as_it_was_stored(store: Backend) -> None:
    plus_one = timezone(timedelta(hours=1))
    h = make("h1", language="de", available_at=T0.astimezone(plus_one) + timedelta(hours=1),
             step=1, alerted=True, callback=True, transfers=2)
    put(store, h, due=T0 + timedelta(minutes=3))
    with store.new_uow() as uow:
        got = uow.handoffs.get("h1")
    assert got == h and got is not None and got.available_at.utcoffset() == timedelta(0)


def test_claims_take_the_highest_priority_then_the_first_come(store: Backend) -> None:
    put(store, make("late", minutes=5), make("early", minutes=1), make("vip", priority=80,
                                                                          minutes=9))
    assert [getattr(claim(store), "id", None) for _ in range(4)] == [
        "vip", "early", "late", None]


def test_a_claim_is_a_lease_that_holds_the_handoff_for_one_person(store: Backend) -> None:
    put(store, make("h1"))
    got = claim(store, "ana")
    assert got is not None and (got.state, got.agent_id, got.lease_until) == (
        HandoffState.CLAIMED, "ana", LEASE)
    with store.new_uow() as uow:
        assert uow.handoffs.get("h1") == got
    assert claim(store, "bo", now=NOW + timedelta(seconds=30)) is None


def test_a_lease_not_confirmed_in_time_returns_the_handoff_to_the_queue(
        store: Backend) -> None:
    put(store, make("h1"))
    assert claim(store, "crashed") is not None
    again = claim(store, "bo", now=LEASE + timedelta(seconds=1),
                  lease=LEASE + timedelta(seconds=60))
    assert again is not None and again.id == "h1" and again.agent_id == "bo"


def test_claims_respect_the_queues_languages_and_opening_time(store: Backend) -> None:
    put(store, make("billing", "billing"), make("german", language="de"),
        make("tomorrow", available_at=T0 + timedelta(hours=20)))
    assert claim(store, queues=("retention",), languages=("en",)) is None
    got = claim(store, queues=("retention", "billing"), languages=("en", "de"))
    assert got is not None and got.id in ("billing", "german")


def test_loads_count_accepted_and_live_leases_but_not_lapsed_ones(store: Backend) -> None:
    put(store, make("a"), make("b"), make("c"))
    claim(store, "ana")
    claim(store, "ana", lease=NOW + timedelta(seconds=5))
    with store.new_uow() as uow:
        held = uow.handoffs.get("a")
        assert held is not None
        uow.handoffs.save(replace(held, state=HandoffState.ASSIGNED, lease_until=None),
                          None, "accepted")
        uow.commit()
    with store.new_uow() as uow:
        assert uow.handoffs.loads(NOW + timedelta(seconds=10)) == {"ana": 1}
        assert uow.handoffs.loads(NOW, "ana") == {"ana": 2}
        assert uow.handoffs.loads(NOW, "bo") == {}


def test_held_lists_what_a_person_has_now_accepted_or_leased_in_time(
        store: Backend) -> None:
    put(store, make("a"), make("b", minutes=1), make("c", minutes=2))
    claim(store, "ana")
    claim(store, "ana", lease=NOW + timedelta(seconds=5))
    with store.new_uow() as uow:
        held = uow.handoffs.get("a")
        assert held is not None
        uow.handoffs.save(replace(held, state=HandoffState.ASSIGNED, lease_until=None),
                          None, "accepted")
        uow.commit()
    with store.new_uow() as uow:
        assert [x.id for x in uow.handoffs.held("ana", NOW)] == ["a", "b"]
        assert [x.id for x in uow.handoffs.held("ana", NOW + timedelta(seconds=10))] == ["a"]
        assert uow.handoffs.held("bo", NOW) == []


def test_queue_counts_ahead_and_waiting_order(store: Backend) -> None:
    put(store, make("a", minutes=1), make("b", minutes=2), make("c", priority=80, minutes=3),
        make("night", available_at=T0 + timedelta(hours=9)), make("x", "billing"))
    claim(store, "ana")  # takes c
    now = NOW + timedelta(seconds=5)
    with store.new_uow() as uow:
        counts = uow.handoffs.counts(now)
        b = uow.handoffs.get("b")
        assert b is not None
        ahead = uow.handoffs.ahead(b, ["retention", "billing"], now)
        order = [h.id for h in uow.handoffs.waiting("retention", now, 10)]
    r = counts["retention"]
    assert (r.waiting, r.deferred, r.offered, r.assigned) == (2, 1, 1, 0)
    assert r.oldest_waiting_since == T0
    assert counts["billing"].waiting == 1
    assert ahead == {"retention": 1, "billing": 1}  # a came first; x came earlier (T0)
    assert order == ["c", "night", "a", "b"]  # claim order; "night" came first


def test_due_finds_what_the_sweeper_must_look_at_and_claims_set_their_lease(
        store: Backend) -> None:
    put(store, make("soon"), due=T0 + timedelta(minutes=3))
    put(store, make("later", minutes=1), due=T0 + timedelta(hours=2))
    with store.new_uow() as uow:
        assert [h.id for h in uow.handoffs.due(T0 + timedelta(minutes=5), 10)] == ["soon"]
    claim(store, "ana")  # takes "soon" (same priority, first stored), lease 45 s
    with store.new_uow() as uow:
        assert uow.handoffs.due(NOW + timedelta(seconds=44), 10) == []
        assert [h.id for h in uow.handoffs.due(NOW + timedelta(seconds=46), 10)] == ["soon"]


def test_stranded_finds_waiting_handoffs_in_queues_no_longer_listed(store: Backend) -> None:
    put(store, make("kept"), make("renamed", "old_name"),
        make("done", "old_name", state=HandoffState.RESOLVED))
    with store.new_uow() as uow:
        assert [h.id for h in uow.handoffs.stranded(["retention"], 10)] == ["renamed"]


def test_handle_times_come_from_the_queues_latest_resolutions(store: Backend) -> None:
    for i, minutes in enumerate((4, 6, 10)):
        accepted = T0 + timedelta(hours=i)
        put(store, make(f"r{i}", state=HandoffState.RESOLVED, accepted_at=accepted,
                        resolved_at=accepted + timedelta(minutes=minutes)))
    with store.new_uow() as uow:
        assert uow.handoffs.handle_seconds("retention", 2) == [600.0, 360.0]
        assert uow.handoffs.handle_seconds("billing", 2) == []


def test_open_for_finds_the_conversations_open_handoff(store: Backend) -> None:
    put(store, make("old", state=HandoffState.RESOLVED), make("new", minutes=5))
    with store.new_uow() as uow:
        found = uow.handoffs.open_for("conv-new")
        assert found is not None and found.id == "new"
        assert uow.handoffs.open_for("conv-old") is None


def test_work_not_committed_is_discarded(store: Backend) -> None:
    with store.new_uow() as uow:
        uow.handoffs.add(make("h1"), None, "routed")
        uow.agents.save(HumanAgent("ana"))
    with store.new_uow() as uow:
        assert uow.handoffs.get("h1") is None and uow.agents.get("ana") is None


def test_agents_are_saved_updated_and_listed(store: Backend) -> None:
    ana = HumanAgent("ana", "Ana", frozenset({"retention", "senior"}), frozenset({"en", "de"}),
                     3, Presence.ONLINE, T0, None)
    with store.new_uow() as uow:
        uow.agents.save(ana)
        uow.agents.save(HumanAgent("bo", "Bo"))
        uow.commit()
    with store.new_uow() as uow:
        uow.agents.save(replace(ana, presence=Presence.AWAY, last_assigned_at=T0))
        uow.commit()
    with store.new_uow() as uow:
        assert [a.id for a in uow.agents.all()] == ["ana", "bo"]
        assert uow.agents.get("ana") == replace(ana, presence=Presence.AWAY,
                                                last_assigned_at=T0)


def test_notices_go_out_after_commit_and_never_for_a_rollback(store: Backend) -> None:
    notifier = InProcessNotifier()
    sub = notifier.subscribe()
    if isinstance(store.new_uow(), MemoryUnitOfWork):
        uow_of = lambda: MemoryUnitOfWork(store.new_uow().store, notifier)  # noqa: E731
    else:
        engine = store.engine
        assert engine is not None
        uow_of = lambda: SqlUnitOfWork(engine, notifier)  # noqa: E731
    with uow_of() as uow:
        uow.handoffs.add(make("rolled-back"), None, "routed")
    with uow_of() as uow:
        uow.handoffs.add(make("h1"), None, "routed")
        assert sub.get(timeout=0.01) is None  # not before the commit
        uow.commit()
    got = sub.get(timeout=1)
    assert got is not None and (got.kind, got.handoff_id, got.queue) == (
        "routed", "h1", "retention")
    assert sub.get(timeout=0.01) is None
    sub.close()


def test_racing_claimers_never_get_the_same_handoff(sql_backend: Backend) -> None:
    if sql_backend.engine is not None and sql_backend.engine.dialect.name == "postgresql":
        with sql_backend.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE handoffs, agents")
    put(sql_backend, *[make(f"h{i:02d}", minutes=i) for i in range(40)])
    barrier = threading.Barrier(4)

    def worker(name: str) -> list[str]:
        barrier.wait(timeout=10)
        got = []
        while (h := claim(sql_backend, name)) is not None:
            got.append(h.id)
        return got

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, ["a", "b", "c", "d"]))
    claimed = [hid for r in results for hid in r]
    assert sorted(claimed) == [f"h{i:02d}" for i in range(40)]  # each once, none lost


@pytest.mark.postgres
def test_postgres_listeners_hear_committed_changes_from_any_connection(
        postgres_engine: object, postgres_url: str) -> None:
    from sqlalchemy import Engine

    assert isinstance(postgres_engine, Engine)
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE handoffs, agents")
    notifier = PostgresNotifier(postgres_url)
    sub = notifier.subscribe()
    try:
        with SqlUnitOfWork(postgres_engine, notifier) as uow:
            uow.handoffs.add(make("rolled-back"), None, "routed")
        with SqlUnitOfWork(postgres_engine, notifier) as uow:
            uow.handoffs.add(make("h1"), None, "routed")
            uow.commit()
        # The channel is per database: other suites sharing the server may notify too,
        # so only this test's handoff ids are looked at.
        heard = []
        while (got := sub.get(timeout=5)) is not None:
            heard.append((got.kind, got.handoff_id))
            if got.handoff_id == "h1":
                break
        while (got := sub.get(timeout=0.2)) is not None:
            heard.append((got.kind, got.handoff_id))
        mine = [n for n in heard if n[1] in ("h1", "rolled-back")]
        assert mine == [("routed", "h1")]
    finally:
        sub.close()
