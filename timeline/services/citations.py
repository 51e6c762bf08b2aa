"""Citations of events: CSL-JSON, BibTeX, RIS, a formatted reference and Highwire meta tags.

One `Cite` per event decides what is cited; each format only writes it. The rule: when the source
is the speaker's own words (no source author, or the author is the speaker), the speaker is the
author and the item is an interview or a speech (or an article, for the speaker's own publication);
otherwise the source is a report, cited as an article by its author, the statement in its note.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from sqlmodel import Session

from .. import queries
from ..dates import InvalidDate, ParsedDate, parse_date
from ..models import Actor
from .family import family_ids

if TYPE_CHECKING:
    from citeproc import CitationStylesStyle

# citeproc-py, bibtexparser and rispy (with lxml, babel, ~15 MB) are imported where a format is written:
# a web worker that never formats a citation (an export's, say) does not keep them resident.

INTERVIEW, SPEECH, ARTICLE = "interview", "speech", "article"
# How each kind of item is typed in each format (no format has all three under one name).
CSL_TYPES = {INTERVIEW: "interview", SPEECH: "speech", ARTICLE: "article-newspaper"}
BIBTEX_TYPES = {INTERVIEW: "misc", SPEECH: "misc", ARTICLE: "article"}
RIS_TYPES = {INTERVIEW: "PCOMM", SPEECH: "GEN", ARTICLE: "NEWS"}
# Found without importing citeproc-py (find_spec does not run the package).
STYLE = Path(find_spec("citeproc").origin or "").parent / "data" / "styles" / "harvard-cite-them-right.csl"  # type: ignore[union-attr]
# LaTeX's special characters, written so that BibTeX's brace counting stays balanced.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_TABLE = str.maketrans(_LATEX)


@dataclass(frozen=True)
class Cite:
    """What one event's citation says, whatever the format."""

    key: str  # the event's uid: stable across sites and exports
    kind: str  # INTERVIEW, SPEECH or ARTICLE
    title: str
    authors: list[str]  # names exactly as stored (non-Latin scripts kept)
    speaker: str
    speaker_role: str | None
    issued: ParsedDate | None  # the source's publication date, else the statement's own
    said: ParsedDate  # when the statement was made
    container: str | None
    publisher: str | None
    place: str | None
    url: str | None
    archive_url: str | None
    quote: str | None
    summary: str | None
    page_url: str | None  # the event's page on this site

    @property
    def note(self) -> str:
        """The statement itself, and the archived copy: what a reader checks the citation against."""
        parts = []
        if self.kind == ARTICLE:
            who = f"{self.speaker} ({self.speaker_role})" if self.speaker_role else self.speaker
            parts.append(f"Statement by {who}, {self.said.display}")
        if self.quote:
            parts.append(f"“{self.quote}”")
        if self.archive_url:
            parts.append(f"Archived copy: {self.archive_url}")
        return ". ".join(parts)


def _parsed(text: str | None) -> ParsedDate | None:
    try:
        return parse_date(text) if text else None
    except InvalidDate:  # an unparsable stored source date is left out, never guessed
        return None


def _own_words(author: str | None, speaker: Actor) -> bool:
    names = {speaker.name.casefold(), *(a.casefold() for a in speaker.aliases or [])}
    return not author or author.strip().casefold() in names


def cite(event: Any, speaker: Actor, page_url: str | None = None) -> Cite:
    """The citation of an event (an ORM object or a row with its columns) said by `speaker`."""
    own = _own_words(event.source_author, speaker)
    if own:
        kind = INTERVIEW if event.kind == "interview" else ARTICLE if event.kind == "publication" else SPEECH
        title, authors, container = event.title, [speaker.name], event.source_title
    else:
        kind, authors = ARTICLE, [event.source_author]
        title, container = event.source_title or event.title, event.source_publisher
    said = parse_date(event.date_edtf)
    return Cite(
        key=event.uid,
        kind=kind,
        title=title,
        authors=authors,
        speaker=speaker.name,
        speaker_role=event.speaker_role,
        issued=_parsed(event.source_published) or (said if own else None),
        said=said,
        container=container if container != title else None,
        publisher=event.source_publisher,
        place=event.location if own else None,  # where it was said, not where a report appeared
        url=event.source_url or page_url,
        archive_url=event.archive_url,
        quote=event.quote,
        summary=event.summary,
        page_url=page_url,
    )


