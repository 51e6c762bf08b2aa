"""Sources and quote anchors in the native JSON format, version 2: a "sources" list, each event naming
its source by key ("source_ref") and carrying its anchor ("anchor", a TextQuoteSelector).

Version 2 is version 1 plus these three members, so a version 1 reader of events sees the same
records, and a version 1 document imports as it always did (its events link to sources by citation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, ValidationError, model_validator
from sqlmodel import Session, SQLModel

from .. import queries, source_queries
from ..models import Source
from ..schemas import OptLine, check_http_url, field_errors
from . import sources
from .errors import Invalid
from .records import dumpb

VERSION_2 = 2
MAX_SOURCE_TEXT = 2_000_000


def source_key(source_id: int) -> str:
    return f"source-{source_id}"


class _Strict(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


class AnchorIn(_Strict):
    """A W3C Web Annotation TextQuoteSelector; exact must be the event's quote."""

    type: str = Field(default="TextQuoteSelector", pattern="^TextQuoteSelector$")
    exact: str = Field(min_length=1, max_length=10000)
    prefix: str = Field(default="", max_length=200)
    suffix: str = Field(default="", max_length=200)


class SourceIn(_Strict):
    key: str = Field(min_length=1, max_length=80)
    url: Annotated[OptLine, AfterValidator(check_http_url)] = Field(default=None, max_length=2000)
    title: OptLine = Field(default=None, max_length=500)
    publisher: OptLine = Field(default=None, max_length=200)
    author: OptLine = Field(default=None, max_length=200)
    published: OptLine = Field(default=None, max_length=40)
    archive_url: Annotated[OptLine, AfterValidator(check_http_url)] = Field(default=None, max_length=2000)
    retrieved_at: datetime | None = None
    content_sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")
    # Kept exactly as read (no trimming): anchors and the digest depend on every character.
    text: str | None = Field(default=None, max_length=MAX_SOURCE_TEXT)

    @model_validator(mode="after")
    def _digest_matches(self) -> SourceIn:
        if self.text is not None:
            digest = sources.content_sha256(self.text)
            if self.content_sha256 is not None and self.content_sha256 != digest:
                raise ValueError("content_sha256 is not the SHA-256 of text")
            self.content_sha256 = digest
        return self

    @property
    def fields(self) -> sources.SourceFields:
        return sources.SourceFields(
            self.url, self.title, self.publisher, self.author, self.published, self.archive_url
        )


@dataclass
class SourceLinks:
    """A version 2 document's sources, and each event's (by uid) source key and anchor."""

    sources: list[SourceIn] = field(default_factory=list)
    events: dict[str, tuple[str | None, AnchorIn | None]] = field(default_factory=dict)


def _invalid(where: str, fields: Mapping[str, str]) -> Invalid:
    first = next(iter(fields))
    return Invalid(
        {f"{where}.{k}" if k else where: v for k, v in fields.items()},
        f"Record {where}, field “{first}”: {fields[first]}",
    )


def split_version_2(doc: Mapping[str, Any]) -> tuple[dict[str, Any], SourceLinks]:
    """The document as version 1 (events without source_ref and anchor) and what it says of sources.

    Raises Invalid naming the record (sources[3].url, events[5].source_ref); no database access.
    """
    raw_sources = doc.get("sources", [])
    if not isinstance(raw_sources, list):
        raise Invalid({"sources": "must be a list"}, "“sources” must be a list.")
    links = SourceLinks()
    keys: set[str] = set()
    for i, record in enumerate(raw_sources):
        if not isinstance(record, dict):
            raise Invalid({f"sources[{i}]": "must be an object"}, f"Record sources[{i}] must be an object.")
        try:
            source = SourceIn.model_validate(record)
        except ValidationError as exc:
            raise _invalid(f"sources[{i}]", field_errors(exc)) from exc
        if source.key in keys:
            raise _invalid(f"sources[{i}]", {"key": f"“{source.key}” appears twice in the document"})
        keys.add(source.key)
        links.sources.append(source)
    events = doc.get("events", [])
    plain_events: list[Any] = []
    for i, record in enumerate(events if isinstance(events, list) else []):
        if not isinstance(record, dict):
            plain_events.append(record)
            continue
        record = dict(record)
        ref, anchor_raw = record.pop("source_ref", None), record.pop("anchor", None)
        plain_events.append(record)
        if ref is not None and (not isinstance(ref, str) or ref not in keys):
            raise _invalid(f"events[{i}]", {"source_ref": "names no source of this document"})
        anchor = None
        if anchor_raw is not None:
            try:
                anchor = AnchorIn.model_validate(anchor_raw)
            except ValidationError as exc:
                raise _invalid(f"events[{i}].anchor", field_errors(exc)) from exc
            if anchor.exact != record.get("quote"):
                raise _invalid(f"events[{i}].anchor", {"exact": "must be the event's quote, exactly"})
        if (ref is not None or anchor is not None) and isinstance(record.get("uid"), str):
            links.events[record["uid"]] = (ref, anchor)
    plain = {**doc, "version": 1, "events": plain_events if isinstance(events, list) else events}
    plain.pop("sources", None)
    return plain, links


