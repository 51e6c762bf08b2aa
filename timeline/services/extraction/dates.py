"""The date of a statement at the precision its cue supports, resolved against the publication date."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from .model import Published

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

_WEEKDAYS = (
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье|"
    r"شنبه|یکشنبه|دوشنبه|سه‌شنبه|سه شنبه|چهارشنبه|پنجشنبه|پنج‌شنبه|جمعه|"
    r"السبت|الأحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة"
)
_MONTHS_EN = r"January|February|March|April|May|June|July|August|September|October|November|December"
_MONTHS_RU = r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_MONTHS_RU_IN = r"январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре"

# Relative cues computed here: (unit, step). dateparser does not know all of them in every language.
_RELATIVE: list[tuple[str, str, int]] = [
    (
        r"last year|the previous year|в прошлом году|в минувшем году|سال گذشته|پارسال|"
        r"العام الماضي|السنة الماضية",
        "year",
        -1,
    ),
    (r"this year|earlier this year|в этом году|امسال|هذا العام", "year", 0),
    (r"last month|в прошлом месяце|ماه گذشته|الشهر الماضي", "month", -1),
    (r"earlier this month|this month|в этом месяце|این ماه|هذا الشهر", "month", 0),
    (r"last week|на прошлой неделе|هفته گذشته|الأسبوع الماضي", "week", -1),
    (r"earlier this week|this week|на этой неделе|این هفته|هذا الأسبوع", "week", 0),
    (r"yesterday|вчера|دیروز|أمس|الأمس", "day", -1),
    (r"today|сегодня|امروز|اليوم", "day", 0),
]
_VAGUE = r"recently|lately|in recent (?:days|weeks|months)|недавно|на днях|اخیرا|اخیراً|مؤخرا|مؤخراً"

_CUES = re.compile(
    r"(?<!\w)(?:"
    rf"(?P<day>(?:on\s+)?(?:{_MONTHS_EN})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|(?:on\s+)?\d{{1,2}}\s+(?:{_MONTHS_EN})(?:\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+(?:{_MONTHS_RU})(?:\s+\d{{4}}(?:\s+года?)?)?)"
    rf"|(?P<weekday>(?:(?:on|last)\s+|в\s+|во\s+|روز\s+|يوم\s+)?(?:{_WEEKDAYS}))"
    rf"|(?P<month>in\s+(?:{_MONTHS_EN})(?:\s+\d{{4}})?|в\s+(?:{_MONTHS_RU_IN})(?:\s+\d{{4}}\s+года)?)"
    r"|(?P<year>in\s+(?:19|20)\d\d|в\s+(?:19|20)\d\d\s+году|(?:در\s+سال|في\s+عام)\s+(?:19|20)\d\d)"
    rf"|(?P<relative>{'|'.join(p for p, _, _ in _RELATIVE)})"
    rf"|(?P<vague>{_VAGUE})"
    r")(?!\w)",
    re.IGNORECASE,
)


def _script(text: str) -> str:
    if re.search(r"[а-яё]", text, re.I):
        return "ru"
    if re.search(r"[پچژگکی]", text):
        return "fa"
    if re.search(r"[\u0600-\u06ff]", text):
        return "ar"
    return "en"


@cache
def _parser(language: str, base: date) -> DateDataParser:
    # Imported on first use: dateparser costs every web worker about 12 MB it would rarely need.
    from dateparser.date import DateDataParser

    settings = {
        "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True,
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
    }
    return DateDataParser(languages=[language], settings=settings)


def _parse(cue: str, base: date, language: str) -> tuple[date, str] | None:
    words = re.sub(r"^(?:on|last|в|во|روز|يوم)\s+", "", cue, flags=re.I)
    data = _parser(language, base).get_date_data(words)
    if data is None or data.date_obj is None:
        return None
    found = data.date_obj.date()
    if found > base:
        return None
    return found, data.period or "day"


def _week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _relative(unit: str, step: int, base: date) -> tuple[date, date]:
    if unit == "day":
        day = base + timedelta(days=step)
        return day, day
    if unit == "week":
        monday, sunday = _week(base + timedelta(weeks=step))
        return monday, min(sunday, base)
    if unit == "month":
        year, month = base.year, base.month + step
        if month < 1:
            year, month = year - 1, month + 12
        return date(year, month, 1), date(year, month, 28)
    return date(base.year + step, 1, 1), date(base.year + step, 12, 31)


def _edtf(first: date, last: date, unit: str) -> str:
    if unit == "year":
        return f"{first.year}"
    if unit == "month":
        return f"{first.year}-{first.month:02d}"
    return first.isoformat()


def _span(early: str, late: str) -> str:
    return early if early == late else f"{early}/{late}"


def resolve(sentence: str, published: Published) -> tuple[str, str]:
    """(EDTF, basis) for the first date cue of a sentence, or on-or-before publication without one."""
    default = (
        f"../{published.latest.isoformat()}",
        f"No date in the text; on or before publication ({published.edtf}).",
    )
    match = _CUES.search(sentence)
    if match is None:
        return default
    cue = match.group()
    kind = match.lastgroup or ""
    if kind == "vague":
        return default[0], f"The text says “{cue}”: on or before publication ({published.edtf})."
    ends = []
    for base in (published.earliest, published.latest):
        if kind == "relative":
            unit, step = next((u, s) for p, u, s in _RELATIVE if re.fullmatch(p, cue, re.I))
            first, last = _relative(unit, step, base)
            if unit == "week":
                ends.append((first.isoformat(), last.isoformat()))
                continue
            ends.append((_edtf(first, last, unit), _edtf(first, last, unit)))
            continue
        parsed = _parse(cue, base, _script(sentence))
        if parsed is None:
            return default
        day, period = parsed
        unit = {"week": "day"}.get(period, period)
        text = _edtf(day, day, unit)
        if kind == "weekday" and day + timedelta(days=7) == base:
            # "on Wednesday" in a Wednesday paper: that day or a week before; the text does not say which.
            ends.append((text, base.isoformat()))
            continue
        ends.append((text, text))
    early, late = ends[0][0], ends[1][1]
    edtf = _span(early, late)
    return edtf, f"The text says “{cue}”, read against publication on {published.edtf}: {edtf}."