def actor_cites(
    session: Session, actor: Actor, filters: queries.EventFilters, page_url: Any = None
) -> list[Cite]:
    """Citations of an actor's view: its events and its officials', narrowed by the page's filters."""
    events = queries.events_for_actors(session, family_ids(session, actor), filters)
    return cites_of(session, events, page_url)


def cites_of(session: Session, events: Iterable[Any], page_url: Any = None) -> list[Cite]:
    """Citations of many events (rows or objects), their speakers read in one query."""
    rows = list(events)
    speakers = queries.actors_by_ids(session, {e.actor_id for e in rows})
    return [cite(e, speakers[e.actor_id], page_url(e.id) if page_url else None) for e in rows]


# --- dates in each format -------------------------------------------------------------------------


def _endpoints(date: ParsedDate) -> list[ParsedDate]:
    if date.precision == "open":  # ../D or D/..: the known end, marked circa by csl_date
        start, _, end = date.edtf.partition("/")
        return [parse_date(end if start == ".." else start)]
    if date.precision != "interval":
        return [date]
    start, _, end = date.edtf.partition("/")
    return [parse_date(start), parse_date(end)]


_SEASONS = ("21", "22", "23", "24")


def _stated(date: ParsedDate) -> list[int]:
    """A non-interval date's parts as written (not its widened bounds): year, month, day as known."""
    core = date.edtf.rstrip("~?%").split("-")
    if len(core) == 2 and core[1] in _SEASONS:
        return [int(core[0])]
    return [int(p) for p in core if p.isdigit()][: {"day": 3, "month": 2}.get(date.precision, 1)]


def csl_date(date: ParsedDate) -> dict[str, Any]:
    """A CSL date: its parts at their stated precision (a range for an interval), circa if qualified."""
    ends = _endpoints(date)
    result: dict[str, Any] = {"date-parts": [_stated(e) for e in ends]}
    if date.precision == "open" or any(e.edtf[-1] in "~?%" for e in ends):
        result["circa"] = True
    core = ends[0].edtf.rstrip("~?%").split("-")
    if len(ends) == 1 and len(core) == 2 and core[1] in _SEASONS:
        result["season"] = int(core[1]) - 20
    return result


def _ris_date(date: ParsedDate) -> str:
    """RIS DA: YYYY/MM/DD/other, the first day at its precision; the EDTF text when it says more."""
    first = csl_date(date)["date-parts"][0]
    fields = [f"{first[0]:04d}"] + [f"{p:02d}" for p in first[1:]]
    fields += [""] * (3 - len(fields))
    plain = date.precision in ("day", "month", "year") and date.edtf[-1] not in "~?%"
    return "/".join(fields) + "/" + ("" if plain else date.edtf)


# --- the formats ----------------------------------------------------------------------------------


def csl_item(c: Cite) -> dict[str, Any]:
    """One CSL-JSON item (names as literals: no guessing which part is a family name)."""
    item: dict[str, Any] = {"id": c.key, "type": CSL_TYPES[c.kind], "title": c.title}
    item["author"] = [{"literal": name} for name in c.authors]
    optional = {
        "container-title": c.container,
        "publisher": c.publisher,
        "event-place": c.place if c.kind != ARTICLE else None,
        "URL": c.url,
        "archive_location": c.archive_url,
        "abstract": c.summary,
        "note": c.note or None,
    }
    item.update({k: v for k, v in optional.items() if v})
    if c.issued is not None:
        item["issued"] = csl_date(c.issued)
    if c.kind != ARTICLE:
        item["event-date"] = csl_date(c.said)
    return item


def csl_json(cites: Sequence[Cite]) -> list[dict[str, Any]]:
    return [csl_item(c) for c in cites]


def _tex(text: str) -> str:
    return text.translate(_LATEX_TABLE)


