"""The in-memory twin of a channel: records what would have been sent, for service tests.

It keeps the ports' promises that callers rely on: a key sends at most once, a windowed
channel refuses free-form text outside the 24-hour window (WindowClosedError), and the
helpdesk calls are remembered in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from warmline.adapters.channels.base import MemorySentLog, SendOnce
from warmline.domain.seam.channels import Address, Button, Template, WindowClosedError


@dataclass(frozen=True)
class Sent:
    kind: str  # text | buttons | template | note | hand_off | take_back
    to: str
    text: str = ""
    buttons: tuple[Button, ...] = ()
    template: Template | None = None
    team_id: int | None = None
    message_id: str = ""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MemoryChannel:
    """OutboundChannel and Helpdesk twin; `windowed=True` behaves like WhatsApp."""

    def __init__(self, channel: str = "memory", *, windowed: bool = False,
                 now: Callable[[], datetime] = _utcnow) -> None:
        self._channel = channel
        self.windowed = windowed
        self.now = now
        self.sent: list[Sent] = []
        self.once = SendOnce(MemorySentLog())

    @property
    def channel(self) -> str:
        return self._channel

    def send_text(self, to: Address, text: str, *, key: str) -> str:
        self._check_window(to)
        return self._record(key, Sent("text", to.contact_id, text))

    def send_buttons(self, to: Address, text: str, buttons: Sequence[Button], *,
                     key: str) -> str:
        self._check_window(to)
        return self._record(key, Sent("buttons", to.contact_id, text, tuple(buttons)))

    def send_template(self, to: Address, template: Template, *, key: str) -> str:
        return self._record(key, Sent("template", to.contact_id, template=template))

    def post_note(self, conversation_id: str, text: str, *, key: str) -> str:
        return self._record(key, Sent("note", conversation_id, text))

    def hand_off(self, conversation_id: str, team_id: int | None) -> None:
        self.sent.append(Sent("hand_off", conversation_id, team_id=team_id))

    def take_back(self, conversation_id: str) -> None:
        self.sent.append(Sent("take_back", conversation_id))

    def _check_window(self, to: Address) -> None:
        if self.windowed and to.last_inbound_at is not None and not to.window_open(self.now()):
            raise WindowClosedError("outside the 24-hour window: send a template",
                                    code=131047)

    def _record(self, key: str, sent: Sent) -> str:
        def send() -> str:
            message_id = f"{self._channel}.{len(self.sent) + 1}"
            self.sent.append(Sent(sent.kind, sent.to, sent.text, sent.buttons, sent.template,
                                  sent.team_id, message_id))
            return message_id

        return self.once(key, send)
