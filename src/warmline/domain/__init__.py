"""The pure core: conversations, events, triggers, policy and decisions.

Standard library only (a test enforces it), so the rules can be reasoned about,
replayed and unit-tested without any I/O.
"""
