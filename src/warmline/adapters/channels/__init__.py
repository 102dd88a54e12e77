"""Channel adapters: WhatsApp Cloud API, Chatwoot (as an Agent Bot) and the web chat."""
