"""Live updates about handoffs: PostgreSQL LISTEN/NOTIFY, and an in-process twin.

On PostgreSQL the unit of work sends each notice with `pg_notify` inside its own
transaction, so listeners in every `warmline serve` worker hear about a change exactly
when it commits, and never about one that rolled back. SQLite has no such mechanism;
there the in-process notifier delivers after commit to subscribers in the same process
(SQLite is the single-node setup, so that is every subscriber there is).
"""

from __future__ import annotations

import json
import queue
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from warmline.ports import Notice

CHANNEL = "warmline_handoffs"
# One channel per schema: several Warmline installations (or test runs) may share a
# PostgreSQL database in different schemas, and NOTIFY channels are database-wide.
CHANNEL_SQL = f"'{CHANNEL}_' || current_schema()"


def encode(n: Notice) -> str:
    return json.dumps({"kind": n.kind, "handoff_id": n.handoff_id, "queue": n.queue,
                       "state": n.state, "agent_id": n.agent_id}, separators=(",", ":"))


def decode(payload: str) -> Notice:
    d = json.loads(payload)
    return Notice(d["kind"], d["handoff_id"], d["queue"], d["state"], d.get("agent_id"))


class _QueueSubscription:
    def __init__(self, owner: InProcessNotifier) -> None:
        self.owner = owner
        self.inbox: queue.Queue[Notice] = queue.Queue()

    def get(self, timeout: float) -> Notice | None:
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.owner.drop(self)


class InProcessNotifier:
    """Fan-out to subscribers of this process, after commit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[_QueueSubscription] = []

    def before_commit(self, connection: Any, notices: Sequence[Notice]) -> None:
        return None

    def after_commit(self, notices: Sequence[Notice]) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            for n in notices:
                sub.inbox.put(n)

    def subscribe(self) -> _QueueSubscription:
        sub = _QueueSubscription(self)
        with self._lock:
            self._subs.append(sub)
        return sub

    def drop(self, sub: _QueueSubscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)


class _ListenSubscription:
    """A dedicated autocommit psycopg connection LISTENing on the channel."""

    def __init__(self, conninfo: dict[str, Any]) -> None:
        import psycopg
        from psycopg import sql

        self.conn = psycopg.connect(autocommit=True, **conninfo)
        row = self.conn.execute(f"SELECT {CHANNEL_SQL}").fetchone()
        assert row is not None
        # the name is quoted as an identifier: it carries the schema name
        self.conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(row[0])))
        self.buffer: deque[Notice] = deque()

    def get(self, timeout: float) -> Notice | None:
        if not self.buffer:
            # run the generator to its end: one packet may carry several notices, and
            # leaving it early would drop the rest
            self.buffer.extend(decode(n.payload)
                               for n in self.conn.notifies(timeout=timeout, stop_after=1))
        return self.buffer.popleft() if self.buffer else None

    def close(self) -> None:
        self.conn.close()


class PostgresNotifier:
    """NOTIFY inside the writer's transaction; LISTEN on a connection of one's own."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        info: dict[str, Any] = parsed.translate_connect_args(username="user",
                                                             database="dbname")
        info.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
        self.conninfo = info

    def before_commit(self, connection: Any, notices: Sequence[Notice]) -> None:
        conn: Connection = connection
        for n in notices:
            conn.execute(text(f"SELECT pg_notify({CHANNEL_SQL}, :payload)"),
                         {"payload": encode(n)})

    def after_commit(self, notices: Sequence[Notice]) -> None:
        return None  # PostgreSQL delivered them on commit

    def subscribe(self) -> _ListenSubscription:
        return _ListenSubscription(self.conninfo)


def notifier_for(url: str) -> InProcessNotifier | PostgresNotifier:
    """LISTEN/NOTIFY on PostgreSQL; the in-process twin on SQLite (and in memory)."""
    if make_url(url).get_backend_name() == "postgresql":
        return PostgresNotifier(url)
    return InProcessNotifier()
