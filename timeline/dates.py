"""The one date parser: EDTF strings to sortable bounds and human display text."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from edtf import parse_edtf, struct_time_to_date

ACCEPTED = (
    "an EDTF date: a year (2020), a month (2020-12), a day (2020-12-20), "
    "approximate or uncertain (2019-05~, 2020?), or an interval (2020-11/2020-12)"
)
MIN_YEAR, MAX_YEAR = 1, 9999
_QUALIFIERS = "~?%"
_MONTHS = [calendar.month_name[m] for m in range(13)]
_SEASONS = {"21": "Spring", "22": "Summer", "23": "Autumn", "24": "Winter"}
_LEVEL1_ENDPOINT = re.compile(r"\d{4}(-(\d{2}|XX)(-(\d{2}|XX))?)?[~?%]?", re.ASCII)
_SEASON = re.compile(r"\d{4}-2[1-4][~?%]?", re.ASCII)


class InvalidDate(ValueError):
    """The text is not an EDTF date this service accepts."""


@dataclass(frozen=True)
class ParsedDate:
    """An EDTF date with its earliest and latest possible days and a display text."""

    edtf: str
    earliest: date
    latest: date
    display: str
    precision: str  # "day", "month", "year" or "interval"


def _pad(d: date, precision: str, sign: int) -> date:
    """Widen a bound by one unit of its precision (approximate/uncertain dates)."""
    if precision == "day":
        return d + timedelta(days=sign)
    if precision == "month":
        month = d.month + sign
        year = d.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        year = min(max(year, MIN_YEAR), MAX_YEAR)
        day = 1 if sign < 0 else calendar.monthrange(year, month)[1]
        return date(year, month, day)
    year = min(max(d.year + sign, MIN_YEAR), MAX_YEAR)
    return date(year, 1, 1) if sign < 0 else date(year, 12, 31)


def _endpoint(text: str) -> tuple[date, date, str, str]:
    """Parse one non-interval EDTF date: (earliest, latest, display, precision)."""
    try:
        parsed = parse_edtf(text)
        lower = struct_time_to_date(parsed.lower_strict())
        upper = struct_time_to_date(parsed.upper_strict())
    except Exception as exc:  # the edtf library raises several types on bad input
        raise InvalidDate(f"“{text}” is not a valid date; use {ACCEPTED}.") from exc
    if not (MIN_YEAR <= lower.year <= MAX_YEAR and MIN_YEAR <= upper.year <= MAX_YEAR):
        raise InvalidDate(f"“{text}”: the year must be between {MIN_YEAR} and {MAX_YEAR}.")
    core = text.rstrip(_QUALIFIERS)
    qualifier = text[len(core) :]
    parts = core.split("-")
    if len(parts) == 2 and parts[1] in _SEASONS:
        precision, shown = "month", f"{_SEASONS[parts[1]]} {int(parts[0])}"
    elif len(parts) >= 3 and parts[2] != "XX":
        precision, shown = "day", f"{lower.day} {_MONTHS[lower.month]} {lower.year}"
    elif len(parts) >= 2 and parts[1] != "XX":
        precision, shown = "month", f"{_MONTHS[lower.month]} {lower.year}"
    else:
        precision, shown = "year", str(lower.year)
    if qualifier:
        lower, upper = _pad(lower, precision, -1), _pad(upper, precision, +1)
    if "~" in qualifier or "%" in qualifier:
        shown = f"c. {shown}"
    if "?" in qualifier or "%" in qualifier:
        shown = f"{shown}?"
    return lower, upper, shown, precision


@lru_cache(maxsize=65536)
def parse_date(text: str) -> ParsedDate:
    """Parse an EDTF date (Level 0 and the common Level 1 forms) or raise InvalidDate.

    Cached: the edtf parser costs milliseconds per call and timelines repeat the same few dates.
    """
    text = (text or "").strip()
    if not text:
        raise InvalidDate(f"A date is required; use {ACCEPTED}.")
    if len(text) > 40:
        raise InvalidDate(f"The date is too long; use {ACCEPTED}.")
    if "/" in text:
        start, _, end = text.partition("/")
        if not start or not end or ".." in (start, end):
            raise InvalidDate("Open-ended intervals are not accepted; give both ends (2020-11/2020-12).")
        if not (_LEVEL1_ENDPOINT.fullmatch(start) and _LEVEL1_ENDPOINT.fullmatch(end)):
            raise InvalidDate(f"“{text}” is not a valid interval; use {ACCEPTED}.")
        lo, _, lo_shown, _ = _endpoint(start)
        _, hi, hi_shown, _ = _endpoint(end)
        if lo > hi:
            raise InvalidDate(f"“{text}”: the interval ends before it starts.")
        try:
            parse_edtf(text)
        except Exception as exc:
            raise InvalidDate(f"“{text}” is not a valid interval; use {ACCEPTED}.") from exc
        return ParsedDate(text, lo, hi, f"{lo_shown} – {hi_shown}", "interval")
    if not (_LEVEL1_ENDPOINT.fullmatch(text) or _SEASON.fullmatch(text)):
        raise InvalidDate(f"“{text}” is not a valid date; use {ACCEPTED}.")
    lower, upper, shown, precision = _endpoint(text)
    return ParsedDate(text, lower, upper, shown, precision)


def parse_bound(text: str, *, upper: bool) -> date:
    """A filter bound (ISO or EDTF): its earliest day, or its latest when upper is set."""
    parsed = parse_date(text)
    return parsed.latest if upper else parsed.earliest
