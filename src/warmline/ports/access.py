"""People, API tokens and console sessions (docs/security.md)."""

from __future__ import annotations

from typing import Protocol

from warmline.domain.access import ApiToken, User, WebSession


class AccessStore(Protocol):
    """People, machines' tokens and browser sessions (hashes only, never secrets).

    Not part of the unit of work: access changes are not conversation events and are
    written by the access service (service/access.py), each call its own transaction.
    """

    def user(self, name: str) -> User | None: ...

    def users(self) -> list[User]: ...

    def save_user(self, user: User) -> None:
        """Insert or replace by name."""
        ...

    def token_by_hash(self, token_hash: str) -> ApiToken | None: ...

    def tokens(self) -> list[ApiToken]: ...

    def add_token(self, token: ApiToken) -> None: ...

    def revoke_token(self, token_id: str) -> bool:
        """Mark the token revoked; False when no such token."""
        ...

    def session(self, token_hash: str) -> WebSession | None: ...

    def add_session(self, session: WebSession) -> None: ...

    def end_session(self, token_hash: str) -> None: ...

    def end_sessions_of(self, user_name: str) -> int:
        """End every session of a person (password change, disabled); how many ended."""
        ...
