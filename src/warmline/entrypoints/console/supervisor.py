"""Read side of the supervisor view: every queue, every person, what waits, and today.

No writes here. Live figures come from the queue (service/views/queues.py); today's
time-to-human, re-escalations and CSAT from the event log through the same metrics the
monthly review uses (domain/measure/metrics.py), over conversations started since midnight UTC
(at most `limit` of the most recently updated, so the page costs a bounded amount),
recomputed at most every 15 seconds (`TodayCache`).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from warmline.domain.measure.metrics import SeamMetrics, compute
from warmline.domain.policy import Policy
from warmline.entrypoints.console import charts
from warmline.entrypoints.console.queues import sla_state, waited_text
from warmline.ports import UnitOfWork
from warmline.service.views import queues as qq
from warmline.service.views.metrics import load_histories, started_between


def today_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class TodayCache:
    """Today's metrics, recomputed at most every `ttl` seconds.

    They are read from the event log of every conversation started today (hundreds of
    milliseconds with a thousand of them), while the page re-renders on every live
    notice; the queue figures beside them stay live on every render."""

    def __init__(self, ttl: float = 15.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._kept: tuple[float, datetime, datetime, SeamMetrics] | None = None

    def get(self, start: datetime, now: datetime,
            compute: Callable[[], SeamMetrics]) -> tuple[datetime, SeamMetrics]:
        """The figures for the day starting `start` and when they were computed."""
        with self._lock:
            kept = self._kept
            if kept is not None and kept[1] == start and time.monotonic() - kept[0] < self.ttl:
                return kept[2], kept[3]
            m = compute()
            self._kept = (time.monotonic(), start, now, m)
            return now, m


def overview(uow: Callable[[], UnitOfWork], policy: Policy, now: datetime,
             cache: TodayCache, limit: int = 2000, oldest: int = 25) -> dict[str, Any]:
    rp = policy.routing
    queues = qq.queues_view(uow(), policy, now)
    agents = qq.agents_view(uow(), policy, now)
    with uow() as u:
        waiting = u.handoffs.waiting(None, now, 500)
    waiting.sort(key=lambda h: h.waiting_since)
    rows = []
    breaches: Counter[str] = Counter()
    for h in waiting:
        waited = max(int((now - h.waiting_since).total_seconds()), 0)
        sla = rp.queues[h.queue].sla_seconds if h.queue in rp.queues else 300
        state = sla_state(waited, sla)
        if state == "breached":
            breaches[h.queue] += 1
        rows.append({"id": h.id, "conversation_id": h.conversation_id, "queue": h.queue,
                     "state": h.state.value, "agent_id": h.agent_id, "waited": waited,
                     "waited_text": waited_text(waited), "sla": state,
                     "priority": h.priority})
    start = today_start(now)
    as_of, m = cache.get(start, now, lambda: compute(started_between(
        load_histories(uow, limit=limit), start, now + timedelta(seconds=1)), now=now))
    ttm = m.time_to_human
    scores = Counter(int(a.score) for a in m.csat)
    by_queue = sorted(((q, s.median / 60) for q, s in m.time_to_human_by_queue.items()
                       if s.median is not None), key=lambda x: -x[1])
    return {
        "queues": queues, "agents": agents, "oldest": rows[:oldest],
        "waiting_total": sum(q["waiting"] + q["offered"] for q in queues),
        "breaches": dict(breaches),
        "breach_total": sum(breaches.values()),
        "today": {
            "since": start, "as_of": as_of, "conversations": m.conversations,
            "handoffs": len(m.handoffs),
            "ttm_median": ttm.median, "ttm_p90": ttm.p90,
            "unanswered": m.unanswered, "re_escalation": m.re_escalation,
            "csat_mean": m.csat_mean, "csat_n": len(m.csat),
            "csat_response": m.csat_response},
        "charts": {
            "waiting": _waiting_chart(queues),
            "ttm": charts.bars(by_queue, unit=" min", title="median time to a human today "
                               "by queue (minutes)"),
            "csat": charts.bars([(f"{s} ★", float(scores.get(s, 0))) for s in range(5, 0, -1)],
                                title="CSAT answers today by score"),
        },
        "month": now.strftime("%Y-%m"),
    }


def _waiting_chart(queues: list[dict[str, Any]]) -> Markup:
    items = [(q["name"], float(q["oldest_wait_seconds"] or 0) / 60) for q in queues
             if q["waiting"] or q["offered"]]
    return charts.bars(items, unit=" min", title="oldest wait by queue (minutes)")
