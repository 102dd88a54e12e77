"""Warmline: clean AI-to-human escalation for commerce customer support."""

__version__ = "0.1.0"