def bibtex(cites: Sequence[Cite]) -> str:
    """A BibTeX (biblatex-compatible) file: UTF-8 kept, LaTeX specials escaped, EDTF `date` fields."""
    import bibtexparser
    from bibtexparser.library import Library
    from bibtexparser.model import Entry, Field

    library = Library()
    for c in cites:
        fields = [Field("author", " and ".join("{" + _tex(a) + "}" for a in c.authors))]
        fields.append(Field("title", _tex(c.title)))
        if c.container:
            fields.append(Field("journal" if c.kind == ARTICLE else "howpublished", _tex(c.container)))
        if c.publisher:
            fields.append(Field("publisher", _tex(c.publisher)))
        if c.kind != ARTICLE:
            fields.append(Field("type", c.kind.capitalize()))
            fields.append(Field("eventdate", c.said.edtf))
            if c.place:
                fields.append(Field("venue", _tex(c.place)))
        if c.issued is not None:
            fields.append(Field("date", c.issued.edtf))  # biblatex reads EDTF (ISO 8601-2)
            first, last = c.issued.earliest.year, c.issued.latest.year
            fields.append(Field("year", str(first) if first == last else f"{first}--{last}"))
        if c.url:
            fields.append(Field("url", c.url))
        if c.note:
            fields.append(Field("note", _tex(c.note)))
        if c.summary:
            fields.append(Field("abstract", _tex(c.summary)))
        library.add(Entry(BIBTEX_TYPES[c.kind], c.key, fields))
    return bibtexparser.write_string(library)


@cache
def _ris_writer() -> Any:
    import rispy

    class RisWriter(rispy.RisWriter):
        """rispy's writer without its "1." line before each record, which other readers take as junk."""

        def set_header(self, count: int) -> str:
            return ""

    return RisWriter


def _line(text: str) -> str:
    return " ".join(text.split("\n"))  # a RIS value is one line


def ris(cites: Sequence[Cite]) -> str:
    """A RIS file; the source URL first, then the archived copy."""
    references = []
    for c in cites:
        ref: dict[str, Any] = {
            "type_of_reference": RIS_TYPES[c.kind],
            "type_of_work": c.kind.capitalize(),
            "title": _line(c.title),
            "authors": list(c.authors),
            "id": c.key,
            "urls": [u for u in (c.url, c.archive_url) if u],
        }
        optional = {
            "secondary_title": c.container,
            "publisher": c.publisher,
            "place_published": c.place,
            "abstract": c.summary,
            "notes": [c.note] if c.note else None,
        }
        ref.update(
            {k: [_line(x) for x in v] if isinstance(v, list) else _line(v) for k, v in optional.items() if v}
        )
        if c.issued is not None:
            ref["year"] = f"{c.issued.earliest.year:04d}"
            ref["date"] = _ris_date(c.issued)
        references.append(ref)
    import rispy

    return rispy.dumps(references, implementation=_ris_writer())


@cache
def _style() -> CitationStylesStyle:
    import citeproc

    return citeproc.CitationStylesStyle(str(STYLE), validate=False)


def formatted(c: Cite) -> Markup:
    """The reference as HTML in the Harvard (Cite Them Right) style, formatted by citeproc-py."""
    return _formatted(json.dumps(_escaped(csl_item(c)), sort_keys=True))


@lru_cache(maxsize=2048)
def _formatted(item_json: str) -> Markup:
    # citeproc-py takes tens of milliseconds per reference: the same item is formatted once.
    # Its HTML formatter does not escape the item's text, so the item comes escaped (only the
    # style's own tags are markup).
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = json.loads(item_json)
    bibliography = CitationStylesBibliography(_style(), CiteProcJSON([item]), formatter.html)
    bibliography.register(Citation([CitationItem(item["id"])]))
    [entry] = bibliography.bibliography()
    return Markup(str(entry))  # noqa: S704 (every text was escaped by _escaped)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return str(escape(value))
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k == "id" else _escaped(v) for k, v in value.items()}
    return value


def highwire(c: Cite) -> list[tuple[str, str]]:
    """Highwire Press `citation_*` meta tags (read by Zotero's connector and by Google Scholar)."""
    tags = [("citation_title", c.title)]
    tags += [("citation_author", a) for a in c.authors]
    if c.issued is not None:
        parts = csl_date(c.issued)["date-parts"][0]
        tags.append(("citation_publication_date", "/".join(f"{p:02d}" for p in parts)))
    optional = [
        ("citation_publisher", c.publisher),
        ("citation_journal_title" if c.kind == ARTICLE else "citation_conference_title", c.container),
        ("citation_public_url", c.url),
        ("citation_abstract_html_url", c.page_url),
        ("citation_abstract", c.summary),
    ]
    tags += [(name, value) for name, value in optional if value]
    return tags
