"""Score the extractor on an article against a dataset's quotes (`make eval-extract`)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ...dates import parse_bound, parse_date
from .extractor import extract
from .model import KnownActor, KnownTopic, Published
from .text import find_quotes

_FRAGMENT_SPLIT = re.compile(r"\s*(?:…|\.\.\.)\s*")
_EDGE = " .,;:!?\"'“”«»"


def published_window(text: str) -> Published:
    parsed = parse_date(text)
    return Published(parsed.earliest, parsed.latest, parsed.edtf)


def bounds(edtf: str) -> tuple[date, date]:
    if edtf.startswith(".."):
        return date(1, 1, 1), parse_bound(edtf[3:], upper=True)
    parsed = parse_date(edtf)
    return parsed.earliest, parsed.latest


def _norm(text: str) -> str:
    return " ".join(text.strip(_EDGE).split()).lower()


@dataclass
class Score:
    statements: int = 0
    found: int = 0
    right_speaker: int = 0
    right_speaker_exact: int = 0
    honest_dates: int = 0
    dated: int = 0
    scare_quotes: int = 0
    scare_proposed: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    dishonest: list[str] = field(default_factory=list)
    # Dates that follow the text's own words where the public record is wider (the seed keeps those
    # words in its basis): honest to the text, listed apart.
    narrower_than_record: list[str] = field(default_factory=list)
    seconds: float = 0.0


def knowledge(seed: dict[str, Any]) -> tuple[list[KnownActor], list[KnownTopic], dict[str, str | None]]:
    actors = [
        KnownActor(
            a["slug"], a["name"], a["kind"], a.get("role"), a.get("country"), tuple(a.get("aliases") or ())
        )
        for a in seed["actors"]
    ]
    topics = [KnownTopic(t["slug"], t["name"], t.get("description")) for t in seed["topics"]]
    parents = {a["slug"]: a.get("parent") for a in seed["actors"]}
    return actors, topics, parents


def _ancestors(slug: str, parents: dict[str, str | None]) -> list[str]:
    chain = [slug]
    while parents.get(chain[-1]):
        chain.append(parents[chain[-1]])  # type: ignore[arg-type]
    return chain


def _cue_kept(candidate_basis: str | None, seed_basis: str | None) -> bool:
    """Whether the words the candidate's date rests on are the ones the seed's basis quotes too."""
    cues = re.findall(r"“([^”]+)”", candidate_basis or "")
    return bool(cues) and all(cue in (seed_basis or "") for cue in cues)


def score(text: str, published: Published, seed: dict[str, Any]) -> Score:
    """Statements of the seed found with the right speaker, honest dates, scare quotes proposed."""
    actors, topics, parents = knowledge(seed)
    started = time.perf_counter()
    candidates = extract(text, published, actors, topics).candidates
    result = Score(seconds=time.perf_counter() - started)
    fragments: list[str] = []
    for event in seed["events"]:
        if not event.get("quote") or event["kind"] == "action":
            continue  # an action's "quote" is its name ("maximum pressure"), a scare quote in the text
        pieces = [_norm(p) for p in _FRAGMENT_SPLIT.split(event["quote"]) if _norm(p)]
        fragments.extend(pieces)
        result.statements += 1
        main = max(pieces, key=len)
        hits = [
            c for c in candidates if main in _norm(c.quote) or (_norm(c.quote) and _norm(c.quote) in main)
        ]
        if not hits:
            result.misses.append(f"{event['uid']}: not proposed")
            continue
        result.found += 1
        chain = _ancestors(event["actor"], parents)
        right = [c for c in hits if c.speaker.actor in chain]
        if right:
            result.right_speaker += 1
            result.right_speaker_exact += any(c.speaker.actor == event["actor"] for c in right)
        else:
            result.misses.append(f"{event['uid']}: speaker {hits[0].speaker.actor or hits[0].speaker.name}")
        # Nothing is said after publication: the seed's month-precise "2020-11/2021-01" ends on the 20th.
        truth = bounds(event["date"])
        truth = (truth[0], min(truth[1], published.latest))
        for c in right or hits:
            result.dated += 1
            low, high = bounds(c.date)
            if low <= truth[0] and truth[1] <= high:
                result.honest_dates += 1
            elif low <= truth[1] and truth[0] <= high and _cue_kept(c.date_basis, event.get("date_basis")):
                result.honest_dates += 1
                result.narrower_than_record.append(
                    f"{event['uid']}: {c.date} (the text's day), record {event['date']}"
                )
            else:
                result.dishonest.append(f"{event['uid']}: {c.date} does not hold {event['date']}")
    proposed = {_norm(c.quote) for c in candidates}
    for span in find_quotes(text):
        words = _norm(span.words(text))
        if any(words in f or f in words for f in fragments):
            continue
        result.scare_quotes += 1
        if words in proposed:
            result.scare_proposed.append(span.words(text))
    return result


def report(result: Score, size: int) -> str:
    return "\n".join(
        [
            f"quoted statements in the seed (actions' names excluded): {result.statements}",
            f"found: {result.found}; with the right speaker: {result.right_speaker} "
            f"(the very actor: {result.right_speaker_exact}; else the government or body it belongs to)",
            f"dates honest (hold the seed's date): {result.honest_dates} of {result.dated} candidates",
            f"other quotations (scare quotes, names): {result.scare_quotes}; proposed as statements: "
            f"{len(result.scare_proposed)} {result.scare_proposed}",
            *(f"  miss: {m}" for m in result.misses),
            *(f"  dishonest: {m}" for m in result.dishonest),
            *(
                f"  narrower than the public record, as the text says: {m}"
                for m in result.narrower_than_record
            ),
            f"extraction time: {result.seconds:.3f} s for {size} characters",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("article", type=Path)
    parser.add_argument("seed", type=Path)
    parser.add_argument("--published", required=True, help="EDTF day or interval")
    parser.add_argument("--min-right", type=int, default=0, help="fail below this many right speakers")
    args = parser.parse_args(argv)
    text = args.article.read_text(encoding="utf-8")
    result = score(text, published_window(args.published), json.loads(args.seed.read_text(encoding="utf-8")))
    print(report(result, len(text)))
    ok = result.right_speaker >= args.min_right and not result.scare_proposed and not result.dishonest
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
