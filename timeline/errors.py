"""The base of every error raised on purpose, and the database's own: below the services, so db.py needs no
service. The domain failures (NotFound, Invalid, Conflict...) are in timeline/services/errors.py."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """An error raised on purpose: its HTTP `status`, a stable `code` clients may test, a message for people
    and `fields` (field path -> message) when it is about input. web/errors.py maps every one of them."""

    status = 400
    code = "error"

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class StorageError(DomainError):
    """The database cannot take writes (read-only file, full disk...): the message names path and reason."""

    status = 503
    code = "storage_unavailable"


class DatabaseBusy(DomainError):
    """Another write held the database past the wait: nothing was stored; try again shortly."""

    status = 503
    code = "database_busy"
    retry_after = 5  # seconds, sent as Retry-After
