"""Chatwoot as an Agent Bot, outbound: replies, notes, hand-off and take-back.

The Application API (chatwoot/chatwoot app/controllers/api/v1/accounts/...), authenticated
with the `api_access_token` header. The bot's own token reaches exactly what a bot needs
(AccessTokenAuthHelper::BOT_ACCESSIBLE_ENDPOINTS: conversation status, message create,
assignment create):

- reply / buttons / note: `POST /api/v1/accounts/{account}/conversations/{id}/messages`
  with `content`, `message_type: outgoing`, `private` (true for a note the customer never
  sees), and for buttons `content_type: input_select` with
  `content_attributes.items: [{title, value}]` (Messages::MessageBuilder);
- hand off: `POST .../assignments` with `team_id` (the team Warmline routed to), then
  `POST .../toggle_status` with `status: open`. A bot moving its conversation from
  `pending` to `open` is Chatwoot's own bot hand-off (`bot_handoff!`): the humans' queue;
- take back: `POST .../toggle_status` with `status: pending` (the bot's state).

`{id}` is the conversation's `display_id`, which the webhooks carry as `conversation.id`.
Older Chatwoot refuses bot tokens on assignments (401); the user token
WARMLINE_CHATWOOT_API_TOKEN is then used for that one call.

Messages are not idempotent on Chatwoot's side, so the same at-most-once rule as WhatsApp
applies (base.py). Status changes and assignments are idempotent: they are retried on
any transient failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
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
from warmline.adapters.channels.chatwoot import CHANNEL, ChatwootSettings, display_id_of
from warmline.domain.seam.channels import (
    Address,
    Button,
    DeliveryUncertainError,
    PermanentSendError,
    Template,
)
from warmline.ports import SentLog


class ChatwootClient:
    """The OutboundChannel and Helpdesk ports over Chatwoot's Application API."""

    def __init__(self, settings: ChatwootSettings, *, http: httpx.Client | None = None,
                 log: SentLog | None = None, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep, timeout: float = 10.0) -> None:
        if not (settings.url and settings.account_id and settings.bot_token):
            raise ValueError("Chatwoot needs WARMLINE_CHATWOOT_URL, "
                             "WARMLINE_CHATWOOT_ACCOUNT_ID and WARMLINE_CHATWOOT_BOT_TOKEN")
        self.settings = settings
        self.http = http or httpx.Client()
        self.once = SendOnce(log or MemorySentLog())
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.timeout = timeout

    @property
    def channel(self) -> str:
        return CHANNEL

    # --- OutboundChannel: `to.contact_id` is the Chatwoot conversation (display) id ------

    def send_text(self, to: Address, text: str, *, key: str) -> str:
        return self._message(to.contact_id, key, {"content": text})

    def send_buttons(self, to: Address, text: str, buttons: Sequence[Button], *,
                     key: str) -> str:
        if not buttons:
            raise ValueError("send_buttons needs at least one button")
        items = [{"title": b.title, "value": b.id} for b in buttons]
        return self._message(to.contact_id, key, {
            "content": text, "content_type": "input_select",
            "content_attributes": {"items": items}})

    def send_template(self, to: Address, template: Template, *, key: str) -> str:
        """A WhatsApp template through a Chatwoot WhatsApp inbox (`template_params`)."""
        params = {str(i): p for i, p in enumerate(template.parameters, start=1)}
        return self._message(to.contact_id, key, {
            "content": " ".join(template.parameters) or template.name,
            "template_params": {"name": template.name, "language": template.language,
                                "processed_params": params}})

    # --- Helpdesk: `conversation_id` is Warmline's thread id (cw-{account}-{display}) ------

    def post_note(self, conversation_id: str, text: str, *, key: str) -> str:
        return self._message(str(display_id_of(conversation_id)), key,
                             {"content": text, "private": True})

    def hand_off(self, conversation_id: str, team_id: int | None) -> None:
        display = display_id_of(conversation_id)
        if team_id is not None:
            self._assign_team(display, team_id)
        self._idempotent("toggle_status", display, {"status": "open"})

    def take_back(self, conversation_id: str) -> None:
        self._idempotent("toggle_status", display_id_of(conversation_id),
                         {"status": "pending"})

    # --- the wire -----------------------------------------------------------------------

    def _url(self, display: int | str, action: str) -> str:
        s = self.settings
        return f"{s.url}/api/v1/accounts/{s.account_id}/conversations/{display}/{action}"

    def _message(self, display: str, key: str, fields: dict[str, Any]) -> str:
        if not str(display).isdigit():
            raise ValueError(f"{display!r} is not a Chatwoot conversation id")
        body = {"message_type": "outgoing", "private": False, **fields}

        def post() -> str:
            data = self._post(self._url(display, "messages"), body, self.settings.bot_token,
                              idempotent=False)
            if not isinstance(data, dict) or "id" not in data:
                raise DeliveryUncertainError("Chatwoot answered without a message id")
            return str(data["id"])

        return self.once(key, lambda: with_retries(post, self.retry, self.sleep))

    def _assign_team(self, display: int, team_id: int) -> None:
        try:
            self._idempotent("assignments", display, {"team_id": team_id})
        except PermanentSendError as exc:
            if exc.status != 401 or not self.settings.api_token:
                raise
            self._idempotent("assignments", display, {"team_id": team_id},
                             token=self.settings.api_token)

    def _idempotent(self, action: str, display: int, body: dict[str, Any],
                    token: str | None = None) -> None:
        url, auth = self._url(display, action), token or self.settings.bot_token
        with_retries(lambda: self._post(url, body, auth, idempotent=True), self.retry,
                     self.sleep)

    def _post(self, url: str, body: dict[str, Any], token: str, *, idempotent: bool) -> Any:
        try:
            response = self.http.post(url, json=body, headers={"api_access_token": token},
                                      timeout=self.timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise Throttled(f"could not reach Chatwoot: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            if idempotent:
                raise Throttled(f"no answer from Chatwoot ({type(exc).__name__})") from exc
            raise DeliveryUncertainError(
                f"no answer from Chatwoot ({type(exc).__name__})") from exc
        status = response.status_code
        if response.is_success:
            try:
                return response.json() if response.content else None
            except ValueError:
                return None
        text = f"Chatwoot answered HTTP {status}: {_error_text(response)}"
        if status == 429:
            raise Throttled(text, status=status,
                            retry_after=retry_after_seconds(response.headers.get("retry-after")))
        if status >= 500:
            if idempotent:
                raise Throttled(text, status=status)
            raise DeliveryUncertainError(text, status=status)
        raise PermanentSendError(text, status=status)


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        for name in ("error", "message", "errors"):
            if data.get(name):
                return str(data[name])[:200]
    return str(data)[:200]
