"""The conversation view and what a person does from it: claim, reply, note, transfer,
resolve, hand back.

Every route first checks the person may see the conversation: supervisors see all; an
agent sees a conversation whose handoff is (or last was) in one of their queues, or one
they hold. Anything else is a 403, before a single fact of it is read into a page. Each
action is one existing command through the bus, then a 303 back to the page (a plain
form post: the console works with scripts off too); what the thread owes the customer is
sent after the commit, as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from warmline.bootstrap import Warmline
from warmline.domain import commands as cmd
from warmline.domain import errors as err
from warmline.domain import events as ev
from warmline.domain.access import Principal, holding, may_see
from warmline.domain.errors import ConversationClosed, ConversationNotFound
from warmline.domain.model import Conversation
from warmline.domain.routing.queueing import Handoff, HandoffState, Presence
from warmline.entrypoints.console import charts
from warmline.entrypoints.console.conversation import (
    draft,
    handoff_queue,
    last_handoff_id,
    record_sections,
    thread,
)
from warmline.entrypoints.http import auth
from warmline.service.views.package import live_view

Who = Annotated[Principal, Depends(auth.console_principal)]
Text = Annotated[str, Form(max_length=4000)]
ACTION_ERRORS = (err.HandoffConflict, err.HandoffNotFound, err.AgentNotFound, err.UnknownTarget,
                 ConversationClosed, ConversationNotFound)


@dataclass(frozen=True)
class Seen:
    """A conversation a person may open: its events and its open handoff."""

    events: list[ev.Event]
    handoff: Handoff | None
    queue: str | None


class Denied(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def opened(wl: Warmline, who: Principal, conversation_id: str) -> Seen:
    """The conversation if this person may open it; Denied (403 or 404) otherwise.

    The rule is the API's (`domain.access.may_see`): an agent sees a conversation whose
    handoff sits in one of their queues, or one they accepted or were transferred; a
    handoff offered to them (a lease) counts too."""
    with wl.uow() as uow:
        events = uow.conversations.load(conversation_id)
        handoff = uow.handoffs.open_for(conversation_id)
    if not events:
        raise Denied(404, f"There is no conversation {conversation_id!r}.")
    offered = handoff is not None and who.agent_id is not None \
        and handoff.agent_id == who.agent_id
    if not offered and not may_see(who, holding(events), auth.queues_of(wl, who) or ()):
        raise Denied(403, "This conversation is not in one of your queues.")
    return Seen(events, handoff, handoff_queue(events, handoff))


def router(wl: Warmline, tpl: Jinja2Templates) -> APIRouter:
    api = APIRouter(prefix="/console/conversations", include_in_schema=False)
    deps = wl.bus.deps

    def refused(request: Request, who: Principal, exc: Denied) -> HTMLResponse:
        return tpl.TemplateResponse(request, "error.html", {
            "who": who, "notice": "", "message": str(exc)}, status_code=exc.status)

    def author(who: Principal) -> str:
        if who.agent_id is not None:
            with wl.uow() as uow:
                agent = uow.agents.get(who.agent_id)
            if agent is not None:
                return agent.name or agent.id
        return who.subject

    def context(who: Principal, cid: str, seen: Seen) -> dict[str, Any]:
        now = deps.clock.now()
        view = live_view(wl.uow, deps.record, cid, now)
        package = view["package"] if view else {}
        points = (package.get("sentiment") or {}).get("points", [])
        with wl.uow() as uow:
            agents = [a for a in uow.agents.all() if a.presence is Presence.ONLINE]
        h = seen.handoff
        return {
            "cid": cid, "conv": Conversation.replay(cid, seen.events),
            "thread": thread(seen.events), "view": view, "package": package,
            "record": record_sections(view["live"] if view else None, package),
            "spark": charts.sparkline([float(p["score"]) for p in points]),
            "handoff": h, "queue": seen.queue, "draft": draft(seen.events),
            "mine": h is not None and who.agent_id is not None and h.agent_id == who.agent_id,
            "accepted": h is not None and h.state is HandoffState.ASSIGNED,
            "claimable": h is not None and h.claimable(now),
            "queues": list(wl.policy.routing.queues), "agents": agents,
            "last_handoff": last_handoff_id(seen.events), "now": now}

    @api.get("/{cid}", response_class=HTMLResponse)
    def show(request: Request, who: Who, cid: str) -> HTMLResponse:
        try:
            seen = opened(wl, who, cid)
        except Denied as exc:
            return refused(request, who, exc)
        return tpl.TemplateResponse(request, "conversation.html", {
            "who": who, "notice": request.query_params.get("notice", ""),
            **context(who, cid, seen)})

    @api.get("/{cid}/thread", response_class=HTMLResponse)
    def thread_fragment(request: Request, who: Who, cid: str) -> HTMLResponse:
        try:
            seen = opened(wl, who, cid)
        except Denied as exc:
            return refused(request, who, exc)
        return tpl.TemplateResponse(request, "_thread.html", {
            "who": who, "thread": thread(seen.events), "cid": cid})

    def act(request: Request, who: Principal, cid: str, notice: str,
            *commands: Any) -> Response:
        """Check access, run the commands in order, send what is owed, back to the page."""
        try:
            opened(wl, who, cid)
        except Denied as exc:
            return refused(request, who, exc)
        page = f"/console/conversations/{quote(cid)}"
        try:
            for command in commands:
                wl.bus.handle(command)
        except ACTION_ERRORS as exc:
            return RedirectResponse(f"{page}?notice={quote(str(exc))}", 303)
        return RedirectResponse(f"{page}?notice={quote(notice)}", 303)

    def open_handoff(cid: str) -> Handoff | None:
        with wl.uow() as uow:
            return uow.handoffs.open_for(cid)

    csrf = [Depends(auth.check_csrf)]

    @api.post("/{cid}/claim", dependencies=csrf)
    def claim(request: Request, who: Who, cid: str) -> Response:
        h = open_handoff(cid)
        if who.agent_id is None or h is None:
            return act(request, who, cid, "Nothing to claim here.")
        return act(request, who, cid, "Claimed: it is yours.",
                   cmd.TakeHandoff(agent_id=who.agent_id, handoff_id=h.id))

    @api.post("/{cid}/reply", dependencies=csrf)
    def reply(request: Request, who: Who, cid: str, text: Text) -> Response:
        if not text.strip():
            return act(request, who, cid, "Write something to send.")
        return act(request, who, cid, "Sent on the customer's thread.",
                   cmd.SendHumanReply(conversation_id=cid, text=text.strip(),
                                      author=author(who)))

    @api.post("/{cid}/notes", dependencies=csrf)
    def note(request: Request, who: Who, cid: str, text: Text) -> Response:
        if not text.strip():
            return act(request, who, cid, "An empty note was not added.")
        return act(request, who, cid, "Note added (the customer does not see it).",
                   cmd.AddInternalNote(conversation_id=cid, text=text.strip(),
                                       author=author(who)))

    @api.post("/{cid}/transfer", dependencies=csrf)
    def transfer(request: Request, who: Who, cid: str, reason: Text,
                 to_queue: Annotated[str, Form()] = "",
                 to_agent: Annotated[str, Form()] = "") -> Response:
        h = open_handoff(cid)
        if h is None:
            return act(request, who, cid, "There is no open handoff to transfer.")
        if not reason.strip():
            return act(request, who, cid, "Say why you transfer it: the next person reads it.")
        return act(request, who, cid, "Transferred.", cmd.TransferHandoff(
            handoff_id=h.id, by=who.subject, reason=reason.strip(),
            to_queue=to_queue or None, to_agent=to_agent or None))

    @api.post("/{cid}/resolve", dependencies=csrf)
    def resolve(request: Request, who: Who, cid: str,
                outcome: Annotated[str, Form(max_length=500)] = "",
                hand_back: Annotated[str, Form()] = "") -> Response:
        h = open_handoff(cid)
        if h is None:
            return act(request, who, cid, "There is no open handoff to resolve.")
        return act(request, who, cid, "Resolved.", cmd.ResolveHandoff(
            handoff_id=h.id, by=who.subject, outcome=outcome.strip(),
            hand_back=hand_back == "yes"))

    @api.post("/{cid}/hand-back", dependencies=csrf)
    def hand_back(request: Request, who: Who, cid: str,
                  reason: Annotated[str, Form(max_length=500)] = "") -> Response:
        return act(request, who, cid, "The bot has the thread again.",
                   cmd.HandBackToBot(conversation_id=cid, by=who.subject,
                                     reason=reason.strip()))

    return api
