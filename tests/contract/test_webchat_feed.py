"""One contract for the web chat feed: memory, SQLite, PostgreSQL.

The SQL feed is what lets several `warmline serve` workers share a thread: a line
appended through one engine is read through another (a second process's engine).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from tests.contract.conftest import Backend

from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.feeds import MemoryWebchatFeed, SqlWebchatFeed
from warmline.domain.seam.channels import Button
from warmline.ports import WebchatFeed

SESSION, OTHER = "a" * 24, "b" * 24


@dataclass
class Feeds:
    """Two handles on the same feed: one per worker (the same object in memory)."""

    one: WebchatFeed
    two: WebchatFeed


@pytest.fixture
def feeds(backend: Backend) -> Iterator[Feeds]:
    if backend.engine is None:
        feed = MemoryWebchatFeed()
        yield Feeds(feed, feed)
        return
    if backend.engine.dialect.name == "postgresql":
        with backend.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE webchat_feed, webchat_sessions")
    second = make_engine(backend.engine.url.render_as_string(hide_password=False))
    try:
        yield Feeds(SqlWebchatFeed(backend.engine), SqlWebchatFeed(second))
    finally:
        second.dispose()


def test_a_session_exists_once_opened_and_opening_again_is_harmless(feeds: Feeds) -> None:
    assert not feeds.one.exists(SESSION)
    feeds.one.open(SESSION)
    feeds.two.open(SESSION)
    assert feeds.one.exists(SESSION) and feeds.two.exists(SESSION)
    assert feeds.one.since(SESSION) == []


def test_items_are_numbered_in_order_and_read_after_a_cursor(feeds: Feeds) -> None:
    feeds.one.open(SESSION)
    first = feeds.one.append(SESSION, "customer", "Where is my parcel?", item_id="m-1")
    second = feeds.two.append(SESSION, "brand", "Let me check.",
                              buttons=[Button("warmline:human", "Talk to a person")])
    third = feeds.one.append(SESSION, "brand", "Ana here.", author="Ana")
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert [i.id for i in feeds.two.since(SESSION)] == ["m-1", f"web.{SESSION}.2",
                                                         f"web.{SESSION}.3"]
    assert [i.text for i in feeds.two.since(SESSION, 1)] == ["Let me check.", "Ana here."]
    assert feeds.one.since(SESSION, 3) == []


def test_an_item_reads_back_exactly_as_it_was_written(feeds: Feeds) -> None:
    feeds.one.open(SESSION)
    written = feeds.one.append(SESSION, "brand", "How did we do? — ça va 👋", item_id="k:1",
                               buttons=[Button("csat:5", "Great"), Button("csat:1", "Poor")],
                               author="Bo")
    [read] = feeds.two.since(SESSION)
    assert read.at.utcoffset() is not None
    assert abs((read.at - written.at).total_seconds()) < 1e-3
    assert read.to_public() == written.to_public()


def test_sessions_do_not_see_each_others_items(feeds: Feeds) -> None:
    feeds.one.open(SESSION)
    feeds.one.open(OTHER)
    feeds.one.append(SESSION, "customer", "mine")
    feeds.two.append(OTHER, "customer", "theirs")
    assert [i.text for i in feeds.one.since(SESSION)] == ["mine"]
    assert [(i.seq, i.text) for i in feeds.two.since(OTHER)] == [(1, "theirs")]


def test_concurrent_writers_get_distinct_consecutive_numbers(feeds: Feeds) -> None:
    feeds.one.open(SESSION)
    barrier = threading.Barrier(8)

    def write(n: int) -> Callable[[], int]:
        def go() -> int:
            barrier.wait(timeout=10)
            feed = feeds.one if n % 2 else feeds.two
            return feed.append(SESSION, "brand", f"line {n}").seq
        return go

    with ThreadPoolExecutor(8) as pool:
        seqs = [f.result(timeout=60) for f in [pool.submit(write(n)) for n in range(8)]]
    assert sorted(seqs) == list(range(1, 9))
    stored = feeds.two.since(SESSION)
    assert [i.seq for i in stored] == list(range(1, 9))
    assert sorted(i.text for i in stored) == sorted(f"line {n}" for n in range(8))
