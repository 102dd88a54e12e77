"""The database going away under load: requests fail cleanly (503 with a clear body,
never a 500 traceback), the service recovers by itself, and nothing acknowledged is lost.

PostgreSQL: the shared server cannot be restarted, so the app's own backends are killed
with `pg_terminate_backend` (found by the application_name in the app's URL) while
requests flow, which is what a restart looks like from the app. SQLite: another process
holds the database's write lock past the app's busy timeout, which is what a stuck
backup or a long migration looks like.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url
from tests.serve_process import ADMIN, Server, judged_once, post_message, stored

from warmline.adapters.storage import engine as sql_storage
from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import bootstrap
from warmline.config import Config
from warmline.entrypoints.http.app import create_app

TEXTS = ("Where is my parcel?", "I want a refund for order #1043", "thanks, that helps",
         "can you check the delivery date", "This is the third time it broke!!")


def _named(url: str, name: str) -> str:
    return make_url(url).update_query_dict({"application_name": name}).render_as_string(
        hide_password=False)


def _terminate(admin_url: str, name: str) -> int:
    engine = make_engine(admin_url)
    try:
        with engine.begin() as conn:
            return len(conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %(name)s AND pid <> pg_backend_pid()",
                {"name": name}).all())
    finally:
        engine.dispose()


class Load:
    """Client threads posting distinct messages; every answer kept by message id."""

    def __init__(self, send: Any, clients: int = 4, per_client: int = 30) -> None:
        self.send = send
        self.ids = [f"m-{c}-{i}" for c in range(clients) for i in range(per_client)]
        self.answers: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(c, per_client))
                        for c in range(clients)]

    def _client(self, c: int, n: int) -> None:
        for i in range(n):
            mid = f"m-{c}-{i}"
            status, body = self.send(f"conv-{c}-{i % 5}", mid, TEXTS[i % len(TEXTS)])
            with self.lock:
                self.answers.setdefault(mid, []).append((status, body))

    def run(self) -> None:
        for t in self.threads:
            t.start()
        for t in self.threads:
            t.join(timeout=300)

    def acknowledged(self) -> set[str]:
        return {m for m, got in self.answers.items() if any(s in (200, 201) for s, _ in got)}

    def refusals(self) -> list[tuple[int, dict[str, Any]]]:
        return [(s, b) for got in self.answers.values() for s, b in got if s not in (200, 201)]

    def retry_unacknowledged(self) -> int:
        missing = [m for m in self.ids if m not in self.acknowledged()]
        for mid in missing:
            c, i = (int(x) for x in mid.split("-")[1:])
            for _ in range(50):
                status, body = self.send(f"conv-{c}-{i % 5}", mid, TEXTS[i % len(TEXTS)])
                self.answers[mid].append((status, body))
                if status in (200, 201):
                    break
                time.sleep(0.1)
        return len(missing)


def _assert_clean_refusals(load: Load) -> None:
    for status, body in load.refusals():
        assert status == 503, (status, body)
        assert body["error"] == "unavailable" and "retry" in body["message"]


@pytest.mark.postgres
def test_postgres_backends_killed_under_load_fail_cleanly_and_lose_nothing(
        postgres_url: str, tmp_path: Path) -> None:
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations, outbox")
    engine.dispose()
    name = f"wl-fault-{uuid.uuid4().hex[:8]}"
    app_url = _named(postgres_url, name)
    terminated = 0
    with Server(app_url, workers=2, log=tmp_path / "serve.log") as server, \
            httpx.Client(base_url=server.base, timeout=60, headers=ADMIN,
                         limits=httpx.Limits(max_connections=8)) as http:

        def send(conv: str, mid: str, text: str) -> tuple[int, dict[str, Any]]:
            r = post_message(http, conv, mid, text)
            return r.status_code, r.json()

        load = Load(send)
        done = threading.Event()

        def killer() -> None:
            nonlocal terminated
            while not done.wait(0.15):
                terminated += _terminate(postgres_url, name)

        k = threading.Thread(target=killer)
        k.start()
        try:
            load.run()
        finally:
            done.set()
            k.join()
        first_pass = load.acknowledged()
        refused = len(load.refusals())
        retried = load.retry_unacknowledged()
        assert http.get("/healthz").status_code == 200  # recovered by itself
    _assert_clean_refusals(load)
    assert terminated > 0, "the fault was injected"
    state = stored(postgres_url)
    ids = {m for m, _, _ in state["inbound"]}
    print(f"\nPostgreSQL backends terminated {terminated}; sent {len(load.ids)}; "
          f"503 {refused}; retried {retried}; stored {len(ids)}; "
          f"lost {len(first_pass - ids)}")
    assert first_pass <= ids, "nothing acknowledged is lost"
    assert ids == set(load.ids) and judged_once(state)  # after retries: each stored once


@pytest.mark.postgres
def test_a_paused_request_whose_postgres_backend_is_killed_answers_503_then_the_retry_works(
        postgres_url: str, tmp_path: Path) -> None:
    """Deterministic: the kill lands between the message's writes and its commit."""
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events, inbound_messages, conversations, outbox")
    engine.dispose()
    name = f"wl-fault-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "paused"
    env = {"WARMLINE_FAULT_PAUSE": "before_commit:2", "WARMLINE_FAULT_MARKER": str(marker)}
    with Server(_named(postgres_url, name), workers=1, env=env) as server, \
            httpx.Client(base_url=server.base, timeout=60, headers=ADMIN) as http:
        answer: list[httpx.Response] = []
        client = threading.Thread(target=lambda: answer.append(
            post_message(http, "pg-gone", "m-1", "I want a refund")))
        client.start()
        while not (marker.exists() and marker.read_text()):
            time.sleep(0.02)
        assert _terminate(postgres_url, name) >= 1
        client.join(timeout=60)
        assert answer[0].status_code == 503
        assert answer[0].json()["error"] == "unavailable"
        assert answer[0].headers["retry-after"]
        assert stored(postgres_url)["inbound"] == []
        retry = post_message(http, "pg-gone", "m-1", "I want a refund")
        assert retry.status_code == 201
    state = stored(postgres_url)
    assert [m for m, _, _ in state["inbound"]] == ["m-1"] and judged_once(state)


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_storage, "SQLITE_BUSY_TIMEOUT_MS", 100)


