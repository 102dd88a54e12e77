"""A claiming process for the concurrency tests: claim until the queue is empty.

    python tests/claim_worker.py DATABASE_URL AGENT_ID [--hang-after N]

Each claimed handoff id is printed on its own line as soon as the claim committed;
"DONE" ends a normal run. With --hang-after N the worker prints "HANG" after N claims
and sleeps, so the test can kill it with its leases still held. `queue_handoffs`
bulk-inserts the queue the workers drain (one multi-row INSERT per chunk), then
ANALYZEs it: a table that went from empty to 10,000 rows in a second has no statistics
yet, and without them the planner sorts instead of reading the claim-order index.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from warmline.adapters.storage.schema import handoffs

QUEUES = ("retention", "billing", "general")


def queue_handoffs(engine: Engine, n: int, prefix: str = "h") -> list[str]:
    """`n` waiting handoffs over three queues and three priorities, first come first."""
    t0 = datetime.now(UTC) - timedelta(minutes=1)
    rows = []
    for i in range(n):
        at = t0 + timedelta(microseconds=i)
        rows.append({"id": f"{prefix}{i:06d}", "conversation_id": f"c-{prefix}{i:06d}",
                     "queue": QUEUES[i % 3], "priority": (40, 60, 80)[i // 3 % 3],
                     "state": "queued", "rule": "bulk", "enqueued_at": at, "queued_at": at,
                     "waiting_since": at, "available_at": at, "step": 0, "alerted": False,
                     "callback": False, "transfers": 0, "updated_at": at})
    with engine.begin() as conn:
        for start in range(0, n, 2000):
            conn.execute(insert(handoffs), rows[start:start + 2000])
    if engine.dialect.name == "postgresql":  # statistics, as a live table has them
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE handoffs")
    return [r["id"] for r in rows]


def main(argv: list[str]) -> None:
    from warmline.adapters.signals.lexical import LexicalSignals
    from warmline.bootstrap import bootstrap
    from warmline.config import Config
    from warmline.domain.commands import ClaimNext

    url, agent = argv[0], argv[1]
    hang_after = int(argv[3]) if len(argv) > 3 and argv[2] == "--hang-after" else None
    config = Config.from_env(None, database_url=url, record="none", signals="lexical",
                             sweep_seconds="0")
    bus = bootstrap(config, signals=LexicalSignals()).bus
    done = 0
    while (got := bus.handle(ClaimNext(agent_id=agent))) is not None:
        sys.stdout.write(got.id + "\n")
        sys.stdout.flush()
        done += 1
        if done == hang_after:
            sys.stdout.write("HANG\n")
            sys.stdout.flush()
            time.sleep(3600)
    sys.stdout.write("DONE\n")


if __name__ == "__main__":
    main(sys.argv[1:])
