"""What every channel adapter shares: constant-time checks, retries with backoff, and the
outbound idempotency log.

The rule for outbound messages is "never twice": a send is retried only when the platform
certainly did not take it (it refused the connection, or answered with a rate-limit or
transient error); when the outcome is unknown (a timeout after the request went out) the
key is marked uncertain and the send is not repeated, because a duplicate reaches a real
customer's phone while a missing message can be recovered from the status receipts.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from warmline.domain.seam.channels import DeliveryUncertainError, RetryableSendError
from warmline.ports import SentLog

T = TypeVar("T")

UNCERTAIN = "?"  # a SentLog value: tried once, outcome unknown; never sent again blindly


def same_secret(given: str | bytes, expected: str | bytes) -> bool:
    """Constant-time equality, so a forger learns nothing from how long a check took."""
    a = given.encode() if isinstance(given, str) else given
    b = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(a, b)


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def epoch_to_datetime(value: object) -> datetime | None:
    """Unix seconds (int or digit string, as both platforms send them) to aware UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    return None


class MemorySentLog:
    """The in-process SentLog, for a client used alone; Warmline wires the outbox instead."""

    def __init__(self) -> None:
        self._sent: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._sent.get(key)

    def put(self, key: str, message_id: str) -> None:
        with self._lock:
            self._sent[key] = message_id


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; a platform's Retry-After wins when it is longer."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: bool = True

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        backoff: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        if self.jitter:
            backoff *= random.uniform(0.5, 1.0)
        return max(backoff, min(retry_after or 0.0, self.max_delay * 4))


def retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare on these APIs, and our own backoff still applies


class Throttled(RetryableSendError):
    """A retryable refusal that says how long to wait (HTTP Retry-After)."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 code: int | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


def with_retries(call: Callable[[], T], policy: RetryPolicy,
                 sleep: Callable[[float], None]) -> T:
    """Run `call`, retrying only RetryableSendError (the platform did not take it)."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except RetryableSendError as exc:
            if attempt == policy.attempts:
                exc.attempts = attempt
                raise
            sleep(policy.delay(attempt, getattr(exc, "retry_after", None)))
    raise AssertionError("unreachable")


class SendOnce:
    """Wraps a send so each idempotency key reaches the platform at most once.

    A key already sent returns its message id; a key whose outcome is unknown raises
    DeliveryUncertainError again instead of resending. Sends of the same key from two
    threads are serialised, so they cannot race past the check.
    """

    def __init__(self, log: SentLog) -> None:
        self.log = log
        self._locks: dict[str, tuple[threading.Lock, int]] = {}  # key -> (lock, holders)
        self._guard = threading.Lock()

    def __call__(self, key: str, send: Callable[[], str]) -> str:
        if not key:
            raise ValueError("an outbound message needs an idempotency key")
        with self._guard:
            lock, holders = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, holders + 1)
        try:
            with lock:
                return self._send_once(key, send)
        finally:
            with self._guard:  # the last holder drops the lock, so the map stays small
                lock, holders = self._locks[key]
                if holders == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, holders - 1)

    def _send_once(self, key: str, send: Callable[[], str]) -> str:
        known = self.log.get(key)
        if known == UNCERTAIN:
            raise DeliveryUncertainError(
                f"outbound {key!r} was already attempted and its outcome is unknown; "
                "not resending")
        if known is not None:
            return known
        try:
            message_id = send()
        except DeliveryUncertainError:
            self.log.put(key, UNCERTAIN)
            raise
        self.log.put(key, message_id)
        return message_id

    def settle(self, key: str, message_id: str) -> None:
        """A status receipt proved the key was sent (e.g. WhatsApp's callback data)."""
        self.log.put(key, message_id)
