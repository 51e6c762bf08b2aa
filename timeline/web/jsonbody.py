"""Strict JSON request bodies: content type, size, duplicate keys, NaN and nesting all checked."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request

MAX_DEPTH = 32


class BodyError(Exception):
    """A request body that cannot be accepted; carries the HTTP status and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key “{key}” appears twice in one object")
        result[key] = value
    return result


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def parse_json(text: str | bytes) -> Any:
    """Parse JSON text strictly, raising BodyError(400) with a readable reason."""
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except RecursionError as exc:
        raise BodyError(400, "malformed_json", f"The JSON is nested deeper than {MAX_DEPTH} levels.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BodyError(400, "malformed_json", f"The body is not valid JSON: {exc}") from exc
    if _depth(value) > MAX_DEPTH:
        raise BodyError(400, "malformed_json", f"The JSON is nested deeper than {MAX_DEPTH} levels.")
    return value


def json_body() -> Any:
    """The request's JSON body, or BodyError (415 wrong type, 413 too large, 400 malformed)."""
    if request.mimetype != "application/json":
        raise BodyError(415, "unsupported_media_type", "Send the body as application/json.")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise BodyError(413, "too_large", f"The body is larger than {limit} bytes.")
    return parse_json(request.get_data(cache=False))
