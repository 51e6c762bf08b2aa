"""Who said each quotation: speech verbs, their subjects, pronouns, relays; and which quotations are names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import cues
from .actors import ActorIndex, Mention
from .model import Speaker
from .text import QuoteSpan

_POSSESSIVE = re.compile(r"^(?:['’]s?|ی\s)")
_WORDS = re.compile(r"\w[\w'’.-]*")
_CAPITALISED = re.compile(r"^[\"'(\[]?[A-ZА-ЯЁ0-9]")
_MAX_NAME_WORDS = 4


@dataclass
class Attribution:
    speaker: Speaker
    via_previous_sentence: bool = False


class Attributor:
    """Walks the text's sentences in order, remembering the last speaker for pronouns."""

    def __init__(self, text: str, index: ActorIndex) -> None:
        self.text = text
        self.index = index
        self.mentions = index.mentions(text)
        self.last_speaker: Speaker | None = None
        self.last_speaker_sentence = -10

    # -- mentions -----------------------------------------------------------------------------------
    def _in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]

    def _usable(self, mention: Mention) -> bool:
        after = self.text[mention.end : mention.end + 3]
        if _POSSESSIVE.match(after):
            return False  # "Iran’s Foreign Minister": Iran only qualifies the speaker
        if mention.actor is not None and mention.actor.kind == "media":
            before = self.text[max(0, mention.start - 30) : mention.start]
            tail = self.text[mention.end : mention.end + 25]
            if re.search(rf"(?:{cues.RELAY.pattern})\s*(?:the\s+)?$", before, re.I) or cues.RELAY_VERBS.match(
                tail.strip(" ,")
            ):
                return False  # the agency or channel relays someone else's words
        return True

    def _speaker_of(self, mention: Mention, sentence_no: int, sentence: tuple[int, int]) -> Speaker | None:
        words = self.text[mention.start : mention.end]
        if mention.actor is None:
            return self._pronoun(words, sentence_no, sentence, mention.start)
        actor = mention.actor
        role = words if mention.via == "role" else actor.role
        return Speaker(actor.name, actor.slug, words, role, actor.kind == "person")

    def _pronoun(self, words: str, sentence_no: int, sentence: tuple[int, int], at: int) -> Speaker | None:
        recent = self.last_speaker is not None and sentence_no - self.last_speaker_sentence <= 1
        if recent and self.last_speaker is not None and self.last_speaker.person:
            last = self.last_speaker
            return Speaker(
                last.name, last.actor, f"{words} ({last.evidence})", last.role, True, antecedent=True
            )
        people = [m for m in self._in(self._previous_start, at) if m.is_person and self._usable(m)]
        if people:
            found = self._speaker_of(people[-1], sentence_no, sentence)
            if found is not None:
                found.evidence, found.antecedent = f"{words} ({found.evidence})", True
                return found
        if self.last_speaker is not None and self.last_speaker.person:
            last = self.last_speaker
            return Speaker(
                last.name, last.actor, f"{words} ({last.evidence})", last.role, True, antecedent=True
            )
        return None

    # -- subjects of speech verbs -------------------------------------------------------------------
    def _subject(
        self,
        seg_start: int,
        verb: re.Match[str],
        seg_end: int,
        sentence_no: int,
        sentence: tuple[int, int],
        phrase_ok: bool = True,
        after_ok: bool = True,
    ) -> Speaker | None:
        relay = bool(cues.RELAY_VERBS.fullmatch(verb.group()))
        before = [m for m in self._in(seg_start, verb.start()) if self._usable(m)]
        if before and not relay:
            return self._speaker_of(self._head(before), sentence_no, sentence)
        if not relay and phrase_ok:
            phrase = self._noun_phrase(seg_start, verb.start())
            if phrase:
                actor = self.index.match_description(phrase)
                if actor is not None:
                    return Speaker(actor.name, actor.slug, phrase, actor.role, actor.kind == "person")
                return Speaker(phrase, None, phrase, phrase, _looks_personal(phrase))
        after = [m for m in self._in(verb.end(), seg_end) if self._usable(m)] if after_ok else []
        if after:
            return self._speaker_of(after[0], sentence_no, sentence)
        return None

    def _head(self, mentions: list[Mention]) -> Mention:
        """In the first phrase naming anyone, a person before a country ("President of Russia V. Putin")."""
        first = mentions[0]
        comma = self.text.find(",", first.end)
        chunk = [m for m in mentions if comma < 0 or m.start < comma]
        return next((m for m in chunk if m.is_person), first)

    def _noun_phrase(self, start: int, end: int) -> str | None:
        chunk = self.text[start:end]
        pieces = cues.CLAUSE_BREAK.split(chunk)
        phrase = cues.LEADING_FILLER.sub("", pieces[-1].strip() if pieces else "").strip()
        words = _WORDS.findall(phrase)
        if not words or len(words) > 8:
            return None
        if len(words) == 1 and not _CAPITALISED.match(words[0]):
            return None
        if words[0].lower() in _NOT_SUBJECT or words[-1].lower() in _NOT_SUBJECT:
            return None
        return phrase

    # -- one sentence -------------------------------------------------------------------------------
    def attribute(
        self, sentence_no: int, sentence: tuple[int, int], previous_start: int, quotes: list[QuoteSpan]
    ) -> list[Attribution | None]:
        """One attribution (or None: not a statement) per quotation of the sentence."""
        self._previous_start = previous_start
        s_start, s_end = sentence
        results: list[Attribution | None] = []
        current: Speaker | None = None
        for i, quote in enumerate(quotes):
            seg_start = quotes[i - 1].close_at + 1 if i else s_start
            post_end = quotes[i + 1].open_at if i + 1 < len(quotes) else s_end
            speaker = self._before(seg_start, quote, sentence_no, sentence, s_start)
            if speaker is None:
                speaker = self._after(quote, post_end, sentence_no, sentence)
            if speaker is None and current is not None:
                speaker = current  # a later fragment of the same sentence's reported words
            if speaker is None:
                speaker = self._adverbial(s_start, quote, sentence_no, sentence)
            via_previous = False
            recent = self.last_speaker is not None and sentence_no - self.last_speaker_sentence <= 1
            if speaker is None and recent and self._standalone(quote, sentence):
                # A whole sentence in quotation marks right after a speaker's words: still that speaker.
                speaker, via_previous = self.last_speaker, True
            if speaker is not None and self._is_name(quote):
                speaker = None
            if speaker is not None:
                current = speaker
                self.last_speaker, self.last_speaker_sentence = speaker, sentence_no
                results.append(Attribution(speaker, via_previous or speaker.antecedent))
            else:
                results.append(None)
        return results

    def _before(
        self, seg_start: int, quote: QuoteSpan, n: int, sentence: tuple[int, int], s_start: int
    ) -> Speaker | None:
        verbs = list(cues.SPEECH.finditer(self.text, seg_start, quote.open_at))
        if not verbs:
            return None
        verb = verbs[-1]
        earlier = list(cues.SPEECH.finditer(self.text, seg_start, verb.start()))
        if earlier:
            # "X stressed ... and called ...": a later verb shares the first one's subject.
            found = self._subject(earlier[-1].end(), verb, quote.open_at, n, sentence, False, False)
            return found or self._subject(seg_start, earlier[0], quote.open_at, n, sentence, True, False)
        found = self._subject(seg_start, verb, quote.open_at, n, sentence)
        if found is None and seg_start > s_start:
            found = self._subject(s_start, verb, quote.open_at, n, sentence, False)
        return found

    def _after(self, quote: QuoteSpan, post_end: int, n: int, sentence: tuple[int, int]) -> Speaker | None:
        tail = self.text[quote.close_at + 1 : post_end]
        lead = re.match(r"^[\s,.!?—–-]*(?:\S+\s+){0,4}?", tail)
        verb = cues.SPEECH.search(self.text, quote.close_at + 1, post_end)
        if verb is None or lead is None or verb.start() > quote.close_at + 1 + 40:
            return None
        return self._subject(quote.close_at + 1, verb, post_end, n, sentence)

    def _adverbial(self, s_start: int, quote: QuoteSpan, n: int, sentence: tuple[int, int]) -> Speaker | None:
        found = list(cues.SPEAKER_AFTER.finditer(self.text, s_start, quote.open_at))
        cue = found[-1] if found else None
        if cue is None:
            return None
        after = [m for m in self._in(cue.end(), quote.open_at) if self._usable(m)]
        return self._speaker_of(after[0], n, sentence) if after else None

    def _standalone(self, quote: QuoteSpan, sentence: tuple[int, int]) -> bool:
        inner = quote.end - quote.start
        return inner >= 0.7 * (sentence[1] - sentence[0]) and len(_WORDS.findall(quote.words(self.text))) >= 4

    def _is_name(self, quote: QuoteSpan) -> bool:
        words = _WORDS.findall(quote.words(self.text))
        if 0 < len(words) <= _MAX_NAME_WORDS and all(_CAPITALISED.match(w) for w in words):
            return True  # «Газпром», "Nord Stream 2": a name, not words someone said
        before = self.text[max(0, quote.open_at - 40) : quote.open_at]
        after = self.text[quote.close_at + 1 : quote.close_at + 30]
        short = len(words) <= _MAX_NAME_WORDS
        return short and (bool(cues.NAMING_BEFORE.search(before)) or bool(cues.NAMING_AFTER.match(after)))


_NOT_SUBJECT = {"his", "her", "its", "their", "and", "or", "but", "it", "this", "which", "who", "when", "if"}


def _looks_personal(phrase: str) -> bool:
    words = phrase.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words)
