"""The one integer parser for request data: ASCII digits only.

`str.isdigit()` and `int()` accept far more than 0-9: superscripts ("²" passes isdigit, then int
fails), other scripts' digits ("١" is 1), "_" separators, signs and spaces. Every number read from a
URL, a query string, a header or a form goes through `parse_int` instead.
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
_UNSIGNED = re.compile(r"[0-9]{1,100}")
_SIGNED = re.compile(r"-?[0-9]{1,100}")


def parse_int(
    text: str | None, *, minimum: int | None = None, maximum: int | None = None, signed: bool = False
) -> int | None:
    """The integer `text` writes in ASCII digits ("-" first if `signed`) within the bounds, else None."""
    if text is None or not (_SIGNED if signed else _UNSIGNED).fullmatch(text):
        return None
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value


def parse_id(text: str | None) -> int | None:
    """A record id from request data (path, query string, form): 1 to MAX_ID in ASCII digits, else None."""
    return parse_int(text, minimum=1, maximum=MAX_ID)
