"""Known actors found in text: names, aliases in any script, surnames, titles and roles."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .model import KnownActor

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_ROLE_SPLIT = re.compile(r"\s*[;(]\s*")
_TITLE_OF = re.compile(r"^(?:the\s+)?(.+?)\s+(?:of|to|in)\s+(?:the\s+)?(.+)$", re.IGNORECASE)
PRONOUNS = re.compile(r"(?<!\w)(?:he|she|он|она|او|وی|هو|هي)(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    actor: KnownActor | None  # None for a pronoun
    via: str  # name, alias, surname, role, country, pronoun

    @property
    def is_person(self) -> bool:
        return self.actor is not None and self.actor.kind == "person"


def _word_pattern(word: str) -> str:
    if _CYRILLIC.search(word) and len(word) >= 4:
        # Russian names and nouns inflect (Путин, Путина; Кремль, Кремля): match the stem.
        stem = re.sub(r"[аяоеыиуюйь]+$", "", word, flags=re.IGNORECASE) or word
        return re.escape(stem) + r"[а-яё]{0,3}"
    out = []
    for ch in word:
        if ch in "یي":
            out.append("[یي]")
        elif ch in "کك":
            out.append("[کك]")
        elif ch == "\u200c":
            out.append("[\u200c ]?")  # Persian half-space is often typed as a space or left out
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _key_pattern(key: str) -> str:
    return r"\s+".join(_word_pattern(w) for w in key.split())


def _role_keys(role: str) -> list[str]:
    keys = []
    for part in _ROLE_SPLIT.split(role):
        part = part.strip(" )")
        if len(part.split()) >= 2:
            keys.append(part)
    return keys


class ActorIndex:
    """Finds actor mentions; ambiguous keys (a surname two actors share) are left out."""

    def __init__(self, actors: list[KnownActor]) -> None:
        self.actors = actors
        keys: dict[str, tuple[KnownActor, str]] = {}
        titles: dict[str, list[KnownActor]] = {}
        surnames: Counter[str] = Counter()
        for actor in actors:
            for name in (actor.name, *actor.aliases):
                keys.setdefault(name.lower(), (actor, "name"))
            if actor.kind == "person":
                surnames.update({name.split()[-1].lower() for name in (actor.name, *actor.aliases)})
            if actor.kind == "government" and actor.country:
                keys.setdefault(actor.country.lower(), (actor, "country"))
            for role in _role_keys(actor.role or ""):
                keys.setdefault(role.lower(), (actor, "role"))
                match = _TITLE_OF.match(role)
                if match and len(match.group(1).split()) >= 2:
                    titles.setdefault(match.group(1).lower(), []).append(actor)
        for actor in actors:
            if actor.kind == "person":
                for name in (actor.name, *actor.aliases):
                    last = name.split()[-1]
                    if len(last) >= 4 and surnames[last.lower()] == 1:
                        keys.setdefault(last.lower(), (actor, "surname"))
        for title, holders in titles.items():
            if len(holders) == 1:
                keys.setdefault(title, (holders[0], "role"))
        self._keys = keys
        ordered = sorted(keys, key=len, reverse=True)
        pattern = "|".join(f"(?P<k{i}>{_key_pattern(k)})" for i, k in enumerate(ordered))
        self._order = ordered
        self._regex = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE) if ordered else None
        self._countries = {a.country.lower()[:4] for a in actors if a.country}

    def mentions(self, text: str) -> list[Mention]:
        """Every actor mention and subject pronoun in text order."""
        found: list[Mention] = []
        if self._regex is not None:
            for match in self._regex.finditer(text):
                key = self._order[int(match.lastgroup[1:])]  # type: ignore[index]
                actor, via = self._keys[key]
                if via == "role" and self._other_country(text, match.start(), actor):
                    continue
                found.append(Mention(match.start(), match.end(), actor, via))
        for match in PRONOUNS.finditer(text):
            found.append(Mention(match.start(), match.end(), None, "pronoun"))
        found.sort(key=lambda m: m.start)
        return found

    def _other_country(self, text: str, at: int, actor: KnownActor) -> bool:
        # "Russia's foreign minister" is not Iran's foreign minister.
        words = re.findall(r"\w+", text[max(0, at - 30) : at])[-3:]
        own = (actor.country or "").lower()[:4]
        return any(w.lower()[:4] in self._countries and w.lower()[:4] != own for w in words)

    def by_slug(self, slug: str) -> KnownActor | None:
        return next((a for a in self.actors if a.slug == slug), None)

    def match_description(self, phrase: str) -> KnownActor | None:
        """An unnamed group ("one of the conservative Iranian MPs") whose name holds every content word."""
        words = {w.lower() for w in re.findall(r"\w{3,}", phrase)} - _STOP
        if not words:
            return None
        for actor in self.actors:
            if actor.kind in ("group", "organization", "media"):
                name_words = {
                    w.lower() for w in re.findall(r"\w{3,}", " ".join((actor.name, *actor.aliases)))
                }
                if words <= name_words:
                    return actor
        return None


_STOP = {"one", "the", "and", "some", "two", "three", "several", "many", "also", "who", "that"}
