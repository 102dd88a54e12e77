"""The monthly review (`warmline report --month 2026-11`): the figures of this month and
the previous one, and a stratified sample of transcripts to read (docs/metrics.md).

Read only. The sample is what a support lead should read first — handoffs with low
CSAT, re-escalations, seam leaks and missed escalations — a few of each, in a stable
order, each transcript with the trigger evidence marked where it fired.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from warmline.domain.events import Event
from warmline.domain.measure.metrics import LOW_CSAT, SeamMetrics, compute
from warmline.domain.model import Conversation
from warmline.service.views.metrics import started_between

#: How many transcripts of each stratum the review shows.
PER_STRATUM = 5


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """`2026-11` → [2026-11-01, 2026-12-01) in UTC."""
    year, mon = (int(x) for x in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=UTC)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=UTC)
    return start, end


def previous(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


@dataclass(frozen=True)
class Line:
    """One message of a sampled transcript, cut into plain and marked (evidence) runs."""

    index: int
    role: str
    runs: tuple[tuple[str, bool], ...]
    note: str = ""


@dataclass(frozen=True)
class Sample:
    stratum: str  # low_csat | re_escalated | seam_leak | missed
    conversation_id: str
    why: str
    lines: tuple[Line, ...]


@dataclass
class MonthlyReview:
    month: str
    figures: SeamMetrics
    before: SeamMetrics
    samples: list[Sample] = field(default_factory=list)


def transcript(conversation_id: str, events: Sequence[Event]) -> tuple[Line, ...]:
    """The conversation's messages with every escalation's evidence spans marked."""
    conv = Conversation.replay(conversation_id, events)
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for e in events:
        if type(e).__name__ == "EscalationTriggered":
            for hit in e.hits:  # type: ignore[attr-defined]
                for ev in hit.evidence:
                    if ev.start is not None and ev.end is not None:
                        spans.setdefault(ev.turn, []).append((ev.start, ev.end, hit.kind))
    lines = []
    for t in conv.turns:
        marks = sorted(spans.get(t.index, []))
        runs: list[tuple[str, bool]] = []
        pos = 0
        for start, end, _ in marks:
            if start < pos or end > len(t.text):
                continue
            runs += [(t.text[pos:start], False), (t.text[start:end], True)]
            pos = end
        runs.append((t.text[pos:], False))
        note = ", ".join(dict.fromkeys(k for _, _, k in marks))
        lines.append(Line(t.index, t.role.value, tuple(r for r in runs if r[0]), note))
    return tuple(lines)


def _pick(strata: dict[str, list[tuple[str, str]]], histories: dict[str, list[Event]]
          ) -> list[Sample]:
    out = []
    for stratum, items in strata.items():
        seen: set[str] = set()
        for cid, why in items:
            if cid in seen or len(seen) >= PER_STRATUM:
                continue
            seen.add(cid)
            out.append(Sample(stratum, cid, why, transcript(cid, histories[cid])))
    return out


def review(histories: dict[str, list[Event]], month: str, *, now: datetime) -> MonthlyReview:
    """The figures for `month` and the month before, and the sample to read."""
    start, end = month_bounds(month)
    this = started_between(histories, start, end)
    p_start, p_end = month_bounds(previous(month))
    figures = compute(this, now=min(now, end))
    before = compute(started_between(histories, p_start, p_end), now=min(now, p_end))
    by_handoff = {f.handoff_id: f for f in figures.handoffs}
    strata: dict[str, list[tuple[str, str]]] = {
        "low_csat": [(by_handoff[a.handoff_id].conversation_id, f"CSAT {a.score:g}")
                     for a in sorted(figures.csat, key=lambda a: (a.score, a.at))
                     if a.score <= LOW_CSAT and a.handoff_id in by_handoff],
        "re_escalated": [(by_handoff[h].conversation_id, f"handoff {h} re-escalated")
                         for h in figures.re_escalated],
        "seam_leak": [(by_handoff[x.handoff_id].conversation_id, f"seam leak: {x.kind}")
                      for x in figures.leaks if x.handoff_id in by_handoff],
        "missed": [(m.conversation_id, "missed: " + ", ".join(m.reasons))
                   for m in figures.missed],
    }
    return MonthlyReview(month, figures, before, _pick(strata, this))


def figure_rows(m: SeamMetrics) -> list[tuple[str, float | int | None]]:
    """The headline figures as (name, value): the CSV and the report's table."""
    rows: list[tuple[str, float | int | None]] = [
        ("conversations", m.conversations), ("handoffs", len(m.handoffs)),
        ("time_to_human_median_s", m.time_to_human.median),
        ("time_to_human_p90_s", m.time_to_human.p90),
        ("handoffs_unanswered", m.unanswered),
        ("re_escalation_rate", m.re_escalation.value),
        ("fallback_share", m.fallback_share.value),
        ("csat_mean", m.csat_mean), ("csat_response_rate", m.csat_response.value),
        ("seam_leaks_per_handoff", m.leaks_per_handoff),
        ("missed_escalations", len(m.missed)), ("missed_rate", m.missed_rate.value)]
    rows += [(f"escalation_rate.channel.{k}", r.value)
             for k, r in m.escalation_by_channel.items()]
    rows += [(f"escalation_rate.trigger.{k}", r.value)
             for k, r in m.escalation_by_trigger.items()]
    rows += [(f"time_to_human_median_s.lane.{k}", s.median)
             for k, s in m.time_to_human_by_lane.items()]
    rows += [(f"csat_mean.lane.{k}", v) for k, v in m.csat_by_lane.items()]
    rows += [(f"csat_mean.trigger.{k}", v) for k, v in m.csat_by_trigger.items()]
    return rows


def to_csv(r: MonthlyReview) -> str:
    """metric, this month, previous month (blank when not defined)."""
    prev = dict(figure_rows(r.before))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["metric", r.month, previous(r.month)])
    for name, value in figure_rows(r.figures):
        w.writerow([name, _cell(value), _cell(prev.get(name))])
    return buf.getvalue()


def _cell(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:.4f}"
