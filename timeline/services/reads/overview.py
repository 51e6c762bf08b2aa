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
from ..stance_changes import StanceChange, site_change_feed

LATEST_STATEMENTS = 6
LATEST_CHANGES = 5


@dataclass(frozen=True)
class LatestStatement:
    """One recent statement: the event, its speaker and its stances (stance, topic)."""

    event: Event
    actor: Actor
    stances: list[tuple[Any, Topic]]


@dataclass
class HomePage:
    """What is new (the latest statements by date, the latest stance changes), every actor with its
    number of statements and latest one, every topic with its number of stances."""

    latest: list[LatestStatement]
    changes: list[StanceChange]
    actors: list[tuple[Actor, int, Event | None]]
    topics: list[tuple[Topic, int]]


def home_page(session: Session) -> HomePage:
    """The home page: the newest statements by date, the newest stance changes, actors and topics."""
    events = list(queries.latest_statements(session, LATEST_STATEMENTS))
    actors = queries.actors_by_ids(session, {e.actor_id for e in events})
    stances = queries.stances_for_events(session, [e.id for e in events if e.id is not None])
    latest = [LatestStatement(e, actors[e.actor_id], stances.get(e.id or 0, [])) for e in events]
    changes = site_change_feed(session).changes[:LATEST_CHANGES] if events else []
    return HomePage(latest, changes, queries.actor_overview(session), queries.topic_overview(session))


def topic_index(session: Session) -> list[tuple[Topic, int]]:
    """Every topic with its number of stances (live statements), by name."""
    return queries.topic_overview(session)


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
