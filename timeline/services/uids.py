"""Readable ids for new events: actor slug, year and month, title words (`zarif-2021-02-talks-resume`)."""

from __future__ import annotations

import re

from anyascii import anyascii
from sqlmodel import Session, col, select

from ..models import Event

MAX_UID = 80
MAX_TITLE_WORDS = 6
_START = re.compile(r"^(\d{4})(?:-(\d{2}))?")
_WORD = re.compile(r"[a-z0-9]+")


def date_part(date_edtf: str) -> str:
    """`2021-02` for a month or a day, `2021` for a year (or a season: its number is not a month)."""
    match = _START.match(date_edtf.lstrip("[{"))
    if match is None:
        return ""
    year, month = match.groups()
    return f"{year}-{month}" if month and 1 <= int(month) <= 12 else year


def title_words(title: str) -> list[str]:
    """The title's words in ASCII: other scripts transliterated, marks and punctuation dropped."""
    # Apostrophes and backticks stand for soft signs and ayins (вернуться -> vernut'sya): not word breaks.
    return _WORD.findall(anyascii(title).lower().replace("'", "").replace("`", ""))[:MAX_TITLE_WORDS]


def base_uid(actor_slug: str, date_edtf: str, title: str) -> str:
    """The id before any collision suffix, at most MAX_UID characters minus room for one."""
    head = "-".join(p for p in (actor_slug, date_part(date_edtf)) if p)
    words: list[str] = []
    for word in title_words(title):
        if len(head) + len("-".join([*words, word])) + 1 > MAX_UID - 4:
            break
        words.append(word)
    return "-".join([head, *words]) if words else head


def readable_uid(session: Session, actor_slug: str, date_edtf: str, title: str) -> str:
    """A free readable id: the base, or the base with `-2`, `-3`, ... when it is taken."""
    base = base_uid(actor_slug, date_edtf, title)
    taken = set(session.exec(select(Event.uid).where(col(Event.uid).startswith(base, autoescape=True))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
