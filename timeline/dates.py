"""The one date parser: EDTF strings to sortable bounds and human display text."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

ACCEPTED = (
    "an EDTF date: a year (2020), a month (2020-12), a day (2020-12-20), "
    "approximate or uncertain (2019-05~, 2020?), an interval (2020-11/2020-12) "
    "or an open interval (../2021-01-20 on or before, 2021-01-20/.. on or after)"
)
MIN_YEAR, MAX_YEAR = 1, 9999
_QUALIFIERS = "~?%"
FIRST_DAY, LAST_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
_MONTHS = [calendar.month_name[m] for m in range(13)]
_NORTH, _SOUTH = " (Northern Hemisphere)", " (Southern Hemisphere)"
# EDTF sub-year groupings (21-24 Level 1, 25-41 Level 2): (display, first month, months). Seasons are
# meteorological, northern unless said otherwise; a winter runs from December into the next year.
_SEASONS: dict[int, tuple[str, int, int]] = {
    21: ("Spring {y}", 3, 3),
    22: ("Summer {y}", 6, 3),
    23: ("Autumn {y}", 9, 3),
    24: ("Winter {y}–{n}", 12, 3),
    25: ("Spring {y}" + _NORTH, 3, 3),
    26: ("Summer {y}" + _NORTH, 6, 3),
    27: ("Autumn {y}" + _NORTH, 9, 3),
    28: ("Winter {y}–{n}" + _NORTH, 12, 3),
    29: ("Spring {y}" + _SOUTH, 9, 3),
    30: ("Summer {y}–{n}" + _SOUTH, 12, 3),
    31: ("Autumn {y}" + _SOUTH, 3, 3),
    32: ("Winter {y}" + _SOUTH, 6, 3),
    33: ("First quarter of {y}", 1, 3),
    34: ("Second quarter of {y}", 4, 3),
    35: ("Third quarter of {y}", 7, 3),
    36: ("Fourth quarter of {y}", 10, 3),
    37: ("First third of {y}", 1, 4),
    38: ("Second third of {y}", 5, 4),
    39: ("Last third of {y}", 9, 4),
    40: ("First half of {y}", 1, 6),
    41: ("Second half of {y}", 7, 6),
}
_LEVEL1_ENDPOINT = re.compile(r"\d{4}(-(\d{2}|XX)(-(\d{2}|XX))?)?[~?%]?", re.ASCII)
_SEASON = re.compile(r"\d{4}-(2[1-9]|3\d|4[01])", re.ASCII)


class InvalidDate(ValueError):
    """The text is not an EDTF date this service accepts."""


@dataclass(frozen=True)
class ParsedDate:
    """An EDTF date with its earliest and latest possible days and a display text."""

    edtf: str
    earliest: date
    latest: date
    display: str
    precision: str  # "day", "month", "year", "interval" or "open" (one end unknown: ../D, D/..)


def _season(year: int, code: int) -> tuple[date, date, str]:
    """A season, quarter, third or half of `year`: its first and last day and its text."""
    shown, first_month, months = _SEASONS[code]
    end_year, end_month0 = divmod(year * 12 + first_month - 1 + months - 1, 12)
    if end_year > MAX_YEAR:
        raise InvalidDate(f"“{year:04d}-{code}” ends after the year {MAX_YEAR}, the last this service keeps.")
    upper = date(end_year, end_month0 + 1, calendar.monthrange(end_year, end_month0 + 1)[1])
    return date(year, first_month, 1), upper, shown.format(y=year, n=year + 1)


def _pad(d: date, precision: str, sign: int) -> date:
    """Widen a bound by one unit of its precision (approximate/uncertain dates), stopping at the
    calendar's ends (1 January 1, 31 December 9999): the service keeps no day beyond them."""
    try:
        if precision == "day":
            return d + timedelta(days=sign)
        if precision == "month":
            year, month0 = divmod(d.year * 12 + d.month - 1 + sign, 12)
            return date(year, month0 + 1, 1 if sign < 0 else calendar.monthrange(year, month0 + 1)[1])
        return date(d.year + sign, 1, 1) if sign < 0 else date(d.year + sign, 12, 31)
    except (OverflowError, ValueError):  # past year 9999 or before year 1
        return FIRST_DAY if sign < 0 else LAST_DAY


def _endpoint(text: str) -> tuple[date, date, str, str]:
    """Parse one non-interval EDTF date: (earliest, latest, display, precision)."""
    # edtf's grammar (pyparsing, ~6 MB) is loaded by the first date parsed: pages and exports read the
    # stored bounds and display, so a worker serving only those never loads it.
    from edtf import parse_edtf, struct_time_to_date

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
    if len(parts) == 2 and _SEASON.fullmatch(core):
        # Our own bounds: the edtf library keeps only the December of a winter.
        lower, upper, shown = _season(lower.year, int(parts[1]))
        precision = "month"
    elif len(parts) >= 3 and parts[2] != "XX":
        precision = "day"
        month = _MONTHS[lower.month] if parts[1] != "XX" else "(month unknown)"
        shown = f"{lower.day} {month} {lower.year}"
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
        if not start or not end:
            raise InvalidDate(
                "An interval needs both ends: 2020-11/2020-12, or “..” for an open end (../2021-01-20)."
            )
        if ".." in (start, end):
            return _open_interval(text, start, end)
        if not (_LEVEL1_ENDPOINT.fullmatch(start) and _LEVEL1_ENDPOINT.fullmatch(end)):
            raise InvalidDate(f"“{text}” is not a valid interval; use {ACCEPTED}.")
        lo, _, lo_shown, _ = _endpoint(start)
        _, hi, hi_shown, _ = _endpoint(end)
        if lo > hi:
            raise InvalidDate(f"“{text}”: the interval ends before it starts.")
        from edtf import parse_edtf

        try:
            parse_edtf(text)
        except Exception as exc:
            raise InvalidDate(f"“{text}” is not a valid interval; use {ACCEPTED}.") from exc
        return ParsedDate(text, lo, hi, f"{lo_shown} – {hi_shown}", "interval")
    if not _LEVEL1_ENDPOINT.fullmatch(text):
        raise InvalidDate(f"“{text}” is not a valid date; use {ACCEPTED}.")
    lower, upper, shown, precision = _endpoint(text)
    if lower > upper:  # never stored: every listing orders and filters by these bounds
        raise InvalidDate(f"“{text}” is not a valid date; use {ACCEPTED}.")
    return ParsedDate(text, lower, upper, shown, precision)


def _open_interval(text: str, start: str, end: str) -> ParsedDate:
    """“../D” (on or before D) or “D/..” (on or after D): the open side reaches the calendar's end."""
    known = end if start == ".." else start
    if known == ".." or not _LEVEL1_ENDPOINT.fullmatch(known):
        raise InvalidDate(f"“{text}” is not a valid interval; use {ACCEPTED}.")
    lower, upper, shown, _ = _endpoint(known)
    if start == "..":
        return ParsedDate(text, FIRST_DAY, upper, f"on or before {shown}", "open")
    return ParsedDate(text, lower, LAST_DAY, f"on or after {shown}", "open")


def is_open(parsed: ParsedDate) -> bool:
    """Whether one end of the date is open (“..”): its bound there is the calendar's end, not evidence."""
    return parsed.precision == "open"


def parse_bound(text: str, *, upper: bool) -> date:
    """A filter bound (ISO or EDTF): its earliest day, or its latest when upper is set."""
    parsed = parse_date(text)
    return parsed.latest if upper else parsed.earliest