@pytest.fixture
def sqlite_client(tmp_path: Path, short_busy_timeout: None) -> Iterator[tuple[str, TestClient]]:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    upgrade(url)
    wl = bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
                                    "WARMLINE_SIGNALS": "lexical",
                                    "WARMLINE_SWEEP_SECONDS": "0",
                                    "WARMLINE_ADMIN_TOKEN": "test-admin-token"}))
    yield url, TestClient(create_app(wl), headers=ADMIN)


def _lock(path: str) -> sqlite3.Connection:
    """Another process's view: a connection holding the database's write lock."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_a_locked_sqlite_database_answers_503_and_stores_nothing_until_it_is_free(
        sqlite_client: tuple[str, TestClient]) -> None:
    url, client = sqlite_client
    path = url.removeprefix("sqlite:///")
    other = _lock(path)
    try:
        r = post_message(client, "locked", "m-1", "I want a refund")  # type: ignore[arg-type]
        assert r.status_code == 503 and r.json()["error"] == "unavailable"
        assert r.headers["retry-after"]
        health = client.get("/healthz")
        assert health.status_code == 503
    finally:
        other.rollback()
        other.close()
    assert stored(url)["inbound"] == []
    r = post_message(client, "locked", "m-1", "I want a refund")  # type: ignore[arg-type]
    assert r.status_code == 201
    assert client.get("/healthz").status_code == 200


def test_a_sqlite_database_locked_again_and_again_under_load_loses_nothing_acknowledged(
        sqlite_client: tuple[str, TestClient]) -> None:
    url, client = sqlite_client
    path = url.removeprefix("sqlite:///")

    def send(conv: str, mid: str, text: str) -> tuple[int, dict[str, Any]]:
        r = post_message(client, conv, mid, text)  # type: ignore[arg-type]
        return r.status_code, r.json()

    load = Load(send, clients=3, per_client=20)
    done, first = threading.Event(), threading.Event()
    locks = 0

    def locker() -> None:
        nonlocal locks
        while True:
            other = _lock(path)
            locks += 1
            first.set()
            time.sleep(0.3)  # past the 100 ms busy timeout
            other.rollback()
            other.close()
            if done.wait(0.1):
                return

    k = threading.Thread(target=locker)
    k.start()
    first.wait(10)  # the load starts against a locked database: the fault is felt
    try:
        load.run()
    finally:
        done.set()
        k.join()
    first_pass = load.acknowledged()
    refused = len(load.refusals())
    retried = load.retry_unacknowledged()
    _assert_clean_refusals(load)
    state = stored(url)
    ids = {m for m, _, _ in state["inbound"]}
    print(f"\nSQLite locked {locks} times; sent {len(load.ids)}; 503 {refused}; "
          f"retried {retried}; stored {len(ids)}; lost {len(first_pass - ids)}")
    assert locks > 0 and refused > 0, "the fault was injected and felt"
    assert first_pass <= ids
    assert ids == set(load.ids) and judged_once(state)


def test_a_missing_sqlite_database_file_answers_503_until_it_is_back(tmp_path: Path) -> None:
    """The volume holding the database is not mounted (its folder is gone): 503, and the
    service carries on by itself once the database is there again."""
    folder = tmp_path / "volume"
    url = f"sqlite:///{folder / 'warmline.db'}"
    wl = bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
                                    "WARMLINE_SIGNALS": "lexical",
                                    "WARMLINE_SWEEP_SECONDS": "0",
                                    "WARMLINE_ADMIN_TOKEN": "test-admin-token"}))
    client = TestClient(create_app(wl), headers=ADMIN)
    r = post_message(client, "gone", "m-1", "Where is my order?")  # type: ignore[arg-type]
    assert r.status_code == 503 and r.json()["error"] == "unavailable"
    assert client.get("/healthz").status_code == 503
    folder.mkdir()
    upgrade(url)  # the volume is back (restored from a backup, say)
    assert client.get("/healthz").status_code == 200
    r = post_message(client, "gone", "m-1", "Where is my order?")  # type: ignore[arg-type]
    assert r.status_code == 201
    assert [m for m, _, _ in stored(url)["inbound"]] == ["m-1"]
