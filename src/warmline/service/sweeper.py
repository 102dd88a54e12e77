"""The one sweeper: what time alone makes due, done by `serve`, the HTTP route and the CLI.

One pass (`sweep_once`) applies due queue cascades, alerts, out-of-hours rules and lapsed
leases (the `Sweep` command), tells customers whose promised wait has passed how long it
is now (`UpdateWaits`; the bus delivers those after its commit), and sends what the outbox
holds as owed and due: retries whose backoff has passed, and messages whose delivery never
ran because the process stopped between a commit and its delivery. Sweepers in several
processes share the work safely (SKIP LOCKED on handoffs, claims on outbox rows).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol

from warmline.domain import commands as cmd
from warmline.service.messagebus import MessageBus

log = logging.getLogger("warmline.sweeper")


class Retrier(Protocol):
    def retry_due(self) -> int: ...


@dataclass(frozen=True)
class SweepPass:
    """What one pass did."""

    routing: cmd.SweepReport
    wait_updates: int  # customers told their wait grew
    sends_due: int  # owed messages that were due (retries, or never delivered)


def sweep_once(bus: MessageBus, outbox: Retrier | None) -> SweepPass:
    report = bus.handle(cmd.Sweep())
    updated = bus.handle(cmd.UpdateWaits())
    due = outbox.retry_due() if outbox is not None else 0
    return SweepPass(report, len(updated), due)


def sweep_forever(bus: MessageBus, outbox: Retrier | None, every: float,
                  stop: threading.Event) -> None:
    """Sweep every `every` seconds until `stop` is set; a failed pass is logged, not fatal
    (the next one retries; the API keeps serving)."""
    while not stop.wait(every):
        try:
            done = sweep_once(bus, outbox)
            if done.routing.looked_at or done.wait_updates or done.sends_due:
                log.info("sweep: %s", done)
        except Exception:
            log.exception("sweep failed")
