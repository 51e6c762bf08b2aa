"""Paging, once: how many pages a listing has, which page a query string asks for, and a page's items.

Every listing (actor and topic pages, search, the API) reads `?page=` (and the API `?per_page=`) with
page_number/per_page_number, and counts pages with page_count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..integers import parse_int
from .errors import InvalidFilter

T = TypeVar("T")
PAGE_SIZE = 25
MAX_PAGE = 1_000_000  # past any listing: a page number beyond it is refused, not looked for


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill at `size` per page (1 when there are none: an empty page)."""
    return max(1, -(-total // size))


def page_number(raw: str | None, last: int = MAX_PAGE, *, field: str = "page") -> int:
    """The page a query string asks for: 1 when absent or empty, else ASCII digits from 1 to `last`;
    InvalidFilter naming `field` otherwise."""
    return _number(raw, 1, last, field, "use a page number from 1{upto} (a whole number, digits 0-9)")


def per_page_number(raw: str | None, default: int, maximum: int, *, field: str = "per_page") -> int:
    """How many items per page a query string asks for: `default` when absent, else 1 to `maximum`."""
    return _number(raw, default, maximum, field, "a whole number from 1{upto} (digits 0-9)")


def _number(raw: str | None, default: int, maximum: int, field: str, message: str) -> int:
    text = (raw or "").strip()
    if not text:
        return default
    number = parse_int(text, minimum=1, maximum=maximum)
    if number is None:
        upto = f" to {maximum}" if maximum < MAX_PAGE else ""
        raise InvalidFilter({field: message.format(upto=upto)})
    return number


@dataclass(frozen=True)
class Page:
    """Page `number` (from 1) of `total` items, `size` per page."""

    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def count(self) -> int:
        return page_count(self.total, self.size)

    @property
    def first_item(self) -> int:
        """The 1-based position of the page's first item (0 when there is none)."""
        return min(self.total, (self.number - 1) * self.size + 1)

    @property
    def last_item(self) -> int:
        return min(self.total, self.number * self.size)

    @property
    def offset(self) -> int:
        """How many items come before the page's first."""
        return (self.number - 1) * self.size

    def of(self, items: Sequence[T]) -> Sequence[T]:
        return items[self.offset : self.offset + self.size]


def page(raw: str | None, total: int, size: int = PAGE_SIZE) -> Page:
    """The page asked for (`?page=`, default 1); InvalidFilter naming "page" when there is no such page."""
    return Page(page_number(raw, page_count(total, size)), total, size)
