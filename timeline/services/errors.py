"""Domain errors the web layer and the CLI map to statuses and messages."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(DomainError):
    """A named record does not exist."""


class Invalid(DomainError):
    """Input was rejected; `fields` maps each field path to its message."""

    def __init__(self, fields: dict[str, str], message: str = "The input is not valid.") -> None:
        super().__init__(message)
        self.fields = fields
        self.message = message


class Conflict(DomainError):
    """Someone else changed the record since it was read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StorageError(DomainError):
    """The database cannot take writes (read-only file, full disk...): the message names path and reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseBusy(DomainError):
    """Another write held the database past the wait: nothing was stored; try again shortly (503)."""

    retry_after = 5  # seconds, sent as Retry-After

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
