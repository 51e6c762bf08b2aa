"""Topic suggestions from topic names and descriptions; the score is the speaker's latest, never sentiment."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from .model import KnownTopic, StanceSuggestion

_WORD = re.compile(r"\w[\w.-]*\w|\w")
_STOP = {
    "the",
    "and",
    "for",
    "with",
    "its",
    "their",
    "this",
    "that",
    "from",
    "into",
    "such",
    "other",
    "more",
    "supports",
    "support",
    "opposes",
    "wants",
    "including",
    "notably",
    "which",
    "between",
    "also",
}
# Words that mark a position; shown to the editor as cues, never turned into a score.
_CUE_WORDS = re.compile(
    r"(?<!\w)(?:no longer|not|never|must not|reject\w*|support\w*|oppos\w*|welcome\w*|condemn\w*|"
    r"back\w*|refus\w*|insist\w*|against|in favour of|in favor of|criticiz\w*|criticis\w*|"
    r"не|никогда|против|поддерж\w*|отверг\w*|осуд\w*|нельзя|"
    r"نه|هرگز|مخالف\w*|حمایت|رد|"
    r"لا|لن|رفض\w*|دعم\w*|يرفض|ضد)(?!\w)",
    re.IGNORECASE,
)
LatestScores = Callable[[str, str], tuple[int, str] | None]


def _stem(word: str) -> str:
    return word.lower().rstrip(".")[:6]


class TopicMatcher:
    """A topic matches when two of its distinctive words, or one of its acronyms, occur near the quote."""

    def __init__(self, topics: list[KnownTopic]) -> None:
        self.topics = topics
        self._words: dict[str, set[str]] = {}
        self._acronyms: dict[str, set[str]] = {}
        spread: Counter[str] = Counter()
        for topic in topics:
            text = f"{topic.name} {(topic.description or '').split('. ')[0]}"
            tokens = _WORD.findall(text)
            self._acronyms[topic.slug] = {t for t in tokens if t.isupper() and len(t) >= 3 and t.isalpha()}
            words = {_stem(t) for t in tokens if len(t) >= 4 and t.lower() not in _STOP}
            self._words[topic.slug] = words
            spread.update(words)
        for slug, words in self._words.items():
            # A word in many topics' names (Iran, Russia) tells none of them apart.
            self._words[slug] = {w for w in words if spread[w] <= 2}

    def topics_in(self, window: str) -> list[tuple[str, list[str]]]:
        tokens = _WORD.findall(window)
        stems = {_stem(t) for t in tokens}
        upper = {t for t in tokens if t.isupper()}
        found = []
        for topic in self.topics:
            hits = sorted(self._words[topic.slug] & stems)
            acronyms = sorted(self._acronyms[topic.slug] & upper)
            if acronyms or len(hits) >= 2:
                found.append((topic.slug, acronyms + hits))
        return found

    def suggest(
        self, window: str, quote: str, actor: str | None, latest: LatestScores | None
    ) -> list[StanceSuggestion]:
        cue_words = sorted({m.group().lower() for m in _CUE_WORDS.finditer(quote)})
        cues = f"; cue words: {', '.join(repr(c) for c in cue_words)}" if cue_words else ""
        out = []
        for slug, words in self.topics_in(window):
            matched = f"matched {', '.join(words)}"
            known = latest(actor, slug) if actor and latest else None
            if known is None:
                out.append(
                    StanceSuggestion(slug, None, f"{matched}; no earlier stance of this speaker{cues}")
                )
            else:
                score, where = known
                out.append(
                    StanceSuggestion(slug, score, f"{matched}; the speaker's latest score ({where}){cues}")
                )
        return out
