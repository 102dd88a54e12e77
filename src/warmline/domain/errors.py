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


class HandoffNotFound(DomainError):
    """The command names a handoff that does not exist (HTTP 404)."""


class AgentNotFound(DomainError):
    """The command names a person who does not exist (HTTP 404)."""


class HandoffConflict(DomainError):
    """The handoff or the person is not in a state the command needs (HTTP 409)."""


class UnknownTarget(DomainError):
    """A transfer names a queue the policy does not have (HTTP 422); `field` says which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
