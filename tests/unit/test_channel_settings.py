"""Channel settings: read from the environment, validated, and never shown."""

from __future__ import annotations

import pytest

from warmline.adapters.channels.chatwoot import ChatwootSettings
from warmline.adapters.channels.webchat import WebchatSettings
from warmline.adapters.channels.whatsapp import WhatsAppSettings
from warmline.config import Config

SECRETS = {
    "WARMLINE_WHATSAPP_APP_SECRET": "app-secret-1", "WARMLINE_WHATSAPP_VERIFY_TOKEN": "verify-2",
    "WARMLINE_WHATSAPP_ACCESS_TOKEN": "access-3", "WARMLINE_CHATWOOT_BOT_TOKEN": "bot-4",
    "WARMLINE_CHATWOOT_API_TOKEN": "user-5", "WARMLINE_CHATWOOT_WEBHOOK_SECRET": "hook-6",
    "WARMLINE_CHATWOOT_WEBHOOK_TOKEN": "url-7", "WARMLINE_WEBCHAT_SECRET": "web-8",
}


def test_channel_settings_come_from_the_environment() -> None:
    config = Config.from_env({**SECRETS, "WARMLINE_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
                              "WARMLINE_CHATWOOT_URL": "https://chat.example/",
                              "WARMLINE_CHATWOOT_ACCOUNT_ID": "3",
                              "WARMLINE_WEBCHAT_ORIGINS": "https://shop.example, https://b.example/"})
    wa = WhatsAppSettings.from_config(config)
    assert (wa.app_secret, wa.phone_number_id) == ("app-secret-1", "106540352242922")
    assert wa.api_url == "https://graph.facebook.com/v23.0"
    cw = ChatwootSettings.from_config(config)
    assert (cw.url, cw.account_id, cw.bot_token) == ("https://chat.example", "3", "bot-4")
    web = WebchatSettings.from_config(config)
    assert web.origins == ("https://shop.example", "https://b.example")


def test_no_secret_appears_in_the_repr_of_the_config_or_the_channel_settings() -> None:
    config = Config.from_env(SECRETS)
    shown = " ".join(repr(x) for x in (
        config, WhatsAppSettings.from_config(config), ChatwootSettings.from_config(config),
        WebchatSettings.from_config(config)))
    for secret in SECRETS.values():
        assert secret not in shown


@pytest.mark.parametrize(("env", "name"), [
    ({"WARMLINE_CHATWOOT_URL": "chat.example"}, "WARMLINE_CHATWOOT_URL"),
    ({"WARMLINE_WHATSAPP_API_URL": "graph.facebook.com"}, "WARMLINE_WHATSAPP_API_URL"),
    ({"WARMLINE_CHATWOOT_ACCOUNT_ID": "acme"}, "WARMLINE_CHATWOOT_ACCOUNT_ID"),
])
def test_a_bad_channel_setting_is_named(env: dict[str, str], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Config.from_env(env)
