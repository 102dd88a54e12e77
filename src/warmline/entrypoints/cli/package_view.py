"""The context package as a person reads it in a terminal (Rich): story first, then proof.

Order of reading: the two-sentence summary, the suggested next step and first message,
what changed in the record since the handoff, the triggers with their evidence, the
customer's own words and mood, then the live record and past conversations.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from warmline.domain.formats import money


def render(view: dict[str, Any]) -> RenderableType:
    pkg = view["package"]
    live = view["live"]
    name = pkg.get("customer_name") or pkg["refs"]["customer_ref"] or "unknown customer"
    title = (f"{view['conversation_id']} · {name} · {pkg['channel']} · escalated at turn "
             f"{pkg['turn']} · policy {pkg['policy_version']} · now {view['mode']}")
    parts: list[RenderableType] = [
        Panel(Text(pkg["summary"]["text"]), title="summary", title_align="left"),
        Panel(Text(pkg["next_step"]["text"], style="bold"),
              title=f"next step (rule: {pkg['next_step']['rule']})", title_align="left",
              border_style="green"),
        Panel(Text(pkg["first_message"], style="italic"), title="first message",
              title_align="left", border_style="cyan"),
    ]
    parts.append(_changes(live))
    parts.append(_triggers(pkg["triggers"]))
    parts.append(_words(pkg))
    record = live["record"] if live["record"] is not None else pkg.get("record")
    if record is not None:
        parts.append(_record(record, pkg["refs"], live_source=live["record"] is not None))
    if pkg["history"]:
        parts.append(_history(pkg["history"]))
    if view["since_handoff"]:
        since = Table("turn", "who", "said", title="since the handoff", title_justify="left")
        for t in view["since_handoff"]:
            since.add_row(str(t["turn"]), t["role"], t["text"])
        parts.append(since)
    return Panel(Group(*parts), title=title, title_align="left")


def _changes(live: dict[str, Any]) -> RenderableType:
    if not live["available"]:
        return Panel(Text(f"live record unavailable: {live['error']} — showing the snapshot"),
                     title="record", border_style="red", title_align="left")
    if not live["changes"]:
        return Text(f"record read live at {live['read_at']}: nothing changed since the "
                    "handoff", style="dim")
    table = Table("", "field", "at the handoff", "now", title="changed since the handoff",
                  title_justify="left", border_style="yellow")
    for c in live["changes"]:
        table.add_row("★" if c["focus"] else "", c["path"], _short(c["before"]),
                      _short(c["after"]), style="bold yellow" if c["focus"] else None)
    return table


def _short(value: Any) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _triggers(triggers: list[dict[str, Any]]) -> RenderableType:
    table = Table("trigger", "why", "evidence", title="triggers", title_justify="left")
    for t in triggers:
        evidence = "; ".join(
            (f"turn {e['turn']}: “{e['quote']}”" if e.get("quote") else f"turn {e['turn']}")
            + (f" = {e['figure']:g} {e.get('unit') or ''}".rstrip()
               if e.get("figure") is not None else "")
            + (f" ({e['note']})" if e.get("note") else "")
            for e in t["evidence"])
        table.add_row(t["kind"], t["reason"], evidence)
    return table


def _words(pkg: dict[str, Any]) -> RenderableType:
    sentiment = pkg["sentiment"]
    mood = " → ".join(f"{p['label']} ({p['score']:+.2f})" for p in sentiment["points"])
    table = Table("turn", "the customer's words", "why", title=f"in their words · mood "
                  f"{sentiment['trend']}: {mood or '—'}", title_justify="left")
    for q in pkg["quotes"]:
        table.add_row(str(q["turn"]), f"“{q['text']}”", q["why"])
    return table


def _record(record: dict[str, Any], refs: dict[str, Any], live_source: bool) -> RenderableType:
    c = record["customer"]
    head = Text(f"{c['name'] or c['ref']} · {', '.join(c['tags']) or 'no tags'} · lifetime "
                f"value {money(c['lifetime_value'], c['currency'])} · language "
                f"{c['language']} · {'live' if live_source else 'snapshot'}")
    orders = Table("order", "status", "total", "placed", "dispatched", "delivered",
                   "tracking", title="orders", title_justify="left")
    for o in sorted(record["orders"], key=lambda o: o["placed_at"] or "", reverse=True)[:6]:
        mark = "★ " if o["id"] in refs["order_ids"] else ""
        orders.add_row(f"{mark}#{o['id']}", o["status"], money(o["total"], o["currency"]),
                       (o["placed_at"] or "")[:10], (o["dispatched_at"] or "")[:10],
                       (o["delivered_at"] or "")[:10], o["tracking_url"] or "")
    parts: list[RenderableType] = [head, orders]
    for cart in record["carts"]:
        if cart["status"] != "converted":
            parts.append(Text(f"cart {cart['id']} ({cart['status']}): "
                              f"{money(cart['total'], cart['currency'])}"
                              + (f" — payment failed: {cart['payment_error']}"
                                 if cart["payment_error"] else "")))
    return Panel(Group(*parts), title="record", title_align="left")


def _history(history: list[dict[str, Any]]) -> RenderableType:
    table = Table("when", "channel", "topic", "summary", "handed off", "outcome",
                  title="past conversations", title_justify="left")
    for h in history:
        table.add_row((h["started_at"] or "")[:10], h["channel"], h["topic"], h["summary"],
                      "yes" if h["handed_off"] else "no", h["outcome"])
    return table
