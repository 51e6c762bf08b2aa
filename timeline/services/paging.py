"""Pages of long listings: an actor's or a topic's statements, a fixed number per page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..integers import parse_int
from .errors import Invalid

T = TypeVar("T")
PAGE_SIZE = 25


@dataclass(frozen=True)
class Page:
    """Page `number` (from 1) of `total` items, `size` per page."""

    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_item(self) -> int:
        """The 1-based position of the page's first item (0 when there is none)."""
        return min(self.total, (self.number - 1) * self.size + 1)

    @property
    def last_item(self) -> int:
        return min(self.total, self.number * self.size)

    def of(self, items: Sequence[T]) -> Sequence[T]:
        return items[(self.number - 1) * self.size : self.number * self.size]


def page(raw: str | None, total: int, size: int = PAGE_SIZE) -> Page:
    """The page asked for (`?page=`, default 1); Invalid naming "page" when there is no such page."""
    pages = Page(1, total, size).count
    text = (raw or "").strip()
    if not text:
        return Page(1, total, size)
    number = parse_int(text, minimum=1, maximum=pages)
    if number is None:
        raise Invalid({"page": f"use a page number from 1 to {pages}"})
    return Page(number, total, size)
