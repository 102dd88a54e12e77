"""The monthly review as one self-contained HTML file: inline CSS and SVG, no script,
nothing fetched — it opens from disk, in a mail attachment or an archive years later."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

from warmline.service.views.report import MonthlyReview, Sample, figure_rows, previous

#: Time-to-human histogram bins, in minutes (the last is open-ended).
BINS = ((0, 1), (1, 2), (2, 5), (5, 10), (10, 30), (30, None))
STRATA = {"low_csat": "Handoffs with low CSAT", "re_escalated": "Re-escalations",
          "seam_leak": "Seam leaks", "missed": "Missed escalations"}
#: Figures charted against the previous month.
TREND = (("time_to_human_median_s", "median time to a human (s)"),
         ("re_escalation_rate", "re-escalation rate"),
         ("csat_mean", "mean CSAT"), ("missed_rate", "missed-escalation rate"))
CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;color:#222}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}figure{margin:0}
.t{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.t p{margin:.25rem 0}.customer b{color:#1a5fb4}.agent b{color:#666}.human b{color:#26a269}
mark{background:#ffd866;padding:0 .15rem}.why{color:#a51d2d;font-weight:600}
.note{color:#a51d2d;font-size:.85em}.up{color:#26a269}.down{color:#a51d2d}"""


def _bars(title: str, items: Sequence[tuple[str, float]], *, top: float | None = None,
          fmt: str = "{:.2f}") -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return (f"<figure><figcaption>{escape(title)}</figcaption><p>no data in this month"
                f"</p></figure>")
    high = top or max(v for _, v in items) or 1.0
    row, width, label_w = 22, 300, 250
    total_w, total_h = label_w + width + 60, row * len(items) + 8
    parts = [f'<svg viewBox="0 0 {total_w} {total_h}" width="100%" role="img" '
             f'aria-label="{escape(title)}">']
    for i, (label, value) in enumerate(items):
        y, w = i * row + 4, max(1.0, width * value / high)
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" '
                     f'font-size="12">{escape(_short(label))}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row - 6}" '
                     f'fill="#3584e4"/><text x="{label_w + w + 4:.1f}" y="{y + 14}" '
                     f'font-size="12">{escape(fmt.format(value))}</text>')
    parts.append("</svg>")
    return f"<figure><figcaption>{escape(title)}</figcaption>{''.join(parts)}</figure>"


def _short(label: str, most: int = 36) -> str:
    return label if len(label) <= most else label[:most - 1] + "…"


def histogram(seconds: Sequence[float]) -> list[tuple[str, float]]:
    counts: Counter[str] = Counter()
    labels = [f"{lo}–{hi} min" if hi is not None else f"≥ {lo} min" for lo, hi in BINS]
    for s in seconds:
        m = s / 60
        for (lo, hi), label in zip(BINS, labels, strict=True):
            if m >= lo and (hi is None or m < hi):
                counts[label] += 1
                break
    return [(label, float(counts[label])) for label in labels]


def _trend(r: MonthlyReview) -> str:
    prev = dict(figure_rows(r.before))
    rows = []
    for name, value in figure_rows(r.figures):
        before = prev.get(name)
        arrow = ""
        if value is not None and before is not None and value != before:
            arrow = "▲" if value > before else "▼"
        rows.append(f"<tr><td>{escape(name)}</td><td class=n>{_fmt(value)}</td>"
                    f"<td class=n>{_fmt(before)}</td><td>{arrow}</td></tr>")
    return (f"<table><tr><th>figure</th><th>{escape(r.month)}</th>"
            f"<th>{escape(previous(r.month))}</th><th></th></tr>{''.join(rows)}</table>")


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.3g}"


def _sample(s: Sample) -> str:
    lines = []
    for line in s.lines:
        text = "".join(f"<mark>{escape(t)}</mark>" if marked else escape(t)
                       for t, marked in line.runs)
        note = f' <span class=note>[{escape(line.note)}]</span>' if line.note else ""
        lines.append(f'<p class="{line.role}"><b>{line.role}</b> {text}{note}</p>')
    return (f'<div class=t><p class=why>{escape(s.why)} — conversation '
            f'{escape(s.conversation_id)}</p>{"".join(lines)}</div>')


def render(r: MonthlyReview) -> str:
    m = r.figures
    waits = [f.time_to_human for f in m.handoffs if f.time_to_human is not None]
    re_by_lane = Counter(f.lane for f in m.handoffs if f.handoff_id in set(m.re_escalated))
    charts = [
        _bars(f"Time to a human: handoffs by wait (n={len(waits)})", histogram(waits),
              fmt="{:.0f}"),
        _bars("Median time to a human by lane (minutes)",
              [(k, (s.median or 0) / 60) for k, s in m.time_to_human_by_lane.items()]),
        _bars("CSAT by trigger (1–5)", list(m.csat_by_trigger.items()), top=5.0),
        _bars("CSAT by lane (1–5)", list(m.csat_by_lane.items()), top=5.0),
        _bars("Re-escalated handoffs by lane", [(k, float(v)) for k, v in
                                                sorted(re_by_lane.items())], fmt="{:.0f}"),
        _bars("Escalation rate by trigger (share of conversations)",
              [(k, v.value or 0.0) for k, v in m.escalation_by_trigger.items()]),
    ]
    prev = dict(figure_rows(r.before))
    for name, title in TREND:
        now_value = dict(figure_rows(m)).get(name)
        pair = [(previous(r.month), prev.get(name)), (r.month, now_value)]
        charts.append(_bars(f"Trend: {title}", [(k, float(v)) for k, v in pair
                                                if v is not None]))
    samples = "".join(
        f"<h3>{escape(title)}</h3>" + ("".join(_sample(s) for s in r.samples
                                               if s.stratum == key) or "<p>none</p>")
        for key, title in STRATA.items())
    return (f"<!doctype html><html lang=en><meta charset=utf-8>"
            f"<title>Warmline monthly review {escape(r.month)}</title><style>{CSS}</style>"
            f"<h1>Warmline monthly review — {escape(r.month)}</h1>"
            f"<p>{m.conversations} conversations, {len(m.handoffs)} handoffs. Definitions: "
            f"docs/metrics.md. Figures are also in the CSV beside this file.</p>"
            f"<h2>Figures, against {escape(previous(r.month))}</h2>{_trend(r)}"
            f"<h2>Charts</h2><div class=grid>{''.join(charts)}</div>"
            f"<h2>Transcripts to read</h2><p>Trigger evidence is "
            f"<mark>highlighted</mark>.</p>{samples}</html>\n")
