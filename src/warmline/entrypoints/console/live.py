"""Live updates for the console: one Notifier subscription per process, fanned out.

Each open console tab holds a Server-Sent Events stream. Giving every tab its own
subscription would cost a PostgreSQL connection (LISTEN) and a blocked thread per tab;
instead one reader thread per process holds a single subscription and hands each notice
to every open stream's asyncio queue. The reader starts with the first stream (never at
import or app creation) and re-subscribes after an error (a dropped connection).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Protocol

from warmline.ports import Notice, Notifier, Subscription

log = logging.getLogger("warmline.console")
#: A stream ends after this many seconds; EventSource reconnects (and the page
#: re-renders once on reconnecting), so a server shutting down never waits on a tab.
STREAM_SECONDS = 30.0
KEEPALIVE_SECONDS = 10.0


class Connection(Protocol):
    async def is_disconnected(self) -> bool: ...


Listener = tuple[asyncio.AbstractEventLoop, "asyncio.Queue[Notice]"]


class LiveHub:
    """One subscription, many listeners (each an asyncio queue on its event loop)."""

    def __init__(self, notifier: Notifier | None) -> None:
        self.notifier = notifier
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._sub: Subscription | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        """Subscribe (in the caller's thread, so nothing committed after it is missed)
        and start the reader; idempotent."""
        with self._lock:
            if self.notifier is None or self._thread is not None:
                return
            self._sub = self.notifier.subscribe()
            self._thread = threading.Thread(target=self._read, name="warmline-console-live",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                if self._sub is None:
                    assert self.notifier is not None
                    self._sub = self.notifier.subscribe()
                notice = self._sub.get(0.5)
            except Exception:  # a dropped LISTEN connection: subscribe again shortly
                log.exception("console live updates: subscription failed; retrying")
                self._close_sub()
                self._stop.wait(1.0)
                continue
            if notice is not None:
                with self._lock:
                    listeners = list(self._listeners)
                for loop, inbox in listeners:
                    loop.call_soon_threadsafe(inbox.put_nowait, notice)
        self._close_sub()

    def _close_sub(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            try:
                sub.close()
            except Exception:
                log.exception("console live updates: closing the subscription failed")

    @contextmanager
    def listen(self) -> Iterator[asyncio.Queue[Notice]]:
        """An inbox of every notice from now on, while the block runs (in a coroutine)."""
        inbox: asyncio.Queue[Notice] = asyncio.Queue()
        entry: Listener = (asyncio.get_running_loop(), inbox)
        with self._lock:
            self._listeners.append(entry)
        try:
            yield inbox
        finally:
            with self._lock:
                self._listeners.remove(entry)


def concerns(n: Notice, allowed: frozenset[str] | None, agent_id: str | None) -> bool:
    """Does this person see the handoff the notice is about?"""
    return allowed is None or n.queue in allowed or (agent_id is not None
                                                    and n.agent_id == agent_id)


async def stream(hub: LiveHub, request: Connection, allowed: frozenset[str] | None,
                 agent_id: str | None) -> AsyncIterator[str]:
    """Server-Sent Events: one `handoff` event per notice this person may see."""
    yield "retry: 1500\n\n"
    if hub.notifier is None:
        return
    await asyncio.to_thread(hub.start)
    with hub.listen() as inbox:
        end = time.monotonic() + STREAM_SECONDS
        quiet = 0.0
        while time.monotonic() < end and not await request.is_disconnected():
            try:
                n = await asyncio.wait_for(inbox.get(), timeout=0.5)
            except TimeoutError:
                quiet += 0.5
                if quiet >= KEEPALIVE_SECONDS:
                    quiet = 0.0
                    yield ": still here\n\n"
                continue
            if concerns(n, allowed, agent_id):
                data = json.dumps({"kind": n.kind, "handoff_id": n.handoff_id,
                                   "queue": n.queue, "state": n.state})
                yield f"event: handoff\ndata: {data}\n\n"
