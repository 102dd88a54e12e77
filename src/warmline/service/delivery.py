"""Delivering what Warmline owes the customer, after the commit that decided it.

Handlers append `OutboundRequested` to the conversation in their unit of work, and the
storage writes its outbox row (pending) in the same transaction; nothing leaves Warmline
inside a transaction (a send cannot be rolled back, and a slow platform must not hold the
conversation's lock). After the commit the message bus calls
`Dispatcher.deliver(conversation_id)`, which claims and sends every requested message the
outbox has not settled, with the event's `message_id` as the idempotency key (the sweeper
calls `retry_due()` for whatever is left pending):

- sent: recorded with the platform's message id; a later delivery skips it;
- retryable refusal (rate limit, connection refused, after the adapter's own retries):
  stays `pending` with `next_attempt_at` backed off exponentially; `retry_due()` (the
  sweeper, or the next delivery) tries again, up to `max_attempts`;
- outcome unknown: `uncertain`, never resent blindly (a duplicate reaches a real phone);
- permanent refusal (bad request): `failed`, with the error, for a person.

Outside WhatsApp's 24-hour window a free-form message is refused (WindowClosedError,
before Meta is called, or Meta's own 131047): the policy's template for the message's
kind and the customer's language (`messages.<language>.whatsapp_templates.<kind>`) goes
instead, under the same key; a kind without a template ends `failed` with that reason.

On a helpdesk channel (Chatwoot) two more kinds go to the helpdesk rather than the
customer: `helpdesk_handoff` (the context package as a private note, then the thread is
opened for the humans) and `helpdesk_take_back` (pending again: the bot holds it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta

from warmline.domain import events as ev
from warmline.domain.policy import Policy
from warmline.domain.seam.channels import (
    Address,
    Button,
    DeliveryStatus,
    DeliveryUncertainError,
    OutboundError,
    PermanentSendError,
    RetryableSendError,
    Template,
    WindowClosedError,
    address_of,
)
from warmline.domain.seam.messages import messages_for, template_values
from warmline.ports import Clock, Helpdesk, OutboundChannel, Outbox, OutboxEntry, UnitOfWork

log = logging.getLogger(__name__)

#: handled by the helpdesk (Chatwoot), not sent to the customer
HELPDESK_KINDS = frozenset({"helpdesk_handoff", "helpdesk_take_back"})


class Dispatcher:
    def __init__(self, uow: Callable[[], UnitOfWork], channels: Mapping[str, OutboundChannel],
                 outbox: Outbox, clock: Clock, *, helpdesk: Helpdesk | None = None,
                 teams: Mapping[str, int] | None = None,
                 max_attempts: int = 6,
                 base_delay: timedelta = timedelta(seconds=30),
                 claim_for: timedelta = timedelta(minutes=5),
                 policy: Callable[[], Policy] | None = None) -> None:
        self.uow = uow
        self.policy = policy or Policy
        self.helpdesk = helpdesk
        self.teams = dict(teams or {})  # Warmline queue -> helpdesk team id
        self.channels = channels
        self.outbox = outbox
        self.clock = clock
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.claim_for = claim_for  # longer than a send with the client's own retries

    def deliver(self, conversation_id: str) -> list[OutboxEntry]:
        """Send what the conversation's log owes and the outbox has not settled."""
        with self.uow() as uow:
            events = uow.conversations.load(conversation_id)
        channel = next((e.channel for e in events if isinstance(e, ev.ConversationStarted)),
                       "")
        last_in = max((e.occurred_at for e in events if isinstance(e, ev.MessageReceived)),
                      default=None)
        address = address_of(channel, conversation_id, last_in)
        sender = self.channels.get(channel)
        results = []
        for event in events:
            if not isinstance(event, ev.OutboundRequested) or address is None \
                    or sender is None:
                continue
            now = self.clock.now()
            entry = self.outbox.begin(OutboxEntry(event.message_id, conversation_id, channel,
                                                  event.kind), now)
            claimed = self.outbox.claim(entry.key, now, now + self.claim_for) \
                if entry.state == "pending" else None
            if claimed is not None:  # this sender has it (a concurrent one gets None)
                queue = _queue_of(events, event.handoff_id)
                entry = self._attempt(replace(claimed, state="pending"), sender, address,
                                      event, queue, _language_of(events))
            results.append(entry)
        return results

    def retry_due(self) -> int:
        """Send what is owed and due: retries whose backoff has passed, and messages whose
        delivery never ran (the process stopped right after the commit). A send whose
        sender stopped mid-way becomes `uncertain` first. Returns how many were due."""
        for gone in self.outbox.expire(self.clock.now()):
            log.warning("outbound %s on %s: the sender stopped mid-send; uncertain",
                        gone.key, gone.channel)
        due = self.outbox.due(self.clock.now())
        for conversation_id in dict.fromkeys(e.conversation_id for e in due):
            self.deliver(conversation_id)
        return len(due)

    def _attempt(self, entry: OutboxEntry, sender: OutboundChannel, to: Address,
                 event: ev.OutboundRequested, queue: str | None = None,
                 language: str | None = None) -> OutboxEntry:
        attempts = entry.attempts + 1
        try:
            if event.kind in HELPDESK_KINDS:
                message_id = self._helpdesk(entry, event, queue)
            else:
                try:
                    message_id = self._free_form(entry, sender, to, event)
                except WindowClosedError as closed:
                    template = self.template_for(event, language, closed)
                    message_id = sender.send_template(to, template, key=entry.key)
            done = replace(entry, state="sent", attempts=attempts,
                           provider_message_id=message_id, last_error=None,
                           next_attempt_at=None)
        except DeliveryUncertainError as exc:
            done = self._failed(entry, "uncertain", attempts, exc)
        except RetryableSendError as exc:
            if attempts >= self.max_attempts:
                done = self._failed(entry, "failed", attempts, exc)
            else:
                later = self.clock.now() + self.base_delay * 2 ** (attempts - 1)
                done = replace(entry, state="pending", attempts=attempts,
                               last_error=_why(exc), next_attempt_at=later)
        except (PermanentSendError, OutboundError, ValueError) as exc:
            done = self._failed(entry, "failed", attempts, exc)
        self.outbox.update(done, self.clock.now())
        if done.state != "sent":
            log.warning("outbound %s on %s: %s (%s)", entry.key, entry.channel, done.state,
                        done.last_error)
        return done

    @staticmethod
    def _free_form(entry: OutboxEntry, sender: OutboundChannel, to: Address,
                   event: ev.OutboundRequested) -> str:
        if event.button_ids:
            buttons = [Button(i, t) for i, t in zip(event.button_ids, event.button_titles,
                                                    strict=True)]
            return sender.send_buttons(to, event.text, buttons, key=entry.key)
        return sender.send_text(to, event.text, key=entry.key)

    def template_for(self, event: ev.OutboundRequested, language: str | None,
                     closed: WindowClosedError | None = None) -> Template:
        """The policy's template for this message outside the window, filled from the
        values the message was made of; WindowClosedError naming the gap if there is none."""
        catalogue = self.policy().messages
        m = messages_for(catalogue, language)
        lang = language if language in catalogue else next(
            (k for k, v in catalogue.items() if v is m), "en")
        spec = m.whatsapp_templates.get(event.kind)
        if spec is None or not spec.name:
            raise WindowClosedError(
                f"outside WhatsApp's 24-hour window, and the policy has no template for "
                f"{event.kind!r} messages (messages.{lang}.whatsapp_templates.{event.kind})",
                code=closed.code if closed else None)
        try:
            values = template_values(spec, event.kind, event.text,
                                     dict(event.template_values))
        except KeyError as exc:
            raise WindowClosedError(f"outside the 24-hour window: {exc.args[0]} "
                                    f"(messages.{lang}.whatsapp_templates.{event.kind})"
                                    ) from exc
        return Template(spec.name, spec.language, values,
                        spec.parameters if spec.named_parameters else (),
                        tuple(event.button_ids) if spec.quick_replies else ())

    def settle(self, receipt: DeliveryStatus) -> OutboxEntry | None:
        """A platform's receipt settles its send: proof it went out (an uncertain send
        becomes sent), or that it failed after all (the window had closed...)."""
        if not receipt.outbound_key:
            return None
        entry = next((e for e in self.outbox.for_conversation(receipt.conversation_id)
                      if e.key == receipt.outbound_key), None)
        if entry is None:
            return None
        if receipt.status == "failed" and receipt.window_closed \
                and entry.kind not in HELPDESK_KINDS:
            done = self._resend_as_template(entry, receipt)
        elif receipt.status == "failed":
            done = replace(entry, state="failed", next_attempt_at=None,
                           last_error=f"receipt: {receipt.error_code} {receipt.error_title}")
        elif entry.state in ("uncertain", "pending"):
            done = replace(entry, state="sent", next_attempt_at=None,
                           provider_message_id=receipt.message_id, last_error=None)
        else:
            return entry
        self.outbox.update(done, self.clock.now())
        return done

    def _resend_as_template(self, entry: OutboxEntry, receipt: DeliveryStatus) -> OutboxEntry:
        """Meta took a free-form message, then reported 131047: by its clock the window
        had closed. The policy's template goes instead, under a key of its own (the first
        key is spent); without one the entry fails, naming what is missing."""
        why = f"receipt: {receipt.error_code} {receipt.error_title}"
        with self.uow() as uow:
            events = uow.conversations.load(entry.conversation_id)
        owed = next((e for e in events if isinstance(e, ev.OutboundRequested)
                     and e.message_id == entry.key), None)
        sender = self.channels.get(entry.channel)
        last_in = max((e.occurred_at for e in events if isinstance(e, ev.MessageReceived)),
                      default=None)
        to = address_of(entry.channel, entry.conversation_id, last_in)
        if owed is None or sender is None or to is None:
            return replace(entry, state="failed", next_attempt_at=None, last_error=why)
        try:
            template = self.template_for(owed, _language_of(events))
            message_id = sender.send_template(to, template, key=f"{entry.key}:template")
        except (OutboundError, ValueError) as exc:
            return replace(entry, state="failed", next_attempt_at=None,
                           last_error=f"{why}; {_why(exc)}"[:500])
        return replace(entry, state="sent", next_attempt_at=None,
                       provider_message_id=message_id,
                       last_error=f"{why}; resent as template {template.name}")

    def _helpdesk(self, entry: OutboxEntry, event: ev.OutboundRequested,
                  queue: str | None) -> str:
        """Chatwoot: the package as a private note, then open the thread for the humans;
        or, after the resolution, take it back (pending) for the bot."""
        if self.helpdesk is None:
            raise PermanentSendError("no helpdesk is configured")
        if event.kind == "helpdesk_handoff":
            note = self.helpdesk.post_note(entry.conversation_id, event.text, key=entry.key)
            team = self.teams.get(queue) if queue else None  # the team Warmline routed to
            self.helpdesk.hand_off(entry.conversation_id, team)
            return note
        self.helpdesk.take_back(entry.conversation_id)
        return "taken-back"

    @staticmethod
    def _failed(entry: OutboxEntry, state: str, attempts: int,
                exc: Exception) -> OutboxEntry:
        return replace(entry, state=state, attempts=attempts, last_error=_why(exc),
                       next_attempt_at=None)


def _queue_of(events: list[ev.Event], handoff_id: str | None) -> str | None:
    """The queue the handoff is in now (routed, escalated or transferred since)."""
    queue = None
    for e in events:
        if getattr(e, "handoff_id", None) != handoff_id:
            continue
        if isinstance(e, ev.HandoffRouted):
            queue = e.queue
        elif isinstance(e, ev.HandoffEscalated | ev.HandoffTransferred):
            queue = e.to_queue
        elif isinstance(e, ev.HandoffDeferred):
            queue = e.queue
    return queue


def _language_of(events: list[ev.Event]) -> str | None:
    """The customer's language as routing read it (the same rule as the message texts)."""
    routed = [e for e in events if isinstance(e, ev.HandoffRouted)]
    return routed[-1].language if routed else None


def _why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
