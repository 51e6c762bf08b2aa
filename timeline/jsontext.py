"""Strict JSON text: duplicate keys, NaN/Infinity and deep nesting are refused with a reason."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class JsonTextError(ValueError):
    """The text is not JSON this service accepts; the message says why."""


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


def loads_strict(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON, refusing duplicate keys, NaN/Infinity and nesting deeper than max_depth."""
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except RecursionError as exc:
        raise JsonTextError(f"the JSON is nested deeper than {max_depth} levels") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonTextError(f"not valid JSON: {exc}") from exc
    if _depth(value) > max_depth:
        raise JsonTextError(f"the JSON is nested deeper than {max_depth} levels")
    return value
