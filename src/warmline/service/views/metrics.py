"""Read side for the seam metrics: load conversations' events and compute the figures.

No writes here. The live view (`/metrics`) reads the most recently updated conversations
up to a cap, so a scrape costs a bounded amount however large the history grows; the
monthly report reads a period in full.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from warmline.domain.events import Event
from warmline.domain.measure.metrics import SeamMetrics, compute
from warmline.ports import UnitOfWork


def load_histories(uow: Callable[[], UnitOfWork], *, limit: int = 100_000,
                   page: int = 500) -> dict[str, list[Event]]:
    """Conversation id → its events, most recently updated first, at most `limit`."""
    out: dict[str, list[Event]] = {}
    with uow() as u:
        offset = 0
        while len(out) < limit:
            ids = u.conversations.list_ids(limit=min(page, limit - len(out)), offset=offset)
            if not ids:
                break
            for cid in ids:
                out[cid] = u.conversations.load(cid)
            offset += len(ids)
    return out


def started_between(histories: dict[str, list[Event]], start: datetime,
                    end: datetime) -> dict[str, list[Event]]:
    """The conversations whose first event falls in [start, end)."""
    return {cid: ev for cid, ev in histories.items()
            if ev and start <= ev[0].occurred_at < end}


def live_metrics(uow: Callable[[], UnitOfWork], now: datetime, *,
                 window: timedelta = timedelta(days=30), limit: int = 5000) -> SeamMetrics:
    """The figures over conversations started in the last `window` (newest `limit`)."""
    recent = started_between(load_histories(uow, limit=limit), now - window,
                             now + timedelta(seconds=1))
    return compute(recent, now=now)


def sorted_ids(histories: dict[str, Sequence[Event]]) -> list[str]:
    """Conversation ids by start time, then id: a stable order for reports and samples."""
    return sorted(histories, key=lambda c: (histories[c][0].occurred_at, c)
                  if histories[c] else (datetime.min, c))
