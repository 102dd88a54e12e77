"""WhatsApp Cloud API, outbound: text, reply buttons and templates (the OutboundChannel port).

`POST {api_url}/{phone-number-id}/messages` with `Authorization: Bearer <access token>`
(docs: "Messages API", "Interactive reply buttons messages", "Template messages"). The
answer names the message: `{"messages": [{"id": "wamid..."}]}`; a refusal is a Graph
error, `{"error": {"code": 131047, "message": ..., "error_data": {"details": ...}}}`.

Each send carries Warmline's idempotency key twice: the SentLog checks it before anything
goes out, and it travels as `biz_opaque_callback_data`, which Meta echoes in the status
receipts, so a send whose outcome was unknown can be settled from its receipt.

The 24-hour customer-service window: a free-form message (text, buttons) is allowed only
within 24 hours of the customer's last message. Outside it `send_text`/`send_buttons`
raise WindowClosedError before calling Meta; `reply` sends the given template instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from warmline.adapters.channels.base import (
    MemorySentLog,
    RetryPolicy,
    SendOnce,
    Throttled,
    retry_after_seconds,
    with_retries,
)
from warmline.adapters.channels.whatsapp import CHANNEL, WhatsAppSettings
from warmline.domain.seam.channels import (
    Address,
    Button,
    DeliveryUncertainError,
    PermanentSendError,
    Template,
    WindowClosedError,
)
from warmline.ports import SentLog

MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_BODY = 1024  # interactive body text
MAX_TEXT = 4096
MAX_QUICK_REPLIES = 10  # a template holds at most 10 buttons

# Graph error codes that mean "not sent, try again later" (rate limits, transient outages).
RETRYABLE_CODES = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004})
REENGAGEMENT = 131047  # more than 24 hours since the customer's last message


def _utcnow() -> datetime:
    return datetime.now(UTC)


class WhatsAppClient:
    """Sends through the Cloud API with retries, backoff and at-most-once keys."""

    def __init__(self, settings: WhatsAppSettings, *, http: httpx.Client | None = None,
                 log: SentLog | None = None, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = _utcnow, timeout: float = 10.0) -> None:
        if not settings.access_token or not settings.phone_number_id:
            raise ValueError("WhatsApp sending needs WARMLINE_WHATSAPP_ACCESS_TOKEN and "
                             "WARMLINE_WHATSAPP_PHONE_NUMBER_ID")
        self.settings = settings
        self.http = http or httpx.Client()
        self.once = SendOnce(log or MemorySentLog())
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.now = now
        self.timeout = timeout

    @property
    def channel(self) -> str:
        return CHANNEL

    # --- the OutboundChannel port -------------------------------------------------------

    def send_text(self, to: Address, text: str, *, key: str) -> str:
        if not 1 <= len(text) <= MAX_TEXT:
            raise ValueError(f"text: 1..{MAX_TEXT} characters")
        self._check_window(to)
        return self._send(to, key, {"type": "text",
                                    "text": {"preview_url": False, "body": text}})

    def send_buttons(self, to: Address, text: str, buttons: Sequence[Button], *,
                     key: str) -> str:
        _check_buttons(text, buttons)
        self._check_window(to)
        action = {"buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}}
                              for b in buttons]}
        return self._send(to, key, {"type": "interactive", "interactive": {
            "type": "button", "body": {"text": text}, "action": action}})

    def send_template(self, to: Address, template: Template, *, key: str) -> str:
        body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
        components: list[dict[str, Any]] = []
        if template.parameters:
            names = template.parameter_names
            components.append({"type": "body", "parameters": [
                {"type": "text", **({"parameter_name": names[i]} if names else {}), "text": p}
                for i, p in enumerate(template.parameters)]})
        components.extend({"type": "button", "sub_type": "quick_reply", "index": str(i),
                           "parameters": [{"type": "payload", "payload": payload}]}
                          for i, payload in enumerate(template.quick_replies[:MAX_QUICK_REPLIES]))
        if components:
            body["components"] = components
        return self._send(to, key, {"type": "template", "template": body})

    # --- the window ---------------------------------------------------------------------

    def reply(self, to: Address, text: str, *, key: str, outside_window: Template | None,
              buttons: Sequence[Button] = ()) -> str:
        """Text (with buttons if any) inside the window, `outside_window` outside it.

        Also falls back when Meta answers 131047 itself (its clock decides, not ours).
        """
        try:
            if buttons:
                return self.send_buttons(to, text, buttons, key=key)
            return self.send_text(to, text, key=key)
        except WindowClosedError:
            if outside_window is None:
                raise
            return self.send_template(to, outside_window, key=f"{key}:template")

    def _check_window(self, to: Address) -> None:
        if to.last_inbound_at is not None and not to.window_open(self.now()):
            raise WindowClosedError(
                "the customer's last message is more than 24 hours old: send a template",
                code=REENGAGEMENT)

    # --- the wire -----------------------------------------------------------------------

    def _send(self, to: Address, key: str, message: dict[str, Any]) -> str:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual",
                "to": to.contact_id, "biz_opaque_callback_data": key[:512], **message}
        return self.once(key, lambda: with_retries(lambda: self._post(body), self.retry,
                                                   self.sleep))

    def _post(self, body: dict[str, Any]) -> str:
        url = f"{self.settings.api_url}/{self.settings.phone_number_id}/messages"
        headers = {"Authorization": f"Bearer {self.settings.access_token}"}
        try:
            response = self.http.post(url, json=body, headers=headers, timeout=self.timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise Throttled(f"could not reach the Cloud API: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:  # sent, but no answer: it may have gone out
            raise DeliveryUncertainError(
                f"no answer from the Cloud API ({type(exc).__name__})") from exc
        return _message_id(response)


def _message_id(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.is_success:
        try:
            return str(data["messages"][0]["id"])
        except (TypeError, KeyError, IndexError) as exc:
            raise DeliveryUncertainError(
                f"HTTP {response.status_code} without a message id") from exc
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):  # a proxy's page, not Meta's answer: outcome unknown
        if response.status_code in (429, 503):  # refused before any work: safe to resend
            raise Throttled(f"HTTP {response.status_code}", status=response.status_code,
                            retry_after=retry_after_seconds(response.headers.get("retry-after")))
        if response.status_code >= 500:
            raise DeliveryUncertainError(f"HTTP {response.status_code} without a Graph error",
                                         status=response.status_code)
        raise PermanentSendError(f"HTTP {response.status_code}", status=response.status_code)
    code = error.get("code") if isinstance(error.get("code"), int) else None
    details = error.get("error_data", {}).get("details") if isinstance(
        error.get("error_data"), dict) else None
    text = f"{error.get('message') or 'Graph error'} (#{code}){': ' + details if details else ''}"
    if code == REENGAGEMENT:
        raise WindowClosedError(text, code=code, status=response.status_code)
    if (code in RETRYABLE_CODES or error.get("is_transient") is True
            or response.status_code == 429 or response.status_code >= 500):
        raise Throttled(text, code=code, status=response.status_code,
                        retry_after=retry_after_seconds(response.headers.get("retry-after")))
    raise PermanentSendError(text, code=code, status=response.status_code)


def _check_buttons(text: str, buttons: Sequence[Button]) -> None:
    """Meta's limits, checked here so a bad message fails before it costs a request."""
    if not 1 <= len(text) <= MAX_BODY:
        raise ValueError(f"button message body: 1..{MAX_BODY} characters")
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise ValueError(f"reply buttons: 1..{MAX_BUTTONS} per message")
    titles = [b.title for b in buttons]
    if len(set(titles)) != len(titles):
        raise ValueError("reply button titles must be unique")
    for b in buttons:
        if not 1 <= len(b.title) <= MAX_BUTTON_TITLE:
            raise ValueError(f"button title {b.title!r}: 1..{MAX_BUTTON_TITLE} characters")
        if not 1 <= len(b.id) <= MAX_BUTTON_ID:
            raise ValueError(f"button id {b.id!r}: 1..{MAX_BUTTON_ID} characters")
