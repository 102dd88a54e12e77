"""Figures from a simulated day: time-to-human per lane, abandonment, SLA, ETA error.

Definitions (also in docs/routing.md):
- a lane is the queue the router chose (a handoff that overflowed still counts in the
  lane it was routed to, and is counted as overflowed);
- time-to-human runs from routing to a person confirming; in-hours figures leave out
  handoffs deferred to an opening, which are reported on their own;
- SLA attainment = accepted within the queue's target / (accepted + abandoned after the
  target), the usual contact-centre reading: a customer who left early is not a miss;
- ETA error = the estimate given at routing minus the actual wait, for handoffs that
  were accepted; reported as the median absolute error and the median (signed) bias.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from warmline.simulation.engine import Story

BUCKETS: tuple[tuple[float, float, str], ...] = (
    (0, 1, "<1"), (1, 2, "1–2"), (2, 5, "2–5"), (5, 10, "5–10"), (10, 15, "10–15"),
    (15, 30, "15–30"), (30, 60, "30–60"), (60, math.inf, "60+"))
ERROR_BUCKETS: tuple[tuple[float, float, str], ...] = (
    (-math.inf, -10, "<-10"), (-10, -5, "-10…-5"), (-5, -2, "-5…-2"), (-2, 0, "-2…0"),
    (0, 2, "0…2"), (2, 5, "2…5"), (5, 10, "5…10"), (10, math.inf, ">10"))
BARS = " ▁▂▃▄▅▆▇█"


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(q / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True)
class LaneFigures:
    lane: str
    handoffs: int
    accepted: int
    abandoned: int
    deferred: int
    overflowed: int
    fallback: bool
    waits_min: tuple[float, ...]  # in-hours accepted handoffs
    sla_attainment: float | None
    eta_errors_min: tuple[float, ...]  # estimate − actual, minutes

    def wait(self, q: float) -> float | None:
        return percentile(self.waits_min, q)

    @property
    def abandonment(self) -> float:
        return self.abandoned / self.handoffs if self.handoffs else 0.0

    @property
    def eta_mae(self) -> float | None:
        return percentile([abs(e) for e in self.eta_errors_min], 50)

    @property
    def eta_bias(self) -> float | None:
        return percentile(self.eta_errors_min, 50)


def lane_figures(lane: str, stories: Iterable[Story]) -> LaneFigures:
    mine = list(stories)
    in_hours = [s for s in mine if s.deferred is None]
    accepted = [s for s in in_hours if s.wait is not None]
    late_abandon = [s for s in in_hours if s.abandoned is not None
                    and s.abandoned - s.arrived > s.sla_seconds]
    met = [s for s in accepted if (s.wait or 0) <= s.sla_seconds]
    denominator = len(accepted) + len(late_abandon)
    errors = [((s.eta or 0) - (s.wait or 0)) / 60 for s in mine
              if s.wait is not None and s.eta is not None]
    return LaneFigures(
        lane=lane, handoffs=len(mine), accepted=sum(s.wait is not None for s in mine),
        abandoned=sum(s.abandoned is not None for s in mine),
        deferred=sum(s.deferred is not None for s in mine),
        overflowed=sum(s.overflowed for s in mine), fallback=any(s.fallback for s in mine),
        waits_min=tuple((s.wait or 0) / 60 for s in accepted),
        sla_attainment=len(met) / denominator if denominator else None,
        eta_errors_min=tuple(errors))


def by_lane(stories: Sequence[Story]) -> list[LaneFigures]:
    lanes = sorted({s.lane for s in stories})
    return [lane_figures(lane, [s for s in stories if s.lane == lane]) for lane in lanes]


def counts(values: Iterable[float],
           buckets: Sequence[tuple[float, float, str]] = BUCKETS) -> list[int]:
    out = [0] * len(buckets)
    for v in values:
        for i, (lo, hi, _) in enumerate(buckets):
            if lo <= v < hi:
                out[i] += 1
                break
    return out


def sparkline(values: Iterable[float]) -> str:
    """One character per bucket of BUCKETS, height by share: a histogram in a cell."""
    c = counts(values)
    top = max(c) or 1
    return "".join(BARS[math.ceil(n / top * (len(BARS) - 1))] for n in c)


def bar_rows(values: Iterable[float], width: int = 40,
             buckets: Sequence[tuple[float, float, str]] = BUCKETS) -> list[tuple[str, int,
                                                                                  str]]:
    """(bucket label, count, bar) rows of a horizontal histogram."""
    c = counts(values, buckets)
    top = max(c) or 1
    return [(label, n, "█" * round(n / top * width) or ("▏" if n else ""))
            for (_, _, label), n in zip(buckets, c, strict=True)]


def svg(lanes: Sequence[LaneFigures], errors_min: Sequence[float], title: str) -> str:
    """Small multiples: one time-to-human histogram per lane, then the ETA error."""
    panels: list[tuple[str, list[int], Sequence[tuple[float, float, str]]]] = [
        (f"{f.lane}{' (fallback)' if f.fallback else ''} — n={len(f.waits_min)}, "
         f"p50 {_fmt(f.wait(50))}, p90 {_fmt(f.wait(90))} min, SLA "
         f"{'–' if f.sla_attainment is None else f'{f.sla_attainment:.0%}'}",
         counts(f.waits_min), BUCKETS) for f in lanes]
    panels.append((f"ETA error, minutes (estimate − actual), n={len(errors_min)}",
                   counts(errors_min, ERROR_BUCKETS), ERROR_BUCKETS))
    cols, pw, ph = 3, 300, 170
    rows = math.ceil(len(panels) / cols)
    width, height = cols * pw + 20, rows * ph + 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="10">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
           '<text x="10" y="38" fill="#555">time to a human, minutes (in-hours handoffs '
           'that reached a person)</text>']
    for i, (label, c, buckets) in enumerate(panels):
        x0, y0 = 10 + (i % cols) * pw, 50 + (i // cols) * ph
        out.append(f'<text x="{x0}" y="{y0 + 12}" font-weight="bold">{escape(label)}</text>')
        top, bw, base = max(c) or 1, (pw - 30) / len(c), y0 + ph - 30
        for j, n in enumerate(c):
            h = (ph - 60) * n / top
            x = x0 + j * bw
            colour = "#c0392b" if buckets is ERROR_BUCKETS else "#2e86c1"
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bw - 3:.1f}" '
                       f'height="{h:.1f}" fill="{colour}"/>')
            out.append(f'<text x="{x + bw / 2 - 1.5:.1f}" y="{base - h - 2:.1f}" '
                       f'text-anchor="middle">{n}</text>')
            out.append(f'<text x="{x + bw / 2 - 1.5:.1f}" y="{base + 12:.1f}" '
                       f'text-anchor="middle" fill="#555">{escape(buckets[j][2])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"
