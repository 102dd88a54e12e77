"""The message bus: dispatch a command to its handler inside a fresh unit of work.

A conversation appended concurrently by another writer raises ConcurrencyError; the
command is retried on a fresh unit of work (the log is the arbiter).
"""

from __future__ import annotations

from collections.abc import Callable

from warmline.domain.commands import Command
from warmline.ports import ConcurrencyError, UnitOfWork
from warmline.service.handlers import HANDLERS, Dependencies, Outcome


class MessageBus:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], deps: Dependencies,
                 retries: int = 5) -> None:
        self.uow_factory = uow_factory
        self.deps = deps
        self.retries = retries

    def handle(self, command: Command) -> Outcome:
        handler = HANDLERS[type(command)]
        for attempt in range(self.retries + 1):
            try:
                return handler(command, self.uow_factory(), self.deps)
            except ConcurrencyError:
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")
