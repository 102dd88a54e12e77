"""The one message bus: every command goes through `handle`, in its own unit of work.

For each command the bus opens a fresh unit of work, runs the command's handler in it
(service/handlers/), commits, and only then hands what the commit owes the customer (the
`OutboundRequested` events; the storage keeps their outbox rows in the same transaction)
to delivery. Nothing is sent inside a transaction, and nothing an entrypoint does after a
command is needed for the customer to be answered: if delivery fails or the process dies
right after the commit, the outbox row stays pending and the sweeper
(service/sweeper.py) sends it.

A conversation appended concurrently by another writer raises ConcurrencyError; the
command is retried on a fresh unit of work (the log is the arbiter).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from warmline import faults
from warmline.domain import commands as cmd
from warmline.domain import events as ev
from warmline.ports import ConcurrencyError, UnitOfWork
from warmline.service.handlers import HANDLERS
from warmline.service.handlers.agent import draft
from warmline.service.unit import Dependencies

R = TypeVar("R")
log = logging.getLogger(__name__)


class MessageBus:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], deps: Dependencies,
                 *, deliver: Callable[[str], Any] | None = None, retries: int = 5) -> None:
        """`deliver(conversation_id)` sends what the conversation owes (the dispatcher);
        None: owed messages wait in the outbox for the sweeper."""
        self.uow_factory = uow_factory
        self.deps = deps
        self.deliver = deliver
        self.retries = retries

    def handle(self, command: cmd.Command[R], *,
               after_commit: Callable[[R], object] | None = None) -> R:
        """Handle `command` and return its result; a customer message that stays with
        the bot is then answered by Warmline's own agent, when one is configured.

        `after_commit(result)` runs once the command is committed, before what it owes is
        delivered (the web chat shows the customer's own line before the bot's answer)."""
        result = self._dispatch(command, self.retries, after_commit)
        if isinstance(command, cmd.ReceiveCustomerMessage) and isinstance(result, cmd.Outcome):
            answered = self._answer(command, result)
            return answered  # type: ignore[return-value]  # R is Outcome here
        return result

    def _dispatch(self, command: cmd.Command[R], retries: int,
                  after_commit: Callable[[R], object] | None = None) -> R:
        handler: Callable[..., R] = HANDLERS[type(command)]
        message = isinstance(command, cmd.ReceiveCustomerMessage)
        for attempt in range(retries + 1):
            uow = self.uow_factory()
            try:
                with uow:
                    result = handler(command, uow, self.deps)
                    if message:
                        faults.point("before_commit")  # no-op unless a fault test asks
                    uow.commit()
            except ConcurrencyError:
                if attempt == retries:
                    raise
                continue
            if message:
                faults.point("after_commit")
            if after_commit is not None:
                after_commit(result)
            self._deliver_owed(uow)
            return result
        raise AssertionError("unreachable")

    def _deliver_owed(self, uow: UnitOfWork) -> None:
        """After the commit: send what it owes. A failure is logged and left in the
        outbox (pending, retried by the sweeper), never raised to the caller."""
        if self.deliver is None:
            return
        owed = dict.fromkeys(e.conversation_id for e in uow.committed
                             if isinstance(e, ev.OutboundRequested))
        for conversation_id in owed:
            try:
                self.deliver(conversation_id)
            except Exception:
                log.exception("delivery for %s failed; left in the outbox", conversation_id)

    def _answer(self, command: cmd.ReceiveCustomerMessage,
                outcome: cmd.Outcome) -> cmd.Outcome:
        """Warmline's agent answers the customer's turn: drafted outside any transaction,
        stored only if nothing happened meanwhile (else drafted again)."""
        if self.deps.agent is None or command.reply is False or outcome.decision is None \
                or outcome.decision["escalate"]:
            return outcome
        for attempt in range(self.retries + 1):
            drafted = draft(self.uow_factory, self.deps, outcome.conversation_id, outcome.turn)
            if drafted is None:
                return outcome
            if isinstance(drafted, cmd.Outcome):  # answered before: the stored answer
                return replace(outcome, reply=drafted.reply)
            try:
                answer = self._dispatch(drafted, retries=0)
            except ConcurrencyError:
                if attempt == self.retries:
                    raise
                continue
            return replace(outcome, reply=answer.reply)
        raise AssertionError("unreachable")
