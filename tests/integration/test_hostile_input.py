"""Hostile bodies get a clear 4xx in the API's one error shape and store nothing.

Extends tests/integration/test_api.py (which covers a form body -> 415, 70 kB of
whitespace -> 413, a byte-order-marked body -> 422 and a 4,001-character text -> 422):
here every other shape of bad body, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from warmline.adapters.storage.engine import make_engine
from warmline.adapters.storage.schema import events, inbound_messages

JSON = {"content-type": "application/json"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, str]]:
    client: TestClient = request.getfixturevalue(
        "client" if request.param == "sqlite" else "pg_client")
    url = str(client.app.state.warmline.config.database_url)  # type: ignore[attr-defined]
    engine = make_engine(url)
    with engine.begin() as conn:  # the shared PostgreSQL schema keeps other tests' people
        conn.exec_driver_sql("DELETE FROM handoffs")
        conn.exec_driver_sql("DELETE FROM agents")
    engine.dispose()
    yield client, url


def _stored(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return (len(conn.execute(events.select()).all()),
                    len(conn.execute(inbound_messages.select()).all()))
    finally:
        engine.dispose()


def _refused(r: Any, status: int, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message", "fields"} and body["message"]
    if field is not None:  # the field named (a JSON error adds its position: body.29)
        assert any(f["field"] == field or f["field"].startswith(f"{field}.")
                   for f in body["fields"]), body


BAD_BODIES: list[tuple[str, bytes, dict[str, str], int, str | None]] = [
    ("invalid UTF-8", b'{"message_id": "u1", "text": "caf\xe9 \xff"}', JSON, 422, "body"),
    ("truncated JSON", b'{"message_id": "t1", "text": "hi', JSON, 422, "body"),
    ("JSON nested 30,000 deep", b'{"message_id": "d1", "text": ' + b"[" * 30_000
     + b"]" * 30_000 + b"}", JSON, 422, "body"),
    ("JSON nested 300 deep in a field", b'{"message_id": "d2", "text": "hi", "reply": '
     + b"{\"a\": " * 300 + b"1" + b"}" * 300 + b"}", JSON, 422, "body.reply"),
    ("a NUL character in the message id", b'{"message_id": "n\\u0000", "text": "hi"}', JSON,
     422, "body"),
    ("a NUL character in the text", b'{"message_id": "n2", "text": "hi\\u0000"}', JSON, 422,
     "body"),
    ("a lone surrogate", b'{"message_id": "s1", "text": "hi \\ud800"}', JSON, 422,
     "body.text"),
    ("a JSON array", b'[{"message_id": "a1", "text": "hi"}]', JSON, 422, "body"),
    ("plain text", b"I want a refund", {"content-type": "text/plain"}, 415, None),
    ("multipart", b"--x\r\n\r\nhi\r\n--x--", {"content-type": "multipart/form-data; boundary=x"},
     415, None),
    ("no content type", b'{"message_id": "c1", "text": "hi"}', {}, 415, None),
    ("a text of 60,000 characters", b'{"message_id": "l1", "text": "' + b"a" * 60_000 + b'"}',
     JSON, 422, "body.text"),
    ("a message id of 300 characters", b'{"message_id": "' + b"m" * 300
     + b'", "text": "hi"}', JSON, 422, "body.message_id"),
    ("1 MB declared", b'{"message_id": "b1", "text": "' + b"a" * 1_000_000 + b'"}', JSON, 413,
     None),
]


@pytest.mark.parametrize(("case", "body", "headers", "status", "field"), BAD_BODIES,
                         ids=[b[0] for b in BAD_BODIES])
def test_a_hostile_body_gets_a_clear_4xx_and_stores_nothing(
        api: tuple[TestClient, str], case: str, body: bytes, headers: dict[str, str],
        status: int, field: str | None) -> None:
    client, url = api
    r = client.post("/v1/conversations/hostile/messages", content=body, headers=headers)
    _refused(r, status, field)
    assert _stored(url) == (0, 0)


def test_an_oversized_body_sent_in_chunks_without_a_length_is_refused(
        api: tuple[TestClient, str]) -> None:
    client, url = api

    def chunks() -> Iterator[bytes]:
        yield b'{"message_id": "k1", "text": "'
        for _ in range(100):
            yield b"a" * 10_000
        yield b'"}'

    r = client.post("/v1/conversations/hostile/messages", content=chunks(), headers=JSON)
    _refused(r, 413)
    assert _stored(url) == (0, 0)


@pytest.mark.parametrize("path", [
    "/v1/customers/c%00-1", "/v1/conversations?limit=5&offset=%00",
    "/v1/conversations/a%00b",
])
def test_a_nul_character_in_the_path_or_query_is_refused(api: tuple[TestClient, str],
                                                         path: str) -> None:
    client, _ = api
    _refused(client.get(path), 422)


@pytest.mark.parametrize(("route", "body"), [
    ("/v1/conversations/hostile/agent-replies", b'{"text": "' + b"a" * 5000 + b'"}'),
    ("/v1/conversations/hostile/handoff-requests", b'{"source": "button", "text": 5}'),
    ("/v1/agents/ana", b'{"capacity": 2.5}'),
    ("/v1/agents/ana", b'{"capacity": 10, "skills": "' + b"s" * 70_000 + b'"}'),
    ("/v1/conversations/hostile/human-replies", b'{"text": "hi", "author": "a\\u0000"}'),
])
def test_every_write_route_refuses_bad_bodies_without_storing(
        api: tuple[TestClient, str], route: str, body: bytes) -> None:
    client, url = api
    method = client.put if route.startswith("/v1/agents") else client.post
    r = method(route, content=body, headers=JSON)
    assert r.status_code in (413, 422), r.text
    assert set(r.json()) == {"error", "message", "fields"}
    assert _stored(url) == (0, 0)
    assert client.get("/v1/agents").json() == []


def test_a_bodyless_post_needs_no_content_type(api: tuple[TestClient, str]) -> None:
    client, _ = api
    assert client.post("/v1/routing/sweep").status_code == 200


def test_integers_may_be_written_as_whole_floats_but_not_fractions(
        api: tuple[TestClient, str]) -> None:
    client, _ = api
    assert client.put("/v1/agents/ana", json={"capacity": 3.0}).json()["capacity"] == 3
    _refused(client.put("/v1/agents/bo", json={"capacity": 3.5}), 422, "body.capacity")
