"""What actors and topics share: rows named by a slug no other row of the kind has, a revision for every
change, and deletion only while nothing refers to the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from ..models import Actor, Topic
from . import revisions
from .errors import Conflict, Invalid, NotFound

Row = TypeVar("Row", Actor, Topic)


@dataclass(frozen=True)
class Catalogue(Generic[Row]):
    """One kind of slug-named row (actors, topics): how to find one, snapshot it and tell it is in use."""

    noun: str  # "actor", "topic": in messages
    by_slug: Callable[[Session, str], Row | None]
    snapshot: Callable[[Session, Row], dict[str, Any]]  # the record kept in revisions
    in_use: Callable[[Session, int], bool]
    in_use_message: str  # why a row in use cannot be deleted; {slug} is the row's slug

    def get(self, session: Session, slug: str) -> Row:
        """The row with this slug, or NotFound."""
        row = self.by_slug(session, slug)
        if row is None:
            raise NotFound(f"No {self.noun} with the slug “{slug}”.")
        return row

    def claim_slug(self, session: Session, slug: str, *, current: str | None = None) -> None:
        """Invalid (on the field "slug") when another row of the kind has `slug`; `current`: the row's own."""
        if slug != current and self.by_slug(session, slug) is not None:
            raise Invalid({"slug": f"the slug “{slug}” is already taken"})

    def add(self, session: Session, row: Row, user_id: int | None) -> Row:
        """Store a new row with a "create" revision."""
        session.add(row)
        session.flush()
        assert row.id is not None
        revisions.log(session, row, "create", after=self.snapshot(session, row), by=user_id)
        return row

    def change(self, session: Session, row: Row, values: dict[str, Any], user_id: int | None) -> Row:
        """Set the row's columns; an "update" revision when its record changed."""
        before = self.snapshot(session, row)
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        after = self.snapshot(session, row)
        if after != before:
            revisions.log(session, row, "update", before=before, after=after, by=user_id)
        return row

    def delete(self, session: Session, slug: str, user_id: int | None) -> None:
        """Delete the row for good (a "purge" revision keeps it); Conflict while anything refers to it."""
        row = self.get(session, slug)
        assert row.id is not None
        if self.in_use(session, row.id):
            raise Conflict(self.in_use_message.format(slug=slug))
        revisions.purge(session, row, self.snapshot(session, row), user_id)
