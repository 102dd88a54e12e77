"""One contract for every ConversationRepository / UnitOfWork: memory, SQLite, PostgreSQL.

Duplicate inbound keys: remembering a key that is already stored with the same value is
a no-op; a key already taken by a different value (another writer handled that message)
raises ConcurrencyError, so the bus retries and then finds the duplicate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from warmline.adapters.storage.schema import conversations
from warmline.domain import events as ev
from warmline.domain.events import Event
from warmline.ports import ConcurrencyError, InboundKey

if TYPE_CHECKING:
    from conftest import Backend, Make, Race

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


def test_events_of_every_type_round_trip_in_order(backend: Backend, make: type[Make]) -> None:
    cid = make.conversation_id()
    made = make.every_type(cid)
    with backend.new_uow() as uow:
        uow.conversations.append(cid, made[:3], expected_version=0)
        assert uow.conversations.load(cid) == made[:3]  # own writes are visible
        uow.commit()
    backend.commit(cid, made[3:], expected=3)

    loaded = backend.load(cid)
    assert loaded == made
    assert [type(e) for e in loaded] == [type(e) for e in made]
    assert all(e.occurred_at.utcoffset() is not None for e in loaded)
    assert backend.load(make.conversation_id()) == []


def test_stale_expected_version_raises_concurrency_error_and_stores_nothing(
        backend: Backend, make: type[Make]) -> None:
    cid = make.conversation_id()
    seeded = [make.started(cid), make.message(cid)]
    backend.commit(cid, seeded, expected=0)
    late = make.message(cid, "late")
    with backend.new_uow() as uow:
        for stale in (0, 1, 3):
            with pytest.raises(ConcurrencyError):
                uow.conversations.append(cid, [make.message(cid, "lost")],
                                         expected_version=stale)
        with pytest.raises(ConcurrencyError):
            uow.conversations.append("conv-unknown", [make.started("conv-unknown")],
                                     expected_version=1)
        assert uow.conversations.load(cid) == seeded
        uow.conversations.append(cid, [late], expected_version=2)  # still usable
        uow.commit()
    assert backend.load(cid) == [*seeded, late]
    assert backend.load("conv-unknown") == []


def test_uncommitted_work_is_invisible_to_other_units_and_discarded_on_exit(
        backend: Backend, make: type[Make]) -> None:
    cid = make.conversation_id()
    seen: list[tuple[list[Event], InboundKey | None]] = []

    def reader() -> None:  # on SQLite this queues until the writer's block ends
        with backend.new_uow() as uow:
            seen.append((uow.conversations.load(cid), uow.conversations.inbound("web", "m")))

    thread = threading.Thread(target=reader)
    with backend.new_uow() as uow:
        uow.conversations.append(cid, [make.started(cid)], expected_version=0)
        uow.conversations.remember_inbound("web", "m", InboundKey(cid, 0))
        thread.start()
        thread.join(timeout=0.5)
    thread.join(timeout=10)
    assert seen == [([], None)]

    with pytest.raises(RuntimeError), backend.new_uow() as uow:
        uow.conversations.append(cid, [make.started(cid)], expected_version=0)
        raise RuntimeError("handler failed")
    with backend.new_uow() as uow:
        assert uow.conversations.load(cid) == []
        assert uow.conversations.inbound("web", "m") is None
        assert cid not in uow.conversations.list_ids()


def test_rollback_discards_and_commit_publishes_only_what_came_before_it(
        backend: Backend, make: type[Make]) -> None:
    cid = make.conversation_id()
    first, second = make.started(cid), make.message(cid)
    with backend.new_uow() as uow:
        uow.conversations.append(cid, [make.started(cid, channel="discarded")], 0)
        uow.rollback()
        uow.conversations.append(cid, [first], expected_version=0)
        uow.commit()
        uow.conversations.append(cid, [second], expected_version=1)  # never committed
    assert backend.load(cid) == [first]


def test_inbound_key_is_remembered_and_found(backend: Backend, make: type[Make]) -> None:
    cid = make.conversation_id()
    key = InboundKey(cid, 3)
    with backend.new_uow() as uow:
        assert uow.conversations.inbound("whatsapp", "wamid.1") is None
        uow.conversations.append(cid, [make.started(cid)], expected_version=0)
        uow.conversations.remember_inbound("whatsapp", "wamid.1", key)
        assert uow.conversations.inbound("whatsapp", "wamid.1") == key
        uow.commit()
    with backend.new_uow() as uow:
        assert uow.conversations.inbound("whatsapp", "wamid.1") == key
        assert uow.conversations.inbound("email", "wamid.1") is None  # keyed per channel
        assert uow.conversations.inbound("whatsapp", "wamid.2") is None


def test_remembering_the_same_inbound_key_again_is_idempotent(
        backend: Backend, make: type[Make]) -> None:
    key = InboundKey(make.conversation_id(), 0)
    for _ in range(2):
        with backend.new_uow() as uow:
            uow.conversations.remember_inbound("web", "m-7", key)
            uow.conversations.remember_inbound("web", "m-7", key)
            uow.commit()
    with backend.new_uow() as uow:
        assert uow.conversations.inbound("web", "m-7") == key


@pytest.mark.parametrize("backend", [
    "memory", "sqlite", POSTGRES,
], indirect=True)
def test_remembering_an_inbound_key_taken_by_another_value_is_a_concurrency_error(
        backend: Backend, make: type[Make]) -> None:
    first = InboundKey(make.conversation_id(), 0)
    with backend.new_uow() as uow:
        uow.conversations.remember_inbound("web", "m-8", first)
        uow.commit()
    with backend.new_uow() as uow:
        with pytest.raises(ConcurrencyError):
            uow.conversations.remember_inbound("web", "m-8", InboundKey("conv-other", 1))
        uow.commit()
    with backend.new_uow() as uow:
        assert uow.conversations.inbound("web", "m-8") == first


def test_list_ids_pages_through_every_conversation(backend: Backend, make: type[Make]) -> None:
    ids = {make.conversation_id() for _ in range(5)}
    for cid in ids:
        backend.commit(cid, [make.started(cid)], expected=0)
    with backend.new_uow() as uow:
        repo = uow.conversations
        everything = repo.list_ids()
        assert sorted(everything) == sorted(ids)
        assert repo.list_ids(limit=2) + repo.list_ids(limit=2, offset=2) \
            + repo.list_ids(limit=2, offset=4) == everything
        assert repo.list_ids(limit=10, offset=5) == []


@pytest.mark.parametrize("backend", [
    "memory", "sqlite", POSTGRES,
], indirect=True)
def test_list_ids_puts_the_most_recently_updated_conversation_first(
        backend: Backend, make: type[Make]) -> None:
    for cid in ("a", "b", "c"):
        backend.commit(cid, [make.started(cid)], expected=0)
    backend.commit("b", [make.message("b")], expected=1)
    with backend.new_uow() as uow:
        assert uow.conversations.list_ids() == ["b", "c", "a"]
        assert uow.conversations.list_ids(limit=1, offset=1) == ["c"]


def test_two_concurrent_writers_on_one_conversation_exactly_one_wins(
        sql_backend: Backend, make: type[Make], race: Race) -> None:
    cid = make.conversation_id()
    sql_backend.commit(cid, [make.started(cid)], expected=0)

    def writer(event: Event, expected: int) -> Callable[[], None]:
        return lambda: sql_backend.commit(cid, [event], expected)

    expected_log = sql_backend.load(cid)
    for version in range(1, 6):
        attempts = [make.message(cid, "from A"), make.message(cid, "from B")]
        outcomes = race(*(writer(e, version) for e in attempts))
        assert sorted(o is None for o in outcomes) == [False, True], outcomes
        expected_log.append(attempts[outcomes.index(None)])
    assert sql_backend.load(cid) == expected_log


def test_two_writers_racing_on_one_inbound_message_one_gets_concurrency_error(
        sql_backend: Backend, make: type[Make], race: Race) -> None:
    cids = [make.conversation_id(), make.conversation_id()]

    def writer(cid: str) -> Callable[[], None]:
        def body() -> None:
            with sql_backend.new_uow() as uow:
                uow.conversations.append(cid, [make.started(cid)], expected_version=0)
                uow.conversations.remember_inbound("web", "dup-1", InboundKey(cid, 0))
                uow.commit()
        return body

    outcomes = race(*(writer(cid) for cid in cids))
    assert sorted(o is None for o in outcomes) == [False, True], outcomes
    winner, loser = (cids[0], cids[1]) if outcomes[0] is None else (cids[1], cids[0])
    with sql_backend.new_uow() as uow:
        assert uow.conversations.inbound("web", "dup-1") == InboundKey(winner, 0)
        assert uow.conversations.load(loser) == []  # the loser's whole unit is gone


@pytest.mark.parametrize("sql_backend", [POSTGRES], indirect=True)
def test_postgres_writers_that_loaded_the_same_version_race_and_one_loses(
        sql_backend: Backend, make: type[Make], race: Race) -> None:
    """The handler pattern: load and append in one unit; READ COMMITTED lets both load."""
    cid = make.conversation_id()
    sql_backend.commit(cid, [make.started(cid)], expected=0)
    both_loaded = threading.Barrier(2)

    def writer(text: str) -> Callable[[], None]:
        def body() -> None:
            with sql_backend.new_uow() as uow:
                seen = uow.conversations.load(cid)
                both_loaded.wait(timeout=10)
                uow.conversations.append(cid, [make.message(cid, text)], len(seen))
                uow.commit()
        return body

    outcomes = race(writer("A"), writer("B"))
    assert sorted(o is None for o in outcomes) == [False, True], outcomes
    assert len(sql_backend.load(cid)) == 2


@pytest.mark.parametrize("sql_backend", ["sqlite"], indirect=True)
def test_sqlite_units_of_work_queue_so_a_later_writer_sees_the_earlier_commit(
        sql_backend: Backend, make: type[Make]) -> None:
    """BEGIN IMMEDIATE: a second unit waits for the first instead of conflicting."""
    cid = make.conversation_id()
    done: list[int] = []

    def second() -> None:
        with sql_backend.new_uow() as uow:
            seen = uow.conversations.load(cid)
            uow.conversations.append(cid, [make.message(cid)], len(seen))
            uow.commit()
            done.append(len(seen))

    thread = threading.Thread(target=second)
    with sql_backend.new_uow() as uow:
        uow.conversations.append(cid, [make.started(cid)], expected_version=0)
        thread.start()
        time.sleep(0.3)
        assert done == []  # queued behind our write lock
        uow.commit()
    thread.join(timeout=10)
    assert done == [1]
    assert len(sql_backend.load(cid)) == 2


def test_sql_conversation_row_takes_channel_from_conversation_started(
        sql_backend: Backend, make: type[Make]) -> None:
    sql_backend.commit("with-start", [make.started("with-start", "whatsapp", "c-9")], 0)
    sql_backend.commit("without", [make.message("without")], 0)
    assert sql_backend.engine is not None
    with sql_backend.engine.connect() as conn:
        rows = conn.execute(select(conversations.c.id, conversations.c.channel,
                                   conversations.c.customer_ref, conversations.c.version)
                            .order_by(conversations.c.id)).all()
    assert [tuple(r) for r in rows] == [("with-start", "whatsapp", "c-9", 1),
                                        ("without", "api", None, 1)]


def test_sql_refuses_naive_datetimes(sql_backend: Backend, make: type[Make]) -> None:
    cid = make.conversation_id()
    naive = ev.ConversationStarted(conversation_id=cid, occurred_at=datetime(2024, 1, 1),
                                   channel="web")
    with sql_backend.new_uow() as uow, pytest.raises(ValueError, match="naive"):
        uow.conversations.append(cid, [naive], expected_version=0)


def test_a_conversation_identified_later_is_listed_for_that_customer(
        backend: Backend, make: type[Make]) -> None:
    cid = make.conversation_id()
    backend.commit(cid, [make.started(cid, "whatsapp", None), make.message(cid)], 0)
    ref = f"cust-{cid}"
    with backend.new_uow() as uow:
        assert cid not in uow.conversations.ids_for_customer(ref)
    backend.commit(cid, [ev.CustomerIdentified(conversation_id=cid, occurred_at=make.now(),
                                               customer_ref=ref, channel="whatsapp")], 2)
    with backend.new_uow() as uow:
        assert uow.conversations.ids_for_customer(ref) == [cid]
