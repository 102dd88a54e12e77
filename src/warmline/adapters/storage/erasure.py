"""Erasing a customer from a SQL database in one transaction (`warmline customer forget`).

Each of their conversations is renamed to a random pseudonym (a WhatsApp conversation's
id holds the phone number) in every table with a `conversation_id` column, found from
the schema so a table added later is not missed; its events are replaced by their erased
form (domain/record/erasure.py); outbox keys that embed the old id are rewritten. Their rows in
Warmline's copy of the commerce record are deleted. Nothing else changes, so counts,
times, queues and scores, hence the metrics, stay as they were.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Engine,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from warmline.adapters.storage import schema as t
from warmline.adapters.storage.sql import SqlConversationRepository
from warmline.domain.events import to_record
from warmline.domain.record.erasure import ERASED, erase, erase_message_id

WEBCHAT_PREFIX = "web-"  # adapters/channels/webchat.py: conversation_id_for(session)


@dataclass(frozen=True)
class Forgotten:
    """What an erasure changed: conversations renamed and erased, record rows deleted."""

    conversations: dict[str, str]  # old id -> pseudonym
    events: int
    record_rows: dict[str, int]


def pseudonym() -> str:
    return f"forgotten-{secrets.token_hex(8)}"


class SqlEraser:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def conversations_of(self, customer_ref: str) -> list[str]:
        """Conversations linked to the customer, or held under one of their contacts."""
        with self.engine.connect() as conn:
            linked = conn.execute(select(t.conversations.c.id).where(
                t.conversations.c.customer_ref == customer_ref)).scalars().all()
            contacts = conn.execute(
                select(t.customer_contacts.c.channel, t.customer_contacts.c.contact_id)
                .where(t.customer_contacts.c.customer_ref == customer_ref)).all()
            by_contact = [f"wa-{c.contact_id}" for c in contacts if c.channel == "whatsapp"]
            found = conn.execute(select(t.conversations.c.id).where(
                t.conversations.c.id.in_(by_contact))).scalars().all() if by_contact else []
        return sorted(set(linked) | set(found))

    def forget(self, customer_ref: str | None,
               conversation_ids: Sequence[str]) -> Forgotten:
        renamed: dict[str, str] = {}
        erased = 0
        with self.engine.begin() as conn:
            for old in conversation_ids:
                new = pseudonym()
                erased += self._rename_and_erase(conn, old, new)
                renamed[old] = new
            rows = self._delete_record(conn, customer_ref) if customer_ref else {}
        return Forgotten(renamed, erased, rows)

    def _rename_and_erase(self, conn: Connection, old: str, new: str) -> int:
        conv = conn.execute(select(t.conversations).where(t.conversations.c.id == old)).first()
        if conv is None:
            raise LookupError(f"conversation {old!r} does not exist")
        events = SqlConversationRepository(conn).load(old)
        raw = conn.execute(select(t.events.c.seq, t.events.c.recorded_at)
                           .where(t.events.c.conversation_id == old)
                           .order_by(t.events.c.seq)).all()
        m = conv._mapping
        conn.execute(insert(t.conversations).values(
            id=new, channel=m["channel"], customer_ref=None, version=m["version"],
            created_at=m["created_at"], updated_at=m["updated_at"]))
        conn.execute(delete(t.events).where(t.events.c.conversation_id == old))
        rows = []
        for (seq, recorded_at), e in zip(raw, erase(events, new, old), strict=True):
            type_name, payload = to_record(e)
            rows.append({"conversation_id": new, "seq": seq, "type": type_name,
                         "payload": payload, "occurred_at": e.occurred_at,
                         "recorded_at": recorded_at})
        if rows:
            conn.execute(insert(t.events), rows)
        inbound = conn.execute(select(t.inbound_messages.c.channel,
                                      t.inbound_messages.c.message_id)
                               .where(t.inbound_messages.c.conversation_id == old)).all()
        for channel, mid in inbound:
            conn.execute(update(t.inbound_messages).where(
                t.inbound_messages.c.channel == channel,
                t.inbound_messages.c.message_id == mid).values(
                message_id=erase_message_id(mid, old, new), conversation_id=new))
        for table in t.metadata.sorted_tables:
            if table.name in ("events", "conversations") or "conversation_id" not in table.c:
                continue
            conn.execute(update(table).where(table.c.conversation_id == old)
                         .values(conversation_id=new))
        owed = or_(t.outbox.c.conversation_id == new,  # and sends logged under a bare key
                   t.outbox.c.key.contains(old, autoescape=True))
        conn.execute(update(t.outbox).where(owed).values(
            key=func.replace(t.outbox.c.key, old, new), last_error=None,
            provider_message_id=case((t.outbox.c.provider_message_id.is_(None), None),
                                     else_=ERASED)))
        if old.startswith(WEBCHAT_PREFIX):  # the widget's copy of the thread
            conn.execute(update(t.webchat_feed).where(
                t.webchat_feed.c.session_id == old.removeprefix(WEBCHAT_PREFIX)).values(
                text=ERASED, author=None))
        conn.execute(delete(t.conversations).where(t.conversations.c.id == old))
        return len(rows)

    def _delete_record(self, conn: Connection, ref: str) -> dict[str, int]:
        orders = select(t.orders.c.id).where(t.orders.c.customer_ref == ref)
        counts = {"order_lines": conn.execute(delete(t.order_lines).where(
            t.order_lines.c.order_id.in_(orders))).rowcount}
        for table in (t.refunds, t.returns, t.interactions, t.carts, t.orders,
                      t.customer_contacts, t.customers):
            column = table.c.ref if table is t.customers else table.c.customer_ref
            counts[table.name] = conn.execute(delete(table).where(column == ref)).rowcount
        return {k: int(v) for k, v in counts.items()}
