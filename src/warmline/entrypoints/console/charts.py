"""Small inline SVG charts for the console: a sentiment sparkline and labelled bars.

Inline SVG, not a charting library: the console has no front-end build step and must
render without fetching anything, and a chart here is a handful of shapes. Only numbers
and escaped labels go into the markup, so customer text can never inject into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

INK = "#1f2933"
MUTED = "#52606d"
GOOD = "#1b7a3d"
BAD = "#b42318"
BAR = "#1d5fa8"


def sparkline(scores: Sequence[float], *, width: int = 160, height: int = 36,
              label: str = "sentiment") -> Markup:
    """Scores in -1..1 as a line over a zero rule; the last point is a dot (its colour
    says whether the customer ended up negative)."""
    if not scores:
        return Markup(f'<span class="muted">no {escape(label)} yet</span>')
    pad = 4
    step = (width - 2 * pad) / max(len(scores) - 1, 1)

    def y(score: float) -> float:
        clamped = max(-1.0, min(1.0, score))
        return round(pad + (1 - (clamped + 1) / 2) * (height - 2 * pad), 1)

    points = [(round(pad + i * step, 1), y(s)) for i, s in enumerate(scores)]
    path = " ".join(f"{x},{yy}" for x, yy in points)
    last_x, last_y = points[-1]
    colour = BAD if scores[-1] < -0.05 else GOOD if scores[-1] > 0.05 else MUTED
    title = escape(f"{label}: " + ", ".join(f"{s:+.2f}" for s in scores))
    return Markup(
        f'<svg class="spark" role="img" aria-label="{title}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{title}</title>'
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(0)}" y2="{y(0)}" stroke="#9aa5b1" '
        f'stroke-dasharray="2 2"/>'
        f'<polyline fill="none" stroke="{INK}" stroke-width="1.5" points="{path}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="3" fill="{colour}"/></svg>')


def bars(items: Sequence[tuple[str, float]], *, unit: str = "", width: int = 320,
         limit: float | None = None, title: str = "") -> Markup:
    """Horizontal bars with their label and value; `limit` draws a target line (an SLA)
    and colours the bars past it."""
    if not items:
        return Markup('<p class="muted">nothing to chart yet</p>')
    row, label_w, value_w = 22, 110, 64
    span = max([v for _, v in items] + ([limit] if limit else []) + [1e-9])
    room = width - label_w - value_w
    height = row * len(items) + 4
    parts = [f'<svg class="bars" role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>']
    for i, (name, value) in enumerate(items):
        top = i * row + 2
        w = round(room * value / span, 1)
        colour = BAD if limit is not None and value > limit else BAR
        parts.append(f'<text x="0" y="{top + 15}" fill="{INK}" font-size="12">'
                     f'{escape(name[:16])}</text>'
                     f'<rect x="{label_w}" y="{top + 3}" width="{max(w, 1)}" height="14" '
                     f'fill="{colour}"/>'
                     f'<text x="{label_w + max(w, 1) + 4}" y="{top + 15}" fill="{INK}" '
                     f'font-size="12">{_figure(value)}{escape(unit)}</text>')
    if limit:
        x = round(label_w + room * limit / span, 1)
        parts.append(f'<line x1="{x}" x2="{x}" y1="0" y2="{height}" stroke="{BAD}" '
                     f'stroke-dasharray="3 2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _figure(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"