def apply_links(session: Session, links: SourceLinks) -> None:
    """Keep the document's sources and link its events (after the events are written).

    A source is matched like any other (same URL, or title and publisher, or the same text); a kept
    text is never replaced. An event's source is set when the document names one (new events already
    link the one their citation names), its anchor only when the document gives one: one executemany
    per shape, inside the import's short write.
    """
    by_key: dict[str, Source | None] = {}
    for record in links.sources:
        by_key[record.key] = sources.keep_source(
            session, record.fields, text=record.text, retrieved_at=_utc(record.retrieved_at)
        )
    ids = queries.event_ids_by_uid(session, list(links.events))
    changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for uid, (ref, anchor) in links.events.items():
        if uid not in ids:
            continue
        values: dict[str, Any] = {}
        if ref:
            source = by_key.get(ref)
            values["source_id"] = source.id if source else None
        if anchor is not None:
            values.update(quote_prefix=anchor.prefix, quote_suffix=anchor.suffix)
        if values:
            changes.setdefault(tuple(values), []).append({"event": ids[uid], **values})
    for columns, rows in changes.items():
        source_queries.link_events(session, columns, rows)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- export -----------------------------------------------------------------------------------------


def source_records(
    session: Session, source_ids: Sequence[int], *, texts: bool = True
) -> list[dict[str, Any]]:
    """These sources as version 2 records, by id; without their texts (null) unless asked (a public
    download carries no copy of third parties' articles, only their digests)."""
    records = [_record(s) for s in source_queries.sources_by_ids(session, source_ids)]
    if not texts:
        for record in records:
            record["text"] = None
    return records


def with_extras(
    session: Session, event_ids: Sequence[int], bodies: Sequence[bytes], cited: set[int]
) -> list[bytes]:
    """Event records (JSON built by the database) with their version 2 members added; the sources
    they name are added to `cited`."""
    extras = event_extras(session, event_ids)
    out = []
    for event_id, body in zip(event_ids, bodies, strict=True):
        extra = extras.get(event_id, {"source_ref": None, "anchor": None})
        source_id = extra.pop("source_id", None)
        if source_id is not None:
            cited.add(source_id)
        out.append(body[: body.rindex(b"}")] + b"," + dumpb(extra)[1:])
    return out


def _record(s: Source) -> dict[str, Any]:
    assert s.id is not None
    record = {"key": source_key(s.id), **sources.source_record(s)}
    del record["id"]
    return record


def event_extras(session: Session, event_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each event's source_ref and anchor (version 2 members), by event id."""
    extras: dict[int, dict[str, Any]] = {}
    for event_id, source_id, quote, prefix, suffix in source_queries.event_links(session, event_ids):
        anchor = sources.event_anchor(SimpleNamespace(quote=quote, quote_prefix=prefix, quote_suffix=suffix))
        extras[event_id] = {
            "source_ref": source_key(source_id) if source_id is not None else None,
            "anchor": anchor.as_json() if anchor else None,
            "source_id": source_id,
        }
    return extras
