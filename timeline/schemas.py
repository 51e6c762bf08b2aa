"""Input models: every write (form, import, CLI) is validated here before a row is built."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import SQLModel

from .dates import InvalidDate, ParsedDate, parse_date
from .models import ActorKind, Confidence, EventKind

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
_ALLOWED_CONTROLS = {"\n", "\t"}


def _clean_text(value: Any, *, multiline: bool) -> Any:
    """Reject control characters; keep every other character exactly as given."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n") if multiline else value.strip()
    for ch in value:
        if unicodedata.category(ch) == "Cc" and not (multiline and ch in _ALLOWED_CONTROLS):
            raise ValueError(f"contains a control character (U+{ord(ch):04X}), which is not allowed")
    return value


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def check_http_url(value: str | None) -> str | None:
    """The URL if it is an http(s) address, else ValueError."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError("must be an http:// or https:// address")
    return value


def _check_slug(value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise ValueError("use lowercase letters a-z, digits and single hyphens (e.g. vladimir-putin)")
    return value


def _check_date(value: str) -> str:
    try:
        parse_date(value)
    except InvalidDate as exc:
        raise ValueError(str(exc)) from exc
    return value


Line = Annotated[str, BeforeValidator(lambda v: _clean_text(v, multiline=False))]
OptLine = Annotated[str | None, BeforeValidator(lambda v: _empty_to_none(_clean_text(v, multiline=False)))]
OptText = Annotated[str | None, BeforeValidator(lambda v: _empty_to_none(_clean_text(v, multiline=True)))]
Slug = Annotated[str, BeforeValidator(lambda v: _clean_text(v, multiline=False)), AfterValidator(_check_slug)]
EdtfDate = Annotated[Line, AfterValidator(_check_date)]


class _Strict(SQLModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10000)  # type: ignore[assignment]


class ActorIn(_Strict):
    slug: Slug = Field(max_length=80)
    name: Line = Field(min_length=1, max_length=200)
    kind: ActorKind
    role: OptLine = Field(default=None, max_length=200)
    country: OptLine = Field(default=None, max_length=100)
    parent: Slug | None = None
    aliases: list[Line] = Field(default_factory=list, max_length=50)
    description: OptText = Field(default=None, max_length=5000)

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        if any(not a or len(a) > 200 for a in value):
            raise ValueError("each alias must have 1 to 200 characters")
        return value


class TopicIn(_Strict):
    slug: Slug = Field(max_length=80)
    name: Line = Field(min_length=1, max_length=200)
    description: OptText = Field(default=None, max_length=5000)


class SourceIn(_Strict):
    title: OptLine = Field(default=None, max_length=500)
    url: Annotated[OptLine, AfterValidator(check_http_url)] = Field(default=None, max_length=2000)
    publisher: OptLine = Field(default=None, max_length=200)
    author: OptLine = Field(default=None, max_length=200)
    published: Annotated[OptLine, AfterValidator(lambda v: v if v is None else _check_date(v))] = None
    archive_url: Annotated[OptLine, AfterValidator(check_http_url)] = Field(default=None, max_length=2000)


class StanceIn(_Strict):
    topic: Slug = Field(max_length=80)
    score: int = Field(ge=-2, le=2, strict=True)
    rationale: OptText = Field(default=None, max_length=2000)


class EventIn(_Strict):
    uid: Slug | None = Field(default=None, max_length=80)
    actor: Slug = Field(max_length=80)
    kind: EventKind
    title: Line = Field(min_length=1, max_length=300)
    date: EdtfDate
    date_basis: OptText = Field(default=None, max_length=2000)
    quote: OptText = Field(default=None, max_length=10000)
    summary: OptText = Field(default=None, max_length=10000)
    location: OptLine = Field(default=None, max_length=200)
    speaker_role: OptLine = Field(default=None, max_length=200)
    source: SourceIn = Field(default_factory=SourceIn)
    confidence: Confidence = Confidence.medium
    stances: list[StanceIn] = Field(default_factory=list, max_length=20)
    # Export-only fields, accepted so an export can be imported as it is; bounds are recomputed.
    date_earliest: str | None = None
    date_latest: str | None = None
    date_display: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @field_validator("stances")
    @classmethod
    def _one_stance_per_topic(cls, value: list[StanceIn]) -> list[StanceIn]:
        topics = [s.topic for s in value]
        if len(topics) != len(set(topics)):
            raise ValueError("each topic may appear only once")
        return value

    @field_validator("created_at", "updated_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        # Timestamps are stored as UTC without an offset (SQLite drops it): 12:00+02:00 is kept as 10:00.
        if value is None or value.tzinfo is None:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+14:00 is a day before the calendar starts
            raise ValueError("is outside the years 1 to 9999 once converted to UTC") from None

    @property
    def parsed_date(self) -> ParsedDate:
        return parse_date(self.date)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as {"stances.0.score": "message"}, one message per field."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "__root__"
        msg = err["msg"].removeprefix("Value error, ")
        errors.setdefault(loc, msg)
    return errors
