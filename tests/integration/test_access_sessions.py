"""Browser sessions with CSRF, rate limits, and secrets read from files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from warmline.adapters.signals.lexical import LexicalSignals
from warmline.adapters.storage.migrate import upgrade
from warmline.bootstrap import Warmline, bootstrap
from warmline.config import Config
from warmline.entrypoints.http.app import create_app
from warmline.entrypoints.http.auth import SESSION_COOKIE
from warmline.service import access


def _app(tmp_path: Path, **env: str) -> Warmline:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    config = Config.from_env({"WARMLINE_DATABASE_URL": url, "WARMLINE_SWEEP_SECONDS": "0",
                              "WARMLINE_RECORD": "none", "WARMLINE_SIGNALS": "lexical",
                              **{f"WARMLINE_{k.upper()}": v for k, v in env.items()}})
    return bootstrap(config, signals=LexicalSignals())


@pytest.fixture
def signed_in(tmp_path: Path) -> Iterator[tuple[TestClient, str, Warmline]]:
    wl = _app(tmp_path)
    assert wl.access is not None
    access.add_user(wl.access, "sue", "supervisor", "sue-password-1")
    session = access.sign_in(wl.access, "sue", "sue-password-1", wl.bus.deps.clock.now())
    assert session is not None
    with TestClient(create_app(wl)) as http:
        http.cookies.set(SESSION_COOKIE, session.token)
        yield http, session.csrf, wl


def test_a_signed_in_person_reads_with_the_cookie_alone(
        signed_in: tuple[TestClient, str, Warmline]) -> None:
    http, _, _ = signed_in
    me = http.get("/v1/me")
    assert me.status_code == 200
    assert me.json() == {"subject": "sue", "role": "supervisor", "agent_id": None,
                         "via": "session"}


def test_a_cookie_without_its_csrf_token_changes_nothing(
        signed_in: tuple[TestClient, str, Warmline]) -> None:
    http, csrf, wl = signed_in
    body = {"name": "Cy", "skills": ["billing"]}
    refused = http.put("/v1/agents/cy", json=body)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    wrong = http.put("/v1/agents/cy", json=body, headers={"X-CSRF-Token": csrf + "x"})
    assert wrong.status_code == 403
    with wl.uow() as uow:
        assert uow.agents.get("cy") is None
    done = http.put("/v1/agents/cy", json=body, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200
    with wl.uow() as uow:
        assert uow.agents.get("cy") is not None


def test_a_signed_out_cookie_is_refused(
        signed_in: tuple[TestClient, str, Warmline]) -> None:
    http, _, wl = signed_in
    assert wl.access is not None
    access.sign_out(wl.access, http.cookies[SESSION_COOKIE])
    assert http.get("/v1/me").status_code == 401


def test_a_token_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected(
        tmp_path: Path) -> None:
    wl = _app(tmp_path, rate_limit_per_token="5")
    assert wl.access is not None
    busy = {"Authorization": f"Bearer {access.issue_token(wl.access, 'busy', 'bot').secret}"}
    calm = {"Authorization": f"Bearer {access.issue_token(wl.access, 'calm', 'bot').secret}"}
    with TestClient(create_app(wl)) as http:
        statuses = [http.get("/v1/me", headers=busy).status_code for _ in range(7)]
        assert statuses == [200] * 5 + [429] * 2
        limited = http.get("/v1/me", headers=busy)
        assert limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 12
        assert http.get("/v1/me", headers=calm).status_code == 200


def test_one_sender_over_its_rate_is_refused_and_the_refused_message_is_not_stored(
        tmp_path: Path) -> None:
    wl = _app(tmp_path, rate_limit_per_sender="3", admin_token="adm-token-for-this-test")
    bearer = {"Authorization": "Bearer adm-token-for-this-test"}
    with TestClient(create_app(wl), headers=bearer) as http:
        statuses = [http.post("/v1/conversations/flood/messages",
                              json={"message_id": f"m{i}", "text": f"hello {i}"}).status_code
                    for i in range(5)]
        assert statuses == [201, 201, 201, 429, 429]
        other = http.post("/v1/conversations/quiet/messages",
                          json={"message_id": "q1", "text": "hello"})
        assert other.status_code == 201
    with wl.uow() as uow:
        stored = [e for e in uow.conversations.load("flood")
                  if type(e).__name__ == "MessageReceived"]
    assert len(stored) == 3


def test_the_admin_token_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "admin.token"
    secret.write_text("file-admin-token\n", encoding="utf-8")
    config = Config.from_env({"WARMLINE_ADMIN_TOKEN_FILE": str(secret)})
    assert config.admin_token == "file-admin-token"
    assert "file-admin-token" not in repr(config)
    with pytest.raises(ValueError, match="WARMLINE_ADMIN_TOKEN_FILE"):
        Config.from_env({"WARMLINE_ADMIN_TOKEN_FILE": str(tmp_path / "missing")})
