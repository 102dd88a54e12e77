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
from collections.abc import Callable
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


#: the longest wait between two passes while they keep failing
MAX_BACKOFF_SECONDS = 300.0


def backoff(every: float, failures: int, ceiling: float = MAX_BACKOFF_SECONDS) -> float:
    """Seconds before the next pass after `failures` failed ones in a row: `every`, then
    doubling (2, 4, 8... times) up to `ceiling` (or `every`, if that is longer)."""
    if failures <= 0:
        return every
    return min(every * 2.0 ** min(failures, 32), max(ceiling, every))


def sweep_forever(bus: MessageBus, outbox: Retrier | None, every: float,
                  stop: threading.Event,
                  diagnose: Callable[[], str | None] | None = None) -> None:
    """Sweep every `every` seconds until `stop` is set. A failed pass is not fatal (the API
    keeps serving) but waits longer before the next one, doubling up to five minutes, and
    is logged as one line naming the cause (`diagnose`: e.g. "the database is not
    migrated: run `warmline db upgrade`") instead of a traceback every pass; the
    traceback is kept for a failure with no known cause, once per run of failures."""
    failures = 0
    while not stop.wait(backoff(every, failures)):
        try:
            done = sweep_once(bus, outbox)
        except Exception as exc:
            failures += 1
            cause = _cause(diagnose)
            wait = backoff(every, failures)
            if cause is not None:
                log.warning("sweep failed: %s; next try in %.0f s", cause, wait)
            else:
                log.warning("sweep failed: %s: %s; next try in %.0f s", type(exc).__name__,
                            _first_line(exc), wait, exc_info=failures == 1)
            continue
        if failures:
            log.warning("sweep works again after %d failed pass(es)", failures)
            failures = 0
        if done.routing.looked_at or done.wait_updates or done.sends_due:
            log.info("sweep: %s", done)


def _cause(diagnose: Callable[[], str | None] | None) -> str | None:
    if diagnose is None:
        return None
    try:
        return diagnose()
    except Exception:  # the diagnosis itself failed: fall back to the exception
        return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""
