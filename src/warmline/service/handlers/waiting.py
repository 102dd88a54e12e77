"""Keeping the thread useful while the customer waits, inside the handlers' units of work.

The rules are pure (domain/seam/waiting.py: which details this conversation has, what answers
them); this module runs them on the conversation's events: it records each outcome as
`DetailChecked` and owes the customer the next question, one at a time, worded by the
policy (`messages.<language>`). It never answers anything else: the bot still stops
improvising after the handoff.
"""

from __future__ import annotations

from datetime import datetime

from warmline.domain import events as ev
from warmline.domain.model import Mode
from warmline.domain.seam.messages import render
from warmline.domain.seam.waiting import (
    DAMAGE_PHOTOS,
    DISPUTED,
    ITEM_OF_KIND,
    RECEIVED,
    SHARE,
    Checked,
    Detail,
    answer,
    is_media,
    next_detail,
    plan,
    settled,
    value_of,
)
from warmline.service.handlers.owed import catalogue, open_handoff, owe, owes
from warmline.service.handlers.owed import team as team_of
from warmline.service.unit import Appender, Dependencies

CONFIRM_BUTTONS = ("confirm:yes", "confirm:no")


def _waiting_state(deps: Dependencies, app: Appender
                   ) -> tuple[list[Detail], list[Checked], Detail | None]:
    """The details this conversation has (domain/seam/waiting.py), what became of them, and
    the one asked and not answered yet."""
    events = app.events
    customer = [t.text for t in app.conv.turns if t.role.value == "customer"]
    details = plan(app.conv.packages[-1].package, deps.policy().waiting, customer)
    checked = [Checked(e.item, e.outcome, e.value, e.note) for e in events
               if isinstance(e, ev.DetailChecked)]
    asked_items = [ITEM_OF_KIND[e.kind] for e in events
                   if isinstance(e, ev.OutboundRequested) and e.kind in ITEM_OF_KIND]
    asked = next((d for d in details if asked_items and d.item == asked_items[-1]), None)
    if asked is not None and settled(asked, checked):
        asked = None
    return details, checked, asked


def keep_useful(deps: Dependencies, app: Appender, text: str | None) -> bool:
    """While a person is coming: take the customer's answer to the detail asked (yes/no,
    or the photos), record it, and ask the next detail; share the tracking link. Only
    these, one at a time, from the record and the policy's words; True when `text` was
    such an answer (so nothing else answers it)."""
    if not owes(deps, app) or app.conv.mode is not Mode.WAITING or not app.conv.packages:
        return False
    m, now, hid = catalogue(deps.policy(), app), deps.clock.now(), open_handoff(app)
    details, checked, asked = _waiting_state(deps, app)
    team = team_of(app)
    outcome = None
    if text is not None:
        target = asked
        if is_media(text):  # photos count whenever they come, asked or not
            target = next((d for d in details if d.item == DAMAGE_PHOTOS
                           and not settled(d, checked)), None)
        yes = (*m.yes_words, m.yes_title)
        no = (*m.no_words, m.no_title)
        outcome = answer(target, text, yes, no) if target is not None else None
        if target is not None and outcome is not None:
            _check(app, now, hid, target, outcome, note=text)
            checked.append(Checked(target.item, outcome, value_of(target), text))
            if outcome == RECEIVED:
                owe(app, "photos_received", render(m.photos_received, {"team": team}), now,
                    handoff_id=hid, values={"team": team})
            elif outcome == DISPUTED:
                owe(app, "detail_disputed", render(m.disputed, {"team": team}), now,
                    handoff_id=hid, values={"team": team})
            asked = None
    if asked is not None:
        return outcome is not None  # still waiting for the answer to what was asked
    shared_now = False
    while (detail := next_detail(details, checked)) is not None:
        values = {"team": team, **detail.values}
        wording = {"confirm_order": m.confirm_order, "confirm_address": m.confirm_address,
                   "ask_photos": m.ask_photos, "share_tracking": m.share_tracking}
        said = render(wording[detail.kind], values)
        if detail.action == SHARE:
            owe(app, detail.kind, said, now, handoff_id=hid, values=values)
            _check(app, now, hid, detail, "shared")
            checked.append(Checked(detail.item, "shared", value_of(detail)))
            shared_now = True
            continue
        buttons = (((CONFIRM_BUTTONS[0], m.yes_title), (CONFIRM_BUTTONS[1], m.no_title))
                   if detail.action == "confirm" else ())
        owe(app, detail.kind, said, now, handoff_id=hid, buttons=buttons, values=values)
        break
    else:
        if outcome is not None and outcome not in (RECEIVED, DISPUTED) and not shared_now:
            owe(app, "detail_noted", render(m.noted, {"team": team}), now, handoff_id=hid,
                values={"team": team})
    return outcome is not None


def _check(app: Appender, now: datetime, hid: str | None, detail: Detail, outcome: str,
           note: str = "") -> None:
    app.add(ev.DetailChecked(conversation_id=app.conv.id, occurred_at=now, handoff_id=hid,
                             item=detail.item, outcome=outcome, value=value_of(detail),
                             note=note[:300]))
