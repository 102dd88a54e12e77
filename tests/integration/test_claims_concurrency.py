"""Scale-out on PostgreSQL: many processes claim from one queue, exactly once, none lost.

Real processes (tests/claim_worker.py) against the session's PostgreSQL schema, going
through the whole service path (message bus, unit of work, FOR UPDATE SKIP LOCKED).
Leases in the first test are an hour long so that a slow machine cannot make a lease
lapse mid-run (which would rightly hand a handoff out again); the second test is about
exactly that: a killed worker's leases return to the queue when they run out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.claim_worker import queue_handoffs

from warmline.adapters.clock import FixedClock
from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.schema import handoffs
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.domain.commands import ClaimNext, SaveAgent, SetPresence

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "claim_worker.py"


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE handoffs, agents")
    yield engine
    engine.dispose()


def _policy(tmp_path: Path, offer_seconds: int) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(f"version: claims-test\nrouting:\n  offer_seconds: {offer_seconds}\n"
                    "  auto_offer: false\n", encoding="utf-8")
    return path


def _desk(url: str, policy: Path, clock: FixedClock | None = None) -> Warmline:
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
                              "WARMLINE_SIGNALS": "lexical", "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_POLICY": str(policy)})
    return bootstrap(config, signals=LexicalSignals(), clock=clock)


def _hire(wl: Warmline, *agents: str) -> None:
    for aid in agents:
        wl.bus.handle(SaveAgent(agent_id=aid, skills=("retention", "billing"),
                             languages=("en",), capacity=20_000))
        wl.bus.handle(SetPresence(agent_id=aid, presence="online"))


def _worker(url: str, agent: str, policy: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "WARMLINE_POLICY": str(policy), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(WORKER), url, agent, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)


def test_eight_processes_claim_ten_thousand_handoffs_each_exactly_once(
        engine: Engine, postgres_url: str, tmp_path: Path) -> None:
    policy = _policy(tmp_path, offer_seconds=3600)
    agents = [f"w{i}" for i in range(8)]
    _hire(_desk(postgres_url, policy), *agents)
    queued = queue_handoffs(engine, 10_000)
    workers = {a: _worker(postgres_url, a, policy) for a in agents}
    claimed: dict[str, list[str]] = {}
    for agent, proc in workers.items():
        out, errors = proc.communicate(timeout=600)
        assert proc.returncode == 0, errors
        lines = out.split()
        assert lines[-1] == "DONE", errors
        claimed[agent] = lines[:-1]
    every = [hid for ids in claimed.values() for hid in ids]
    duplicated = [hid for hid, n in Counter(every).items() if n > 1]
    lost = set(queued) - set(every)
    print(f"\nclaimed {len(every)} of {len(queued)}; duplicated {len(duplicated)}; "
          f"lost {len(lost)}; per worker {sorted(len(v) for v in claimed.values())}")
    assert (len(every), duplicated, lost) == (10_000, [], set())
    assert all(claimed.values()), "every worker got a share"
    with engine.connect() as conn:
        rows = conn.execute(select(handoffs.c.id, handoffs.c.state, handoffs.c.agent_id))
        holder = {r.id: (r.state, r.agent_id) for r in rows}
    assert all(holder[hid] == ("claimed", agent)
               for agent, ids in claimed.items() for hid in ids)


def test_a_killed_workers_leases_return_to_the_queue_when_they_run_out(
        engine: Engine, postgres_url: str, tmp_path: Path) -> None:
    policy = _policy(tmp_path, offer_seconds=30)
    _hire(_desk(postgres_url, policy), "doomed", "rescuer")
    queued = queue_handoffs(engine, 200, prefix="k")
    doomed = _worker(postgres_url, "doomed", policy, "--hang-after", "50")
    assert doomed.stdout is not None
    held = []
    for line in doomed.stdout:
        if line.strip() == "HANG":
            break
        held.append(line.strip())
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    assert len(held) == 50

    def drain(at: datetime) -> list[str]:
        wl = _desk(postgres_url, policy, FixedClock(at))
        got = []
        while (h := wl.bus.handle(ClaimNext(agent_id="rescuer"))) is not None:
            got.append(h.id)
        return got

    now = datetime.now(UTC)  # the dead worker's 30 s leases were all taken before this
    while_leased = drain(now + timedelta(seconds=10))
    assert set(while_leased) == set(queued) - set(held)  # live leases are not handed out
    after_expiry = drain(now + timedelta(seconds=35))  # the rescuer's own leases still hold
    assert sorted(after_expiry) == sorted(held)  # the dead worker's 50 came back; none lost
