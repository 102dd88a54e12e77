"""The web chat: Warmline's own channel, a widget on the brand's site (one script tag).

There is no platform in between, so Warmline keeps the thread's feed itself: every line
the customer sees (their own messages, the brand's replies, buttons) is an item in the
session's feed, numbered so the widget asks "what came after n?" (polling) or listens
for it (server-sent events). A session is an unguessable id plus a token signed with
WARMLINE_WEBCHAT_SECRET, so one visitor cannot read or write another visitor's thread.

The feed is a port (`warmline.ports.WebchatFeed`) with two twins in
adapters/storage/feeds.py: `SqlWebchatFeed` (the `webchat_feed` table) shares it between
every `warmline serve` worker; `MemoryWebchatFeed` is its in-process twin.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from warmline.adapters.channels.base import MemorySentLog, SendOnce, hmac_sha256_hex, same_secret
from warmline.config import Config
from warmline.domain.seam.channels import (
    WEBCHAT,
    Address,
    Button,
    PermanentSendError,
    Template,
    webchat_conversation_id,
)
from warmline.ports import SentLog, WebchatFeed

__all__ = ["CHANNEL", "Sessions", "WebchatChannel", "WebchatSettings", "conversation_id_for"]

CHANNEL = WEBCHAT


def conversation_id_for(session_id: str) -> str:
    return webchat_conversation_id(session_id)


@dataclass(frozen=True)
class WebchatSettings:
    secret: str = field(default="", repr=False)
    origins: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> WebchatSettings:
        origins = tuple(o.strip().rstrip("/") for o in config.webchat_origins.split(",")
                        if o.strip())
        return cls(secret=config.webchat_secret, origins=origins)


class Sessions:
    """Issues and checks session tokens: token = HMAC(secret, session id)."""

    def __init__(self, secret: str = "") -> None:
        self._secret = secret or secrets.token_hex(32)  # per process when unset

    def new(self) -> tuple[str, str]:
        session_id = secrets.token_hex(12)  # hex: safe in a conversation id and a URL
        return session_id, self.token_for(session_id)

    def token_for(self, session_id: str) -> str:
        return hmac_sha256_hex(self._secret, session_id.encode())

    def valid(self, session_id: str, token: str | None) -> bool:
        return bool(token) and same_secret(token or "", self.token_for(session_id))


class WebchatChannel:
    """The OutboundChannel port for the web chat: sending is appending to the feed."""

    def __init__(self, feed: WebchatFeed, log: SentLog | None = None) -> None:
        self.feed = feed
        self.once = SendOnce(log or MemorySentLog())

    @property
    def channel(self) -> str:
        return CHANNEL

    def send_text(self, to: Address, text: str, *, key: str) -> str:
        return self.post(to, text, key=key)

    def send_buttons(self, to: Address, text: str, buttons: Sequence[Button], *,
                     key: str) -> str:
        return self.post(to, text, key=key, buttons=buttons)

    def send_template(self, to: Address, template: Template, *, key: str) -> str:
        """The web has no window and no templates: the parameters are the text."""
        return self.post(to, " ".join(template.parameters) or template.name, key=key)

    def post(self, to: Address, text: str, *, key: str, buttons: Sequence[Button] = (),
             author: str | None = None, role: str = "brand") -> str:
        """Append to the session's feed once per key; `author` names a human if wanted."""
        if not self.feed.exists(to.contact_id):
            raise PermanentSendError(f"no web chat session {to.contact_id!r}")
        return self.once(key, lambda: self.feed.append(
            to.contact_id, role, text, buttons=buttons, author=author).id)
