"""The extractor's inputs (what the service knows) and outputs (candidates), as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class KnownActor:
    slug: str
    name: str
    kind: str
    role: str | None = None
    country: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownTopic:
    slug: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class Published:
    """The publication date: one day, or a window [earliest, latest] when only that is known."""

    earliest: date
    latest: date
    edtf: str


@dataclass
class Speaker:
    name: str
    actor: str | None
    evidence: str
    role: str | None = None
    person: bool = False
    antecedent: bool = False  # found through a pronoun or a continuation: dates may come from there


@dataclass
class StanceSuggestion:
    topic: str
    score: int | None
    reason: str


@dataclass
class Candidate:
    quote: str
    start: int
    end: int
    speaker: Speaker
    speaker_role: str | None
    date: str
    date_basis: str
    stances: list[StanceSuggestion] = field(default_factory=list)
    recorded_event: str | None = None  # uid of an event that already holds this quote from this source
    recorded_id: int | None = None


@dataclass
class Extraction:
    text: str
    published: Published
    candidates: list[Candidate]
    source: dict[str, str | None] = field(default_factory=dict)
