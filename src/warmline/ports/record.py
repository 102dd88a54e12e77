"""The commerce record: read live by triggers, agents and people; written by importers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from warmline.domain.record.commerce import CustomerRecord, RecordBatch, RowError
from warmline.domain.record.facts import CustomerFacts


class RecordUnavailable(Exception):
    """The commerce record could not be read (e.g. the live API is down or too slow)."""


class CommerceRecord(Protocol):
    """The brand's commerce record, read live: by the triggers, the agent and the humans.

    Implementations: the record in Warmline's database (SQL), a JSON file, a live HTTP
    commerce API, and an in-memory twin. They raise `RecordUnavailable` when they cannot
    answer; an unknown customer is `None`, not an error.
    """

    def customer_facts(self, customer_ref: str) -> CustomerFacts | None: ...

    def customer_record(self, customer_ref: str) -> CustomerRecord | None: ...

    def find_customer(self, channel: str, contact_id: str) -> str | None:
        """The customer ref behind a contact id on a channel (a WhatsApp number...)."""
        ...


class RecordStore(Protocol):
    """The writable record in Warmline's database; importers write through it."""

    def existing(self, kind: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are already stored (kind: customers, orders, products...)."""
        ...

    def write(self, batch: RecordBatch) -> dict[str, int]:
        """Upsert everything in one transaction; rows written per kind."""
        ...


class ParsedFile(Protocol):
    """What one import file yielded: entities, where each came from, every bad row."""

    source: str
    batch: RecordBatch
    errors: list[RowError]
    #: kind -> (entity key, row number, unit) for each stored entity, for later checks
    origin: dict[str, list[tuple[str, int, str]]]

    @property
    def rows(self) -> int: ...
