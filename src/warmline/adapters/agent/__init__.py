"""Agents Warmline runs itself: the reference agent (KB + record, no model) and an
optional LLM drafter on any OpenAI-compatible endpoint that falls back to it."""
