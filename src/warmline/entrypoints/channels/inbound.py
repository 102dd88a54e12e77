"""From channel events to service commands: the one mapping every channel router shares.

A verified, parsed inbound event becomes an existing command, keyed by the channel's own
message id, so a platform's retried delivery is a no-op (the handlers are idempotent on
(channel, message_id)):

- a customer's text or media -> ReceiveCustomerMessage (media reads as "[image] caption"
  until attachments are first-class);
- a tap on the one-tap button -> RequestHandoff(source="button");
- a CSAT button (`csat:<score>`) -> RecordCsat;
- any other button (a list choice) -> ReceiveCustomerMessage with the button's title;
- delivery receipts and helpdesk status changes -> the `on_status` / `on_thread_status`
  hooks;
- unsupported messages -> nothing.

Once an event is stored (committed), the message bus sends what the conversation now owes
the customer (service/delivery.py): the bot's answer, the expectation message... A failed
send never fails the webhook: the message stays in the outbox for a retry.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from warmline.domain import commands as cmd
from warmline.domain.commands import Outcome
from warmline.domain.errors import DomainError
from warmline.domain.seam.channels import (
    ButtonTap,
    CustomerText,
    DeliveryStatus,
    InboundEvent,
    MediaReceived,
    ThreadStatusChanged,
    Unsupported,
)
from warmline.domain.seam.messages import csat_score
from warmline.ports import CommerceRecord, RecordUnavailable

log = logging.getLogger(__name__)


class CommandBus(Protocol):
    def handle(self, command: cmd.Command[Outcome], *,
               after_commit: Callable[[Outcome], None] | None = None) -> Outcome: ...


@dataclass(frozen=True)
class Handled:
    """What became of one event: stored, a duplicate, ignored or refused (with why)."""

    event: InboundEvent
    outcome: Outcome | None
    refused: str | None = None

    @property
    def stored(self) -> bool:
        return self.outcome is not None and not self.outcome.duplicate

    @property
    def duplicate(self) -> bool:
        return self.outcome is not None and self.outcome.duplicate


class InboundSink:
    """Maps events to commands on the bus; the hooks settle receipts and take threads back."""

    def __init__(self, bus: CommandBus, record: CommerceRecord | None = None, *,
                 on_status: Callable[[DeliveryStatus], object] | None = None,
                 on_thread_status: Callable[[ThreadStatusChanged], None] | None = None,
                 on_button: Callable[[ButtonTap], Outcome | None] | None = None,
                 keywords: Callable[[str], bool] | None = None) -> None:
        self.bus = bus
        self.record = record
        self.on_status = on_status
        self.on_thread_status = on_thread_status
        self.on_button = on_button
        self.keywords = keywords  # the policy's words for "a person, please" (one tap)
        self._refs: OrderedDict[tuple[str, str], str] = OrderedDict()

    def handle_all(self, events: list[InboundEvent]) -> list[Handled]:
        return [self.handle(e) for e in events]

    def handle(self, event: InboundEvent,
               before_delivery: Callable[[], None] | None = None) -> Handled:
        """Store the event; once it is committed (and not a duplicate), `before_delivery`
        runs (the web chat shows the customer's own line), then the bus delivers what the
        thread is owed."""
        def shown(outcome: Outcome) -> None:
            if before_delivery is not None and not outcome.duplicate:
                before_delivery()

        try:
            handled = Handled(event, self._dispatch(event, shown))
        except DomainError as exc:  # the command does not fit the thread: retrying won't help
            log.info("inbound %s %s refused: %s", event.channel, event.message_id, exc)
            return Handled(event, None, refused=str(exc))
        return handled

    def _send(self, command: cmd.Command[Outcome],
              shown: Callable[[Outcome], None]) -> Outcome:
        return self.bus.handle(command, after_commit=shown)

    def _dispatch(self, event: InboundEvent,
                  shown: Callable[[Outcome], None]) -> Outcome | None:
        if isinstance(event, CustomerText):
            if self.keywords is not None and self.keywords(event.text):
                return self._send(cmd.RequestHandoff(
                    conversation_id=event.conversation_id, source="keyword", text=event.text,
                    message_id=event.message_id, channel=event.channel,
                    customer_ref=self._customer(event)), shown)
            return self._message(event, event.text, shown)
        if isinstance(event, MediaReceived):
            return self._message(event, event.as_text(), shown)
        if isinstance(event, ButtonTap):
            if event.wants_human:
                return self._send(cmd.RequestHandoff(
                    conversation_id=event.conversation_id, source="button", text=event.title,
                    message_id=event.message_id, channel=event.channel,
                    customer_ref=self._customer(event)), shown)
            score = csat_score(event.button_id)
            if score is not None:
                return self._send(cmd.RecordCsat(
                    conversation_id=event.conversation_id, score=score,
                    message_id=event.message_id, channel=event.channel), shown)
            if self.on_button is not None:
                return self.on_button(event)
            return self._message(event, event.title, shown)
        if isinstance(event, DeliveryStatus):
            if self.on_status is not None:
                self.on_status(event)
            return None
        if isinstance(event, ThreadStatusChanged):
            if self.on_thread_status is not None:
                self.on_thread_status(event)
            return None
        if isinstance(event, Unsupported):
            log.info("inbound %s %s: unsupported %s ignored", event.channel, event.message_id,
                     event.kind)
        return None

    def _message(self, event: CustomerText | MediaReceived | ButtonTap, text: str,
                 shown: Callable[[Outcome], None]) -> Outcome:
        return self._send(cmd.ReceiveCustomerMessage(
            conversation_id=event.conversation_id, message_id=event.message_id, text=text,
            channel=event.channel, customer_ref=self._customer(event), sent_at=event.sent_at),
            shown)

    def _customer(self, event: CustomerText | MediaReceived | ButtonTap) -> str | None:
        """The commerce record's customer behind the channel contact (a WhatsApp number...).

        Remembered once found; a record that cannot answer now is no reason to lose the
        customer's message, so the message is stored without the link.
        """
        if self.record is None or not event.contact_id:
            return None
        key = (event.channel, event.contact_id)
        if key in self._refs:
            self._refs.move_to_end(key)
            return self._refs[key]
        try:
            ref = self.record.find_customer(event.channel, event.contact_id)
        except RecordUnavailable:
            return None
        if ref is not None:
            self._refs[key] = ref
            if len(self._refs) > 10_000:
                self._refs.popitem(last=False)
        return ref
