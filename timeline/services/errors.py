"""Domain errors: one class per failure, each with its HTTP status and stable code (web/errors.py maps them,
the CLI prints them as one line).

Status and code, by class (the JSON error is {"error": {"code", "message", "fields"}}):
  NotFound       404 not_found       a named record does not exist
  Invalid        422 invalid         a request body or a command's input was rejected, field by field
  InvalidFilter  400 invalid_filter  a query-string parameter (filter, page, cursor...) was rejected
  Conflict       409 conflict        the record's state forbids it (changed meanwhile, in use, not deleted)
Why two for bad input: a query string is the address of a listing (400, as HTML pages answer a bad filter);
a body is a document the server understood but refuses (422). Every page, JSON twin and API route agrees.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import DomainError

__all__ = ["Conflict", "DomainError", "Invalid", "InvalidFilter", "NotFound"]


class NotFound(DomainError):
    """A named record does not exist."""

    status = 404
    code = "not_found"


class Invalid(DomainError):
    """Input was rejected; `fields` maps each field path to its message."""

    status = 422
    code = "invalid"

    def __init__(self, fields: Mapping[str, str], message: str = "The input is not valid.") -> None:
        super().__init__(message, fields)


class InvalidFilter(Invalid):
    """A listing's query-string parameters (filters, page, cursor, limit) were rejected, each named."""

    status = 400
    code = "invalid_filter"

    def __init__(self, fields: Mapping[str, str], message: str = "Invalid filter.") -> None:
        super().__init__(fields, message)


class Conflict(DomainError):
    """The record's current state forbids the change: someone changed it since it was read, it is still in
    use (an actor with events or members, a topic with stances), or it is not deleted yet (a purge)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str) -> None:
        super().__init__(message)
