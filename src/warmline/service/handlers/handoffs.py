"""Handlers for handoffs and people: claim, confirm, release, transfer, resolve, sweep.

One unit of work per command, as everywhere: a handler reads the handoff row under a
lock, checks the command fits its state (else HandoffConflict, HTTP 409), writes the
conversation's events and the queue row together, and commits once. Leases (claims
and offers) are queue state, not conversation facts; a person confirming one is the
fact (`HandoffAccepted`), and so are transfers, releases and resolutions.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from warmline.domain import commands as cmd
from warmline.domain import errors as err
from warmline.domain import events as ev
from warmline.domain.routing.policy import RoutingPolicy
from warmline.domain.routing.queueing import (
    Handoff,
    HandoffState,
    HumanAgent,
    Presence,
    need_language,
    queues_for,
)
from warmline.domain.routing.transitions import apply_closed, due_at, envelope, step
from warmline.ports import UnitOfWork
from warmline.service.handlers.routing import fill, offer
from warmline.service.handlers.seam import csat_question, person_joins
from warmline.service.unit import Appender, Dependencies


def _agent(uow: UnitOfWork, agent_id: str, lock: bool = False) -> HumanAgent:
    agent = uow.agents.get(agent_id, lock=lock)
    if agent is None:
        raise err.AgentNotFound(f"agent {agent_id!r} does not exist")
    return agent


def _handoff(uow: UnitOfWork, handoff_id: str, skip_locked: bool = False) -> Handoff:
    h = uow.handoffs.get(handoff_id, lock=True, skip_locked=skip_locked)
    if h is None:
        if skip_locked and uow.handoffs.get(handoff_id) is not None:
            raise err.HandoffConflict(f"handoff {handoff_id!r} is being claimed by someone "
                                      "else right now")
        raise err.HandoffNotFound(f"handoff {handoff_id!r} does not exist")
    return h


def _log(uow: UnitOfWork, h: Handoff, *events: ev.Event) -> Appender:
    app = Appender(uow, h.conversation_id)
    for e in events:
        app.add(e)
    app.save()
    return app


def save_agent(c: cmd.SaveAgent, uow: UnitOfWork, deps: Dependencies) -> HumanAgent:
    old = uow.agents.get(c.agent_id, lock=True)
    agent = HumanAgent(c.agent_id, c.name or c.agent_id, frozenset(c.skills),
                       frozenset(c.languages), c.capacity,
                       old.presence if old else Presence.OFFLINE,
                       old.presence_since if old else None,
                       old.last_assigned_at if old else None)
    uow.agents.save(agent)
    return agent


def set_presence(c: cmd.SetPresence, uow: UnitOfWork, deps: Dependencies) -> HumanAgent:
    now, rp = deps.clock.now(), deps.policy().routing
    agent = _agent(uow, c.agent_id, lock=True)
    presence = Presence(c.presence)
    if presence is not agent.presence:
        agent = replace(agent, presence=presence, presence_since=now)
        uow.agents.save(agent)
    fill(uow, rp, agent, now)  # someone coming online gets what waits for them
    return agent


def claim_next(c: cmd.ClaimNext, uow: UnitOfWork, deps: Dependencies) -> Handoff | None:
    now, rp = deps.clock.now(), deps.policy().routing
    agent = _ready(uow, c.agent_id, now)  # locks the person: their claims queue up
    got = uow.handoffs.claim_next(agent.id, queues_for(agent, rp),
                                  sorted(agent.languages), now,
                                  now + timedelta(seconds=rp.offer_seconds))
    if got is not None:
        uow.agents.save(replace(agent, last_assigned_at=now))
    return got


def _ready(uow: UnitOfWork, agent_id: str, now: datetime) -> HumanAgent:
    """The person, locked, online and with a free slot (else HandoffConflict)."""
    agent = _agent(uow, agent_id, lock=True)
    if agent.presence is not Presence.ONLINE:
        raise err.HandoffConflict(f"agent {agent_id!r} is {agent.presence.value}: go online "
                                  "to take handoffs")
    if uow.handoffs.loads(now, agent_id).get(agent_id, 0) >= agent.capacity:
        raise err.HandoffConflict(f"agent {agent_id!r} is at capacity ({agent.capacity})")
    return agent


def claim_handoff(c: cmd.ClaimHandoff, uow: UnitOfWork, deps: Dependencies) -> Handoff:
    now, rp = deps.clock.now(), deps.policy().routing
    agent = _ready(uow, c.agent_id, now)
    h = _handoff(uow, c.handoff_id, skip_locked=True)
    if h.held_by(agent.id, now) and h.state is HandoffState.CLAIMED:
        return h  # already theirs: claiming again is a no-op
    if not h.claimable(now):
        raise err.HandoffConflict(f"handoff {h.id!r} is {h.state.value}"
                                  + (f" by {h.agent_id}" if h.agent_id else ""))
    spec = rp.queues.get(h.queue)
    if spec is None or h.queue not in queues_for(agent, rp) or (
            h.need_language and h.need_language not in agent.languages):
        raise err.HandoffConflict(f"agent {agent.id!r} may not take from queue {h.queue} "
                                  f"(skills {sorted(spec.skills) if spec else '?'}, "
                                  f"language {h.need_language or 'any'})")
    lease = now + timedelta(seconds=rp.offer_seconds)
    got = replace(h, state=HandoffState.CLAIMED, agent_id=agent.id, lease_until=lease)
    uow.handoffs.save(got, lease, "claimed")
    uow.agents.save(replace(agent, last_assigned_at=now))
    return got


def confirm_handoff(c: cmd.ConfirmHandoff, uow: UnitOfWork, deps: Dependencies) -> Handoff:
    now = deps.clock.now()
    h = _handoff(uow, c.handoff_id)
    if h.state is HandoffState.ASSIGNED and h.agent_id == c.agent_id:
        return h  # confirming twice is a no-op
    if h.state is not HandoffState.CLAIMED or h.agent_id != c.agent_id:
        raise err.HandoffConflict(f"handoff {h.id!r} is not leased to {c.agent_id!r}")
    if h.lease_until is None or h.lease_until < now:
        raise err.HandoffConflict(f"the lease on handoff {h.id!r} ran out; claim it again")
    waited = max(int((now - h.waiting_since).total_seconds()), 0)
    got = replace(h, state=HandoffState.ASSIGNED, lease_until=None, accepted_at=now)
    app = Appender(uow, h.conversation_id)
    app.add(ev.HandoffAccepted(**envelope(h, now), agent_id=c.agent_id, queue=h.queue,
                               waited_seconds=waited))
    person = uow.agents.get(c.agent_id)
    person_joins(deps, app, person.name if person else c.agent_id, h)  # seam.py
    app.save()
    uow.handoffs.save(got, None, "accepted")
    return got


def take_handoff(c: cmd.TakeHandoff, uow: UnitOfWork, deps: Dependencies) -> Handoff | None:
    """Claim and accept in one transaction (the console's "take it"): the person either
    has the handoff, accepted, or nothing changed."""
    now = deps.clock.now()
    if c.handoff_id is None:
        claimed = claim_next(cmd.ClaimNext(agent_id=c.agent_id), uow, deps)
        if claimed is None:
            return None
        handoff_id = claimed.id
    else:
        handoff_id = c.handoff_id
        h = uow.handoffs.get(handoff_id)  # read only: claiming locks person, then handoff
        if h is None or not h.held_by(c.agent_id, now):
            claim_handoff(cmd.ClaimHandoff(agent_id=c.agent_id, handoff_id=handoff_id),
                          uow, deps)
    return confirm_handoff(cmd.ConfirmHandoff(agent_id=c.agent_id, handoff_id=handoff_id),
                           uow, deps)


def release_handoff(c: cmd.ReleaseHandoff, uow: UnitOfWork, deps: Dependencies) -> Handoff:
    now, rp = deps.clock.now(), deps.policy().routing
    h = _handoff(uow, c.handoff_id)
    if not h.held_by(c.agent_id, now):
        raise err.HandoffConflict(f"handoff {h.id!r} is not held by {c.agent_id!r}")
    back = replace(h, state=HandoffState.QUEUED, agent_id=None, lease_until=None)
    if h.state is HandoffState.ASSIGNED:  # a person had it: the customer waits again
        back = replace(back, waiting_since=now, queued_at=now, step=0, accepted_at=None)
        _log(uow, h, ev.HandoffReleased(**envelope(h, now), agent_id=c.agent_id,
                                        queue=h.queue, reason=c.reason))
    back = offer(uow, rp, back, now, exclude=c.agent_id) if rp.auto_offer else back
    uow.handoffs.save(back, due_at(back, rp, now), "released")
    return back


def transfer_handoff(c: cmd.TransferHandoff, uow: UnitOfWork, deps: Dependencies) -> Handoff:
    now, rp = deps.clock.now(), deps.policy().routing
    if c.to_queue is None and c.to_agent is None:
        raise err.UnknownTarget("body.to_queue", "name a queue, a person, or both")
    if c.to_queue is not None and c.to_queue not in rp.queues:
        raise err.UnknownTarget("body.to_queue", f"unknown queue {c.to_queue!r} (known: "
                                f"{', '.join(sorted(rp.queues))})")
    h = _handoff(uow, c.handoff_id)
    if h.state not in (HandoffState.QUEUED, HandoffState.CLAIMED, HandoffState.ASSIGNED):
        raise err.HandoffConflict(f"handoff {h.id!r} is {h.state.value}")
    queue = c.to_queue or h.queue
    moved = replace(h, queue=queue, state=HandoffState.QUEUED, agent_id=None,
                    lease_until=None, queued_at=now, waiting_since=now, step=0,
                    available_at=now, transfers=h.transfers + 1, accepted_at=None,
                    priority=min(100, h.priority + rp.transfer_priority_boost),
                    need_language=need_language(rp.queues[queue], h.language))
    events: list[ev.Event] = []
    if c.to_agent is not None:
        person = _agent(uow, c.to_agent, lock=True)
        if person.presence is not Presence.ONLINE:
            raise err.HandoffConflict(f"agent {person.id!r} is {person.presence.value}")
        moved = replace(moved, state=HandoffState.CLAIMED, agent_id=person.id,
                        lease_until=now + timedelta(seconds=rp.offer_seconds))
    else:
        moved, events = apply_closed(moved, rp, now)
    package = _package_turn(uow, h)
    _log(uow, h, ev.HandoffTransferred(
        **envelope(h, now), by=c.by, from_queue=h.queue, to_queue=moved.queue,
        to_agent=c.to_agent, reason=c.reason, priority=moved.priority,
        context_package_turn=package), *events)
    if c.to_agent is None and rp.auto_offer:
        moved = offer(uow, rp, moved, now, exclude=h.agent_id)
    uow.handoffs.save(moved, due_at(moved, rp, now), "transferred")
    return moved


def _package_turn(uow: UnitOfWork, h: Handoff) -> int | None:
    """The turn of the latest context package, which travels with the handoff."""
    for e in reversed(uow.conversations.load(h.conversation_id)):
        if type(e).__name__ == "ContextPackaged":
            turn = getattr(e, "turn", None)
            return turn if isinstance(turn, int) else None
    return None


def resolve_handoff(c: cmd.ResolveHandoff, uow: UnitOfWork, deps: Dependencies) -> Handoff:
    now, rp = deps.clock.now(), deps.policy().routing
    h = _handoff(uow, c.handoff_id)
    if h.state is not HandoffState.ASSIGNED:
        raise err.HandoffConflict(f"handoff {h.id!r} is {h.state.value}: only an accepted "
                                  "handoff can be resolved")
    done = replace(h, state=HandoffState.RESOLVED, resolved_at=now, lease_until=None)
    app = Appender(uow, h.conversation_id)
    app.add(ev.HandoffResolved(**envelope(h, now), by=c.by, queue=h.queue,
                               outcome=c.outcome, hand_back=c.hand_back))
    csat_question(deps, app, h.id)  # on the same thread, as buttons (service/handlers/seam.py)
    app.save()
    uow.handoffs.save(done, None, "resolved")
    agent = uow.agents.get(h.agent_id, lock=True) if h.agent_id else None
    if agent is not None:
        fill(uow, rp, agent, now)  # their freed slot goes to what waits
    return done


def sweep(c: cmd.Sweep, uow: UnitOfWork, deps: Dependencies) -> cmd.SweepReport:
    counts = {"escalated": 0, "alerted": 0, "deferred": 0, "expired": 0, "offered": 0}
    now, policy = deps.clock.now(), deps.policy()
    rp = policy.routing
    seen: set[str] = set()
    for h in uow.handoffs.stranded(list(rp.queues), c.limit):
        # its queue left the policy: the fallback takes it, on the record
        moved = replace(h, queue=rp.fallback_queue, step=0, queued_at=now,
                        need_language=need_language(rp.queues[rp.fallback_queue],
                                                    h.language))
        _sweep_one(uow, rp, moved, now, counts, [ev.HandoffEscalated(
            **envelope(h, now), kind="overflow", from_queue=h.queue,
            to_queue=rp.fallback_queue, priority=h.priority,
            waited_seconds=max(int((now - h.waiting_since).total_seconds()), 0),
            reason=f"queue {h.queue} is not in policy {policy.version}")])
        seen.add(h.id)
    due = [h for h in uow.handoffs.due(now, c.limit) if h.id not in seen]
    for h in due:
        _sweep_one(uow, rp, h, now, counts, [])
    return cmd.SweepReport(looked_at=len(due) + len(seen), **counts)


def _sweep_one(uow: UnitOfWork, rp: RoutingPolicy, h: Handoff, now: datetime,
               counts: dict[str, int], events: list[ev.Event]) -> None:
    """Lapsed lease back to the queue, then closing, cascade and alert; then an offer."""
    left_by = None
    if h.state is HandoffState.CLAIMED:
        if h.lease_until is not None and h.lease_until >= now:
            return
        counts["expired"] += 1
        left_by = h.agent_id
        h = replace(h, state=HandoffState.QUEUED, agent_id=None, lease_until=None)
    h, stepped = step(h, rp, now)
    events = [*events, *stepped]
    for e in events:
        kind = getattr(e, "kind", "deferred")
        counts["alerted" if kind == "alert" else
               "deferred" if isinstance(e, ev.HandoffDeferred) else "escalated"] += 1
    if events:
        _log(uow, h, *events)
    if rp.auto_offer:
        offered = offer(uow, rp, h, now, exclude=left_by)
        counts["offered"] += offered is not h
        h = offered
    uow.handoffs.save(h, due_at(h, rp, now), "escalated" if events else "swept")
