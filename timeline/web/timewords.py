"""Times and intervals in words for pages: "3 minutes ago", "on 30 November 2026 at 14:05 UTC", "hourly"."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from flask import Flask
from markupsafe import Markup, escape

from ..services.records import iso_utc

_NAMED = {60: "every minute", 3600: "hourly", 86400: "daily", 7 * 86400: "weekly"}
_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))
RECENT = 86400  # within a day either way, a time reads as a distance ("3 minutes ago")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(time_words=time_words, when=when, every=every, on_day=on_day)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def every(seconds: int) -> str:
    """An interval in words: 3600 → "hourly", 900 → "every 15 minutes", 5400 → "every 90 minutes"."""
    if seconds in _NAMED:
        return _NAMED[seconds]
    for size, unit in _UNITS:
        if seconds % size == 0:
            return f"every {_plural(seconds // size, unit)}"
    return f"every {_plural(seconds, 'second')}"  # unreachable: every integer is a whole number of seconds


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def on_day(moment: datetime) -> str:
    """ "on 30 November 2026 at 14:05 UTC" (naive values are UTC, as the database keeps them)."""
    at = _aware(moment)
    return f"on {at.day} {calendar.month_name[at.month]} {at.year} at {at:%H:%M} UTC"


def time_words(moment: datetime, now: datetime | None = None) -> str:
    """A distance for times within a day ("3 minutes ago", "in 5 minutes", "just now"), else the day."""
    at, current = _aware(moment), _aware(now or datetime.now(UTC))
    seconds = int((current - at).total_seconds())
    if abs(seconds) >= RECENT:
        return on_day(at)
    if abs(seconds) < 10:
        return "just now"
    size, unit = next((s, u) for s, u in _UNITS if abs(seconds) >= s)
    distance = _plural(abs(seconds) // size, unit)
    return f"{distance} ago" if seconds > 0 else f"in {distance}"


def when(moment: datetime | None, empty: str = "—") -> Markup:
    """A <time> element: the time in words, its ISO value in datetime and in the tooltip."""
    if moment is None:
        return escape(empty)
    iso = iso_utc(moment)
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(iso, time_words(moment))
