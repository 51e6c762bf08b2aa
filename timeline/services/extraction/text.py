"""Quotation spans in any quoting style, and sentence bounds that never cut a quotation."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Opening mark -> the marks that may close it. “ closes „ (German/Russian low-high style) and
# opens an English quotation; the straight double quote both opens and closes.
_CLOSERS: dict[str, str] = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "‹": "›",
    '"': '"',
    "‚": "‘’",
    "‘": "’",
    "「": "」",
}
_MAX_QUOTE = 4000


@dataclass(frozen=True)
class QuoteSpan:
    open_at: int  # offset of the opening mark
    close_at: int  # offset of the closing mark
    start: int  # first character of the quoted words (marks, spaces and a trailing comma trimmed)
    end: int

    def words(self, text: str) -> str:
        return text[self.start : self.end]


def _opens_single(text: str, i: int) -> bool:
    # ‘ doubles as an apostrophe-like mark in some texts: it opens only after a space or a mark.
    return i == 0 or not text[i - 1].isalnum()


def _closes_single(text: str, i: int) -> bool:
    # ’ is mostly an apostrophe (Biden’s): it closes only when no letter follows.
    return i + 1 >= len(text) or not text[i + 1].isalnum()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    return start, end


def find_quotes(text: str) -> list[QuoteSpan]:
    """Outermost quotations, in text order; unbalanced marks within a paragraph are ignored."""
    spans: list[QuoteSpan] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            stack.clear()  # a quotation never runs past its paragraph here
            continue
        if stack:
            top, at = stack[-1]
            closes = ch in _CLOSERS[top]
            if closes and top == '"' and i > 0 and text[i - 1].isspace() and len(stack) == 1:
                closes = i + 1 < len(text) and not text[i + 1].isalnum()
            if closes and ch == "’" and not _closes_single(text, i):
                closes = False
            if closes:
                stack.pop()
                if not stack and i - at - 1 <= _MAX_QUOTE:
                    start, end = _trim(text, at + 1, i)
                    if end > start:
                        spans.append(QuoteSpan(at, i, start, end))
                continue
        if ch in _CLOSERS and (ch != "‘" or _opens_single(text, i)):
            if ch in "‘‚" and not stack:
                continue  # single marks only nest inside a quotation
            stack.append((ch, i))
    return spans


_SENTENCE_END = re.compile(r"[.!?…؟。]+[\"'”»’›“]*\s+|\n+")
_INITIALS = re.compile(r"(?:\b[A-Z]\.){1,3}$")
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|vs|etc|e\.g|i\.e|г|т\.е|им|ул)\.$")


def sentence_bounds(text: str, quotes: list[QuoteSpan]) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets; a boundary inside a quotation is not a boundary."""
    inside = [(q.open_at, q.close_at) for q in quotes]
    bounds: list[tuple[int, int]] = []
    start = 0
    qi = 0
    for match in _SENTENCE_END.finditer(text):
        cut = match.end()
        while qi < len(inside) and inside[qi][1] < cut:
            qi += 1
        if qi < len(inside) and inside[qi][0] < cut <= inside[qi][1]:
            continue
        if "\n" not in match.group():
            before = text[max(start, match.start() - 8) : match.start() + 1]
            following = text[cut : cut + 1]
            if _TITLE.search(before) or following.islower():
                continue
            if _INITIALS.search(before) and not following.isupper():
                continue
        bounds.append((start, match.start() + len(match.group().rstrip())))
        start = cut
    if start < len(text):
        bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]
