"""The message bus: dispatch a command to its handler inside a fresh unit of work.

A conversation appended concurrently by another writer raises ConcurrencyError; the
command is retried on a fresh unit of work (the log is the arbiter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from warmline.domain.commands import AnswerWithAgent, Command, ReceiveCustomerMessage
from warmline.domain.handoff_commands import HandoffCommand
from warmline.ports import ConcurrencyError, UnitOfWork
from warmline.service.handlers.agent import answer_with_agent
from warmline.service.handlers.conversations import HANDLERS, Dependencies, Outcome
from warmline.service.handlers.handoffs import HANDOFF_HANDLERS

R = TypeVar("R")


class MessageBus:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], deps: Dependencies,
                 retries: int = 5) -> None:
        self.uow_factory = uow_factory
        self.deps = deps
        self.retries = retries

    def handle(self, command: Command) -> Outcome:
        outcome = self._dispatch(command)
        if isinstance(command, ReceiveCustomerMessage) and self.deps.agent is not None \
                and command.reply is not False and outcome.decision is not None \
                and not outcome.decision["escalate"]:
            answer = self._dispatch(AnswerWithAgent(conversation_id=outcome.conversation_id,
                                                    turn=outcome.turn))
            outcome = replace(outcome, reply=answer.reply)
        return outcome

    def _dispatch(self, command: Command) -> Outcome:
        handler: Callable[..., Outcome] = (answer_with_agent
                                           if isinstance(command, AnswerWithAgent)
                                           else HANDLERS[type(command)])
        for attempt in range(self.retries + 1):
            try:
                return handler(command, self.uow_factory(), self.deps)
            except ConcurrencyError:
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")

    def run(self, command: HandoffCommand[R]) -> R:
        """A routing command (claim, confirm, transfer, sweep...), typed by its result."""
        handler = HANDOFF_HANDLERS[type(command)]
        for attempt in range(self.retries + 1):
            try:
                result: R = handler(command, self.uow_factory(), self.deps)
                return result
            except ConcurrencyError:
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")
