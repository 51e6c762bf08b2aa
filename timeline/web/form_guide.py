"""What forms say to people: field labels (shared with the history page) and validation errors in words."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wtforms import Field, Form
from wtforms.fields import FieldList, FormField

from ..dates import InvalidDate, parse_date

# One label per record field: the event form and the history page both read them.
LABELS: dict[str, str] = {
    "uid": "Id",
    "actor": "Actor",
    "kind": "Kind",
    "title": "Title",
    "date": "Date",
    "date_basis": "Date basis",
    "quote": "Quote",
    "summary": "Summary",
    "location": "Location",
    "speaker_role": "Speaker's role",
    "source.title": "Source title",
    "source.url": "Source URL",
    "source.publisher": "Publisher",
    "source.author": "Author",
    "source.published": "Source published",
    "source.archive_url": "Archived copy",
    "confidence": "Confidence",
    "stances": "Stances",
    "deleted": "Deleted",
    "slug": "Slug",
    "name": "Name",
    "role": "Role or title",
    "country": "Country",
    "parent": "Part of",
    "aliases": "Other names",
    "description": "Description",
}
REQUIRED_EVENT_FIELDS = ("actor", "kind", "date", "title")
DATE_EXAMPLE = "Enter a date such as 2021-02-03, 2021-02 or 2021"
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})[~?%]?", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-\d{2})?[~?%]?", re.ASCII)
_CHOSEN = {"actor", "kind", "confidence", "parent", "topic", "score"}


def label(path: str) -> str:
    """The label of a record field ("date_basis" → "Date basis"); unknown keys read as words."""
    if path in LABELS:
        return LABELS[path]
    return path.replace(".", " ").replace("_", " ").capitalize()


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_message(value: str, raw: str) -> str:
    """A date error in words: the impossible day or month named, else an example of what is accepted."""
    text = (value or "").strip()
    for part in text.split("/"):
        day = _DAY.fullmatch(part)
        if day:
            year, month, number = (int(g) for g in day.groups())
            if 1 <= month <= 12 and number > calendar.monthrange(year, month)[1]:
                return f"{calendar.month_name[month]} {year} has no {_ordinal(number)} day"
        month_match = _MONTH.fullmatch(part)
        if (
            month_match
            and not 1 <= int(month_match.group(2)) <= 12
            and not 21 <= int(month_match.group(2)) <= 41
        ):
            return f"There is no month {month_match.group(2)}: months run from 01 to 12"
    if "ends before it starts" in raw or "year must be between" in raw or "ends after the year" in raw:
        return raw
    return f"{DATE_EXAMPLE} (or a span: 2020-11/2020-12, ../2021-01-20 for on or before)"


def human_message(name: str, raw: str, value: Any) -> str:
    """A validation message for a person: "Enter a title", not "String should have at least 1 character"."""
    key = name.split("-")[-1]  # stances-0-topic → topic
    if key.startswith("source_"):
        key = "source." + key.removeprefix("source_")
    key = key.removeprefix("new_actor_")
    empty = value is None or (isinstance(value, str) and not value.strip())
    words = label(key).lower()
    if key in ("date", "source.published"):
        return DATE_EXAMPLE if empty else date_message(str(value), raw)
    if key in ("source.url", "source.archive_url"):
        return "Enter a web address that starts with http:// or https://"
    if empty and key in _CHOSEN:
        if key == "topic":
            return "Choose the topic this score is about"
        if key == "score":
            return "Choose a score from −2 (strongly against) to +2 (strongly for)"
        return f"Choose {'an' if words[:1] in 'aeiou' else 'a'} {words}"
    if empty and "already" not in raw:
        if key == "slug":
            return "Enter a slug: lowercase letters a-z, digits and hyphens, e.g. vladimir-putin"
        return f"Enter {'an' if words[:1] in 'aeiou' else 'a'} {words}"
    if key == "slug" and "lowercase" in raw:
        return "Use lowercase letters a-z, digits and single hyphens in a slug, e.g. vladimir-putin"
    if raw.startswith("Input should be"):
        return f"Choose {'an' if words[:1] in 'aeiou' else 'a'} {words} from the list"
    if "at most" in raw and "character" in raw:
        return f"The {words} is too long: {raw.replace('String should have ', '')}"
    return raw[:1].upper() + raw[1:]


@dataclass(frozen=True)
class FieldError:
    """One entry of the error summary: the field's id (the link target), its label and its message."""

    id: str
    label: str
    message: str


def _leaves(form: Form) -> Iterator[Field]:
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                if isinstance(entry, FormField):
                    yield from _leaves(entry.form)
                else:
                    yield entry
        elif isinstance(field, FormField):
            yield from _leaves(field.form)
        else:
            yield field


def error_summary(form: Form) -> list[FieldError]:
    """Every field error in the order the fields appear, for the summary at the top of the form."""
    found = []
    for field in _leaves(form):
        for message in field.errors or []:
            found.append(FieldError(field.id, str(field.label.text), str(message)))
    return found


def humanise_errors(form: Form) -> None:
    """Rewrite each field's errors as human messages, keeping one message per field."""
    for field in _leaves(form):
        if field.errors:
            field.errors = [human_message(field.name, str(field.errors[0]), field.data)]


@dataclass(frozen=True)
class DatePreview:
    """How a typed date will read: "2021-02 → February 2021", or why it cannot be read."""

    text: str
    valid: bool
    display: str | None
    message: str | None

    @property
    def sentence(self) -> str:
        return f"{self.text} → {self.display}" if self.valid else str(self.message)


def date_preview(text: str | None) -> DatePreview | None:
    """The preview of a typed date with the service's own parser; None when nothing was typed."""
    typed = (text or "").strip()
    if not typed:
        return None
    try:
        parsed = parse_date(typed)
    except InvalidDate as exc:
        return DatePreview(typed, False, None, date_message(typed, str(exc)))
    return DatePreview(typed, True, parsed.display, None)
