"""From a text to statement candidates: quotations, speakers, dates, topics, and the verbatim guard."""

from __future__ import annotations

from .actors import ActorIndex
from .attribution import Attributor
from .cues import LATER
from .dates import resolve
from .model import Candidate, Extraction, KnownActor, KnownTopic, Published
from .text import QuoteSpan, find_quotes, sentence_bounds
from .topics import LatestScores, TopicMatcher


def _outside_quotes(text: str, start: int, end: int, quotes: list[QuoteSpan]) -> str:
    # Dates inside a quotation belong to what was said ("by 2025"), not to when it was said.
    chars = list(text[start:end])
    for q in quotes:
        for i in range(max(q.open_at, start), min(q.close_at + 1, end)):
            chars[i - start] = " "
    return "".join(chars)


def extract(
    text: str,
    published: Published,
    actors: list[KnownActor],
    topics: list[KnownTopic],
    latest: LatestScores | None = None,
) -> Extraction:
    """Every quoted statement of `text` with its speaker, date and topic suggestions."""
    quotes = find_quotes(text)
    sentences = sentence_bounds(text, quotes)
    attributor = Attributor(text, ActorIndex(actors))
    matcher = TopicMatcher(topics)
    candidates: list[Candidate] = []
    qi = 0
    previous_start = 0
    previous_dateline = ""
    for n, (s_start, s_end) in enumerate(sentences):
        mine: list[QuoteSpan] = []
        while qi < len(quotes) and quotes[qi].open_at < s_end:
            if quotes[qi].open_at >= s_start:
                mine.append(quotes[qi])
            qi += 1
        dateline = _outside_quotes(text, s_start, s_end, quotes)
        if mine:
            attributions = attributor.attribute(n, (s_start, s_end), previous_start, mine)
            for quote, attribution in zip(mine, attributions, strict=True):
                if attribution is None:
                    continue
                cue_text = dateline
                if attribution.via_previous_sentence and not LATER.search(dateline):
                    # "Putin met X on Monday. He said ...": the pronoun carries the earlier sentence's date.
                    cue_text = dateline + " " + previous_dateline
                when, basis = resolve(cue_text, published)
                words = quote.words(text)
                speaker = attribution.speaker
                stances = matcher.suggest(text[s_start:s_end], words, speaker.actor, latest)
                candidates.append(
                    Candidate(words, quote.start, quote.end, speaker, speaker.role, when, basis, stances)
                )
        previous_start, previous_dateline = s_start, dateline
    return Extraction(text, published, verbatim(text, candidates))


def verbatim(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Only candidates whose quote is exactly the text at their offsets; anything else is dropped."""
    return [c for c in candidates if 0 <= c.start < c.end <= len(text) and text[c.start : c.end] == c.quote]
