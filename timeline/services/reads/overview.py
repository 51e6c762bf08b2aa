"""Pages over the whole dataset: the home page and the stance matrix as of a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from ... import queries
from ...models import Actor, Event, Topic
from ..errors import Invalid
from ..matrix import Matrix, as_of_matrix, parse_day


@dataclass
class HomePage:
    """Every actor with its number of statements and latest one; every topic with its number."""

    actors: list[tuple[Actor, int, Event | None]]
    topics: list[tuple[Topic, int]]


def home_page(session: Session) -> HomePage:
    """The home page's overview of actors and topics."""
    return HomePage(queries.actor_overview(session), queries.topic_overview(session))


@dataclass
class MatrixPage:
    """Where every speaker stood on every topic as of a day (None while a day is bad)."""

    matrix: Matrix | None
    errors: dict[str, str] = field(default_factory=dict)  # by parameter: answered with 400

    def as_dict(self) -> dict[str, Any]:
        """The JSON twin (matrix.json); Invalid when a day is bad."""
        return self.valid().as_dict()

    def valid(self) -> Matrix:
        """The matrix, or Invalid naming the bad days."""
        if self.matrix is None:
            raise Invalid(dict(self.errors), "Invalid date.")
        return self.matrix


def matrix_page(
    session: Session, as_of: str = "", compare: str = "", *, today: date | None = None
) -> MatrixPage:
    """The matrix as of `as_of` (default today), compared with `compare` when given (ISO or EDTF days)."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, text, default in (("as_of", as_of, today or date.today()), ("compare", compare, None)):
        try:
            days[name] = parse_day(name, text, default)
        except Invalid as exc:
            errors.update(exc.fields)
    day = days.get("as_of")
    if errors or day is None:
        return MatrixPage(None, errors)
    return MatrixPage(as_of_matrix(session, day, days.get("compare")))
