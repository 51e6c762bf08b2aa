"""Strict JSON request bodies: content type, size, duplicate keys, NaN and nesting all checked."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ..jsontext import MAX_DEPTH, JsonTextError, loads_strict

__all__ = ["MAX_DEPTH", "BodyError", "json_body", "parse_json"]


class BodyError(Exception):
    """A request body that cannot be accepted; carries the HTTP status and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text strictly, raising BodyError(400) with a readable reason."""
    try:
        return loads_strict(text)
    except JsonTextError as exc:
        reason = str(exc)
        if reason.startswith("not valid JSON"):
            reason = "The body is " + reason
        else:
            reason = reason[0].upper() + reason[1:]
        raise BodyError(400, "malformed_json", reason + ".") from exc


def json_body() -> Any:
    """The request's JSON body, or BodyError (415 wrong type, 413 too large, 400 malformed)."""
    if request.mimetype != "application/json":
        raise BodyError(415, "unsupported_media_type", "Send the body as application/json.")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise BodyError(413, "too_large", f"The body is larger than {limit} bytes.")
    return parse_json(request.get_data(cache=False))
