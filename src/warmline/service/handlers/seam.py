"""The customer's side of the seam: what they are told around the handoff (who is
coming, how long, the update when a promise passes, the CSAT question), the seam leaks
watched after it, and the handlers for a person's reply and the customer's CSAT answer.

Messages are owed inside the handler's unit of work (service/handlers/owed.py), in the
policy's words (`messages.<language>`, domain/seam/messages.py).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.domain.errors import ConversationClosed, ConversationNotFound
from warmline.domain.model import Mode
from warmline.domain.routing.queueing import Handoff, HandoffState
from warmline.domain.seam.channels import HANDOFF_BUTTON_ID
from warmline.domain.seam.leaks import leaks
from warmline.domain.seam.messages import Messages, render
from warmline.domain.seam.waiting import DONE
from warmline.ports import UnitOfWork
from warmline.service.handlers.owed import catalogue, open_handoff, owe, owes
from warmline.service.handlers.routing import wait_estimate
from warmline.service.handlers.waiting import keep_useful
from warmline.service.unit import Appender, Dependencies, once

# "how long now?", "any update?", "still waiting" — the one question the bot answers while
# a person is coming, from the live queue figures.
WAIT_QUESTION = re.compile(
    r"\b(how long|how much longer|wait(ing)?|still there|any(one)? (update|news)|"
    r"when will|eta|queue)\b", re.IGNORECASE)


PROMISES = frozenset({"expectation", "wait_update"})


def bot_reply(deps: Dependencies, app: Appender, text: str) -> None:
    """The bot's answer, with the one-tap route to a person where the channel has buttons
    (WhatsApp bodies with buttons stop at 1024 characters: longer ones go as plain text)."""
    if not owes(deps, app):
        return
    m = catalogue(deps.policy(), app)
    buttons = ((HANDOFF_BUTTON_ID, m.human_button),) if len(text) <= 1024 else ()
    owe(app, "bot_reply", text, deps.clock.now(), buttons=buttons)


def expectation(uow: UnitOfWork, deps: Dependencies, app: Appender) -> None:
    """On handoff: who will help and how long, from the live queue; or out of hours."""
    if not owes(deps, app):
        return
    m = catalogue(deps.policy(), app)
    text, promise, values = _wait_text(uow, deps, app, m, m.expectation)
    owe(app, "expectation", text, deps.clock.now(), handoff_id=open_handoff(app),
        promised_at=promise, values=values)
    keep_useful(deps, app, None)  # the first detail the person will need, if any
    if deps.helpdesk is not None and app.conv.channel == "chatwoot" and app.conv.packages:
        owe(app, "helpdesk_handoff", package_note(app.conv.packages[-1].package),
            deps.clock.now(), handoff_id=open_handoff(app))


def package_note(package: dict[str, object]) -> str:
    """The context package as the humans read it in the helpdesk (a private note)."""
    def part(name: str, key: str) -> str:
        value = package.get(name)
        return str(value.get(key, "")) if isinstance(value, dict) else ""

    lines = ["Warmline handoff", part("summary", "text"),
             f"Next step: {part('next_step', 'text')}",
             f"Suggested opener: {package.get('first_message', '')}"]
    return "\n".join(line for line in lines if line.strip())


def _wait_text(uow: UnitOfWork, deps: Dependencies, app: Appender, m: Messages,
               template: str) -> tuple[str, datetime | None, dict[str, object]]:
    """The wait in words, by when a person was promised (None: no number given), and the
    values the words were made from (for a WhatsApp template)."""
    policy, now = deps.policy(), deps.clock.now()
    hid = open_handoff(app)
    handoff = uow.handoffs.get(hid) if hid else None
    if handoff is None:
        values: dict[str, object] = {"team": "support"}
        return render(m.expectation_unknown, values), None, values
    team = handoff.queue
    deferred = [e for e in app.events if isinstance(e, ev.HandoffDeferred)
                and e.handoff_id == hid]
    if deferred:
        alt = (m.alternative_callback if deferred[-1].action == "callback"
               else m.alternative_next_open)
        opens = deferred[-1].until[11:16] or deferred[-1].until
        values = {"team": team, "opens": opens, "alternative": alt}
        return render(m.expectation_closed, values), None, values
    eta = wait_estimate(uow, policy.routing, handoff, now)
    if eta.minutes is None:
        return render(m.expectation_unknown, {"team": team}), None, {"team": team}
    promise = now + timedelta(minutes=eta.minutes)
    values = {"team": team, "position": eta.position, "minutes": eta.minutes}
    return render(template, values), promise, values


def while_waiting(uow: UnitOfWork, deps: Dependencies, app: Appender, text: str) -> None:
    """A person is coming: the bot does not improvise. It goes through the details the
    person will need (keep_useful) and answers "how long now?"; nothing else."""
    if not owes(deps, app) or app.conv.mode is not Mode.WAITING:
        return
    if keep_useful(deps, app, text):  # an answer to the detail asked (service/handlers/waiting.py)
        return
    if not WAIT_QUESTION.search(text):
        return  # kept for the person, who sees it on the thread
    m = catalogue(deps.policy(), app)
    text, promise, values = _wait_text(uow, deps, app, m, m.while_waiting)
    owe(app, "wait_update", text, deps.clock.now(), handoff_id=open_handoff(app),
        promised_at=promise, values=values)


def _promised(app: Appender) -> datetime | None:
    """By when the customer was last told a person would be there."""
    said = [e for e in app.events
            if isinstance(e, ev.OutboundRequested) and e.kind in PROMISES]
    if not said or said[-1].promised_at is None:
        return None
    return datetime.fromisoformat(said[-1].promised_at)


def update_waits(c: cmd.UpdateWaits, uow: UnitOfWork, deps: Dependencies) -> list[str]:
    """Past the promised time and still waiting: say so, with the live figures now."""
    touched: list[str] = []
    now = deps.clock.now()
    for h in uow.handoffs.waiting(None, now, c.limit):
        if h.state is not HandoffState.QUEUED:
            continue
        app = Appender(uow, h.conversation_id)
        promised = _promised(app)
        if not owes(deps, app) or app.conv.mode is not Mode.WAITING \
                or promised is None or now <= promised:
            continue
        m = catalogue(deps.policy(), app)
        text, promise, values = _wait_text(uow, deps, app, m, m.wait_grew)
        owe(app, "wait_update", text, now, handoff_id=h.id, promised_at=promise,
            values=values)
        app.save()
        touched.append(h.conversation_id)
    return touched


def detect_leaks(app: Appender, who: str, text: str, now: datetime) -> None:
    """Record what the customer restated or the person asked that the package held."""
    if not app.conv.packages or not app.conv.escalated:
        return
    hid = open_handoff(app)
    seen = [(e.who, e.item) for e in app.events
            if isinstance(e, ev.SeamLeakDetected) and e.handoff_id == hid]
    turn = len(app.conv.turns) - 1
    done = {e.item for e in app.events
            if isinstance(e, ev.DetailChecked) and e.outcome in DONE}
    for leak in leaks(app.conv.packages[-1].package, who, text, seen, done):
        app.add(ev.SeamLeakDetected(conversation_id=app.conv.id,
                                    occurred_at=now,
                                    handoff_id=hid, turn=turn, who=leak.who, item=leak.item,
                                    evidence=leak.evidence))


def person_joins(deps: Dependencies, app: Appender, name: str, handoff: Handoff) -> None:
    """Once a person accepts: the customer learns who is helping, by name."""
    if not owes(deps, app):
        return
    m = catalogue(deps.policy(), app)
    values = {"agent": name, "team": handoff.queue}
    owe(app, "assigned", render(m.assigned, values), deps.clock.now(),
        handoff_id=handoff.id, values=values)


def csat_question(deps: Dependencies, app: Appender, handoff_id: str) -> None:
    """After the human resolves: the CSAT question on the same thread, as buttons."""
    if not owes(deps, app):
        return
    m = catalogue(deps.policy(), app)
    buttons = tuple((f"csat:{score}", title)
                    for score, title in zip(m.csat_scores, m.csat_titles, strict=False))
    owe(app, "csat_question", m.csat_question, deps.clock.now(), buttons=buttons,
        handoff_id=handoff_id)
    back = any((isinstance(e, ev.HandoffResolved) and e.hand_back)
               or isinstance(e, ev.HandedBackToBot) for e in app.new)
    if deps.helpdesk is not None and app.conv.channel == "chatwoot" and back:
        owe(app, "helpdesk_take_back", "", deps.clock.now(), handoff_id=handoff_id)


def _person(app: Appender, author: str) -> str:
    """The name the customer was given for the person (from `assigned`), else the author."""
    for e in reversed(app.events):
        if isinstance(e, ev.OutboundRequested) and e.kind == "assigned":
            return dict(e.template_values).get("agent", author) or author
    return author


@once(judged=False)
def send_human_reply(c: cmd.SendHumanReply, uow: UnitOfWork,
                     deps: Dependencies) -> cmd.Outcome:
    app = Appender(uow, c.conversation_id)
    if not app.loaded:
        raise ConversationNotFound(f"conversation {c.conversation_id!r} does not exist")
    if not app.conv.escalated:
        raise ConversationClosed(f"conversation {c.conversation_id!r} is with the bot: "
                                 "hand it off before a person replies")
    now = deps.clock.now()
    app.add(ev.HumanReplied(conversation_id=c.conversation_id, occurred_at=now,
                            message_id=c.message_id or uuid.uuid4().hex, text=c.text,
                            author=c.author))
    detect_leaks(app, "human", c.text, now)
    if owes(deps, app):
        owe(app, "human_reply", c.text, now, handoff_id=open_handoff(app),
            values={"agent": _person(app, c.author)})
    app.save()
    return cmd.Outcome(c.conversation_id, len(app.conv.turns) - 1, None)


@once(judged=False)
def record_csat(c: cmd.RecordCsat, uow: UnitOfWork, deps: Dependencies) -> cmd.Outcome:
    if not 1 <= c.score <= 5:
        raise ValueError("a CSAT score is 1..5")
    app = Appender(uow, c.conversation_id)
    if not app.loaded:
        raise ConversationNotFound(f"conversation {c.conversation_id!r} does not exist")
    now = deps.clock.now()
    resolved = [e for e in app.loaded if isinstance(e, ev.HandoffResolved)]
    app.add(ev.CsatReceived(conversation_id=c.conversation_id, occurred_at=now,
                            message_id=c.message_id, score=c.score, channel=c.channel,
                            handoff_id=resolved[-1].handoff_id if resolved else None))
    if owes(deps, app):
        owe(app, "csat_thanks", catalogue(deps.policy(), app).csat_thanks, now)
    app.save()
    return cmd.Outcome(c.conversation_id, len(app.conv.turns) - 1, None)
