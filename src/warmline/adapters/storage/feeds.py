"""The web chat feed: in the database, shared by every `warmline serve` worker, and its
in-process twin (tests, a lone process).

A line posted through one worker (the customer's message, the brand's answer) is read by
the event stream another worker serves: both read and write the `webchat_feed` table
(migration 0005_webchat_feed). Each append is its own short transaction, committed before
it returns, so a reader never sees a line that could still roll back.

Numbering: the next `seq` of a session is one more than the highest stored. Two writers
that read the same highest both try the same `seq`; the primary key (session_id, seq)
lets one in and the other retries with the next number. On PostgreSQL the loser waits on
the winner's uncommitted row, so `seq` n+1 is never visible before n: a reader that
resumes "after n" misses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from warmline.adapters.storage.schema import webchat_feed, webchat_sessions
from warmline.domain.seam.channels import Button, FeedItem

MAX_ITEMS = 500  # per session; the oldest go first (a chat, not an archive)
ATTEMPTS = 20  # concurrent appends to one session; far more than a chat ever sees


class SqlWebchatFeed:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, session_id: str) -> None:
        if self.exists(session_id):
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(webchat_sessions).values(
                    session_id=session_id, opened_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # another worker opened it first

    def exists(self, session_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(webchat_sessions.c.session_id).where(
                webchat_sessions.c.session_id == session_id)).first() is not None

    def append(self, session_id: str, role: str, text: str, *, item_id: str | None = None,
               buttons: Sequence[Button] = (), author: str | None = None) -> FeedItem:
        c = webchat_feed.c
        for _ in range(ATTEMPTS):
            now = datetime.now(UTC)
            try:
                with self.engine.begin() as conn:
                    top = conn.execute(select(func.max(c.seq)).where(
                        c.session_id == session_id)).scalar()
                    seq = (top or 0) + 1
                    item = FeedItem(seq=seq, id=item_id or f"web.{session_id}.{seq}",
                                    role=role, text=text, at=now, buttons=tuple(buttons),
                                    author=author)
                    conn.execute(insert(webchat_feed).values(
                        session_id=session_id, seq=seq, item_id=item.id, role=role,
                        text=text, author=author, at=now,
                        buttons=[{"id": b.id, "title": b.title} for b in buttons]))
                    if seq > MAX_ITEMS:  # a chat, not an archive: the oldest go first
                        conn.execute(delete(webchat_feed).where(
                            c.session_id == session_id, c.seq <= seq - MAX_ITEMS))
                return item
            except IntegrityError:
                continue  # another writer took this number: take the next one
        raise RuntimeError(f"could not append to web chat session {session_id!r}: "
                           f"{ATTEMPTS} concurrent writers won first")

    def since(self, session_id: str, after: int = 0) -> list[FeedItem]:
        c = webchat_feed.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(webchat_feed).where(
                c.session_id == session_id, c.seq > after).order_by(c.seq)).all()
        return [_item(r._mapping) for r in rows]


def _item(m: object) -> FeedItem:
    row = dict(m)  # type: ignore[call-overload]
    at = row["at"]
    if at.tzinfo is None:  # SQLite hands back naive UTC
        at = at.replace(tzinfo=UTC)
    return FeedItem(seq=row["seq"], id=row["item_id"], role=row["role"], text=row["text"],
                    at=at, buttons=tuple(Button(b["id"], b["title"]) for b in row["buttons"]),
                    author=row["author"])


class MemoryWebchatFeed:
    """Per-session feeds in this process; thread-safe (writers run in worker threads,
    readers in the loop). The twin of `SqlWebchatFeed` for tests and a lone process."""

    def __init__(self) -> None:
        self._items: dict[str, list[FeedItem]] = {}
        self._next: dict[str, int] = {}
        self._lock = threading.Lock()

    def open(self, session_id: str) -> None:
        with self._lock:
            self._items.setdefault(session_id, [])
            self._next.setdefault(session_id, 1)

    def exists(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._items

    def append(self, session_id: str, role: str, text: str, *, item_id: str | None = None,
               buttons: Sequence[Button] = (), author: str | None = None) -> FeedItem:
        with self._lock:
            items = self._items.setdefault(session_id, [])
            seq = self._next.get(session_id, 1)
            self._next[session_id] = seq + 1
            item = FeedItem(seq=seq, id=item_id or f"web.{session_id}.{seq}", role=role,
                            text=text, at=datetime.now(UTC), buttons=tuple(buttons),
                            author=author)
            items.append(item)
            del items[:-MAX_ITEMS]
            return item

    def since(self, session_id: str, after: int = 0) -> list[FeedItem]:
        with self._lock:
            return [i for i in self._items.get(session_id, []) if i.seq > after]
