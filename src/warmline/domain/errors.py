"""Domain errors: each names what was wrong so callers can report it precisely."""


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class PolicyError(DomainError):
    """A policy document is invalid; `key` is the dotted path of the offending entry."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


class ConversationClosed(DomainError):
    """A command does not apply to the conversation's current mode."""


class ConversationNotFound(DomainError):
    """The command names a conversation that has no events."""
