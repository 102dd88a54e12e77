"""The commerce record read from a brand's live HTTP API: the data stays where it is.

Two endpoints, relative to the configured base URL (docs/record.md):

    GET {base}/customers/{customer_ref}          -> one customer record (JSON), 404 if unknown
    GET {base}/contacts/{channel}/{contact_id}   -> {"customer_ref": "..."}, 404 if unknown

The customer record has the shape of `CustomerRecord.to_dict()` (the same fields the
JSON importer reads). Every failure — a timeout, a refused connection, a 5xx, a body
that is not a valid record — raises `RecordUnavailable` with the URL and the reason,
so callers can degrade (judge without the record) instead of failing the customer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from warmline.adapters.commerce import codec
from warmline.domain.record.commerce import CustomerRecord
from warmline.domain.record.facts import CustomerFacts
from warmline.ports import RecordUnavailable


class HttpCommerceRecord:
    def __init__(self, base_url: str, *, timeout: float = 2.0, token: str | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"commerce API base URL must start with http:// or https://, "
                             f"got {base_url!r}")
        headers = {"accept": "application/json", "user-agent": "warmline"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers,
                                    transport=transport)

    def close(self) -> None:
        self._client.close()

    def _get(self, path: str) -> Any | None:
        url = f"{self.base_url}{path}"
        try:
            response = self._client.get(path)
        except httpx.TimeoutException as exc:
            raise RecordUnavailable(f"commerce API {url} did not answer within "
                                    f"{self.timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise RecordUnavailable(f"commerce API {url} unreachable: "
                                    f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RecordUnavailable(f"commerce API {url} answered HTTP "
                                    f"{response.status_code}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError as exc:
            raise RecordUnavailable(f"commerce API {url} answered with a body that is not "
                                    "JSON") from exc

    def customer_record(self, customer_ref: str) -> CustomerRecord | None:
        path = f"/customers/{quote(customer_ref, safe='')}"
        data = self._get(path)
        if data is None:
            return None
        try:
            record = codec.customer_record(data, read_at=datetime.now(UTC))
        except codec.FieldError as exc:
            raise RecordUnavailable(f"commerce API {self.base_url}{path} answered with an "
                                    f"invalid record: {exc}") from exc
        if record.customer.ref != customer_ref:
            raise RecordUnavailable(f"commerce API {self.base_url}{path} answered for "
                                    f"customer {record.customer.ref!r}, not {customer_ref!r}")
        return record

    def customer_facts(self, customer_ref: str) -> CustomerFacts | None:
        record = self.customer_record(customer_ref)
        return record.facts() if record is not None else None

    def find_customer(self, channel: str, contact_id: str) -> str | None:
        path = f"/contacts/{quote(channel.lower(), safe='')}/{quote(contact_id, safe='')}"
        data = self._get(path)
        if data is None:
            return None
        ref = data.get("customer_ref") if isinstance(data, dict) else None
        if not isinstance(ref, str) or not ref:
            raise RecordUnavailable(f"commerce API {self.base_url}{path} answered without "
                                    "a customer_ref")
        return ref
