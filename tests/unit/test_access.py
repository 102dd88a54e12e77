"""Roles, what an agent may see, passwords, sessions and tokens (memory twin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warmline.adapters.storage.access import MemoryAccessStore
from warmline.domain import events as ev
from warmline.domain.access import Holding, Principal, Role, holding, may_see
from warmline.service import access

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BASE = {"conversation_id": "c1", "occurred_at": NOW}


def test_an_agent_sees_a_conversation_in_its_queue_or_one_it_accepted_and_nothing_else(
) -> None:
    ana = Principal("ana", Role.AGENT, agent_id="ana")
    in_billing = Holding(frozenset({"billing"}))
    assert may_see(ana, in_billing, ["billing", "general"])
    assert not may_see(ana, in_billing, ["retention"])
    assert may_see(ana, Holding(frozenset({"retention"}), frozenset({"ana"})), ["general"])
    assert not may_see(ana, Holding(), ["billing"])  # never handed off: not an agent's


def test_staff_and_the_bot_see_everything_and_a_metrics_token_sees_no_conversation() -> None:
    nowhere = Holding(frozenset({"retention"}))
    for role in (Role.SUPERVISOR, Role.ADMIN, Role.BOT):
        assert may_see(Principal("x", role), nowhere)
    assert not may_see(Principal("prom", Role.METRICS), nowhere)


def test_holding_follows_transfers_and_overflows_and_remembers_who_accepted() -> None:
    events = [
        ev.HandoffRouted(**BASE, handoff_id="h1", turn=1, queue="billing", priority=0,
                         rule="refunds", reason="refund request", policy_version="v"),
        ev.HandoffAccepted(**BASE, handoff_id="h1", agent_id="ana", queue="billing",
                           waited_seconds=30),
        ev.HandoffTransferred(**BASE, handoff_id="h1", by="ana", from_queue="billing",
                              to_queue="retention", to_agent="ben", reason="wants to cancel",
                              priority=0),
    ]
    assert holding(events) == Holding(frozenset({"retention"}), frozenset({"ana", "ben"}))
    escalated = ev.HandoffEscalated(**BASE, handoff_id="h1", kind="overflow",
                                    from_queue="retention", to_queue="general", priority=1,
                                    waited_seconds=600, reason="nobody free")
    assert holding([*events, escalated]).queues == frozenset({"general"})


def test_a_password_verifies_only_itself_and_the_hash_never_contains_it() -> None:
    stored = access.hash_password("correct horse battery")
    assert stored.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in stored
    assert access.verify_password("correct horse battery", stored)
    assert not access.verify_password("correct horse batterY", stored)
    assert not access.verify_password("anything", "not-a-hash")
    assert access.hash_password("same password") != access.hash_password("same password")


def test_sign_in_gives_a_session_that_ends_on_sign_out_and_on_expiry() -> None:
    store = MemoryAccessStore()
    access.add_user(store, "ana", "agent", "ana-password-1", agent_id="ana")
    assert access.sign_in(store, "ana", "wrong-password", NOW) is None
    assert access.sign_in(store, "nobody", "ana-password-1", NOW) is None
    signed = access.sign_in(store, "ana", "ana-password-1", NOW, hours=1)
    assert signed is not None and signed.principal == Principal("ana", Role.AGENT, "ana",
                                                                "session")
    found = access.session_principal(store, signed.token, NOW + timedelta(minutes=59))
    assert found == (signed.principal, signed.csrf)
    assert access.session_principal(store, signed.token, NOW + timedelta(hours=1)) is None
    access.sign_out(store, signed.token)
    assert access.session_principal(store, signed.token, NOW) is None


def test_changing_a_password_or_disabling_a_person_ends_their_sessions() -> None:
    store = MemoryAccessStore()
    access.add_user(store, "sam", "supervisor", "sam-password-1")
    first = access.sign_in(store, "sam", "sam-password-1", NOW)
    assert first is not None
    access.add_user(store, "sam", "supervisor", "sam-password-2")
    assert access.session_principal(store, first.token, NOW) is None
    second = access.sign_in(store, "sam", "sam-password-2", NOW)
    assert second is not None
    assert access.disable_user(store, "sam") == 1
    assert access.session_principal(store, second.token, NOW) is None
    assert access.sign_in(store, "sam", "sam-password-2", NOW) is None


@pytest.mark.parametrize(("name", "role", "password", "agent_id", "field"), [
    ("", "agent", "long-enough-pw", "ana", "name"),
    ("ana smith", "agent", "long-enough-pw", "ana", "name"),
    ("ana", "boss", "long-enough-pw", "ana", "role"),
    ("ana", "bot", "long-enough-pw", None, "role"),
    ("ana", "agent", "long-enough-pw", None, "agent_id"),
    ("ana", "agent", "short", "ana", "password"),
])
def test_a_bad_user_is_refused_naming_the_field_and_nothing_is_stored(
        name: str, role: str, password: str, agent_id: str | None, field: str) -> None:
    store = MemoryAccessStore()
    with pytest.raises(access.AccessError) as refused:
        access.add_user(store, name, role, password, agent_id)
    assert refused.value.field == field
    assert store.users() == []


def test_a_token_secret_is_shown_once_stored_hashed_and_stops_working_when_revoked(
) -> None:
    store = MemoryAccessStore()
    issued = access.issue_token(store, "shop-bot", "bot")
    assert issued.secret.startswith("wl_") and len(issued.secret) > 40
    assert issued.secret not in repr(store.tokens())
    assert access.token_principal(store, issued.secret) == Principal("shop-bot", Role.BOT)
    assert access.token_principal(store, issued.secret + "x") is None
    store.revoke_token(issued.token.id)
    assert access.token_principal(store, issued.secret) is None


def test_the_environment_admin_token_is_an_admin_and_an_empty_one_lets_nobody_in() -> None:
    store = MemoryAccessStore()
    assert access.token_principal(store, "s3cret-admin", "s3cret-admin") == Principal(
        "admin-token", Role.ADMIN)
    assert access.token_principal(store, "", "") is None
    assert access.token_principal(store, "guess", "s3cret-admin") is None
