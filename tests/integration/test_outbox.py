"""The outbox twins (memory, SQLite, PostgreSQL) keep the same contract: a key is begun
once, a sent key answers its message id, an uncertain key answers UNCERTAIN, and only
pending entries whose backoff has passed are due."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from warmline.adapters.channels.base import UNCERTAIN
from warmline.adapters.storage.outbox import MemoryOutbox, SqlOutbox
from warmline.ports import Outbox, OutboxEntry

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres",
                                                          marks=pytest.mark.postgres)])
def outbox(request: pytest.FixtureRequest) -> Iterator[Outbox]:
    if request.param == "memory":
        yield MemoryOutbox()
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite"
                                  else "postgres_url")
    from warmline.adapters.storage.engine import make_engine

    engine = make_engine(url)
    yield SqlOutbox(engine)
    engine.dispose()


def test_a_key_is_begun_once_and_the_stored_entry_wins(outbox: Outbox) -> None:
    key = f"wa-1:bot_reply:{uuid.uuid4().hex}"
    first = outbox.begin(OutboxEntry(key, "wa-1", "whatsapp", "bot_reply"), NOW)
    outbox.update(OutboxEntry(key, "wa-1", "whatsapp", "bot_reply", state="sent",
                              attempts=1, provider_message_id="wamid.1"), NOW)
    again = outbox.begin(OutboxEntry(key, "wa-1", "whatsapp", "bot_reply"), NOW)
    assert first.state == "pending" and (again.state, again.attempts) == ("sent", 1)
    assert outbox.get(key) == "wamid.1"


def test_an_uncertain_key_is_never_reported_as_unsent(outbox: Outbox) -> None:
    key = f"wa-2:expectation:{uuid.uuid4().hex}"
    outbox.begin(OutboxEntry(key, "wa-2", "whatsapp", "expectation"), NOW)
    outbox.put(key, UNCERTAIN)
    assert outbox.get(key) == UNCERTAIN
    assert [e.state for e in outbox.for_conversation("wa-2")] == ["uncertain"]


def test_only_pending_entries_past_their_backoff_are_due(outbox: Outbox) -> None:
    cid = f"wa-{uuid.uuid4().hex[:8]}"
    later = OutboxEntry(f"{cid}:a", cid, "whatsapp", "bot_reply", attempts=1,
                        next_attempt_at=NOW + timedelta(minutes=5))
    ready = OutboxEntry(f"{cid}:b", cid, "whatsapp", "bot_reply", attempts=1,
                        next_attempt_at=NOW - timedelta(seconds=1))
    done = OutboxEntry(f"{cid}:c", cid, "whatsapp", "bot_reply", state="failed")
    for entry in (later, ready, done):
        outbox.begin(entry, NOW)
    assert [e.key for e in outbox.due(NOW) if e.conversation_id == cid] == [ready.key]
    assert sorted(e.key for e in outbox.due(NOW + timedelta(minutes=6))
                  if e.conversation_id == cid) == [later.key, ready.key]
