"""The listing filters every view shares (`?topic=&from=&to=&kind=&confidence=`), `?page=` and `?axis=`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from ... import queries
from ...dates import InvalidDate, parse_bound
from ...models import CONFIDENCE_RANK, Confidence, EventKind
from .. import paging
from ..errors import Invalid

FILTER_NAMES = ("topic", "from", "to", "kind", "confidence")
KINDS = [k.value for k in EventKind]


@dataclass
class Filters:
    """Parsed filters, the errors by parameter (a bad one is left out), and the values echoed back."""

    filters: queries.EventFilters
    errors: dict[str, str] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        """Unpacks as (filters, errors, args), as the tuple parse_filters() returned before."""
        return iter((self.filters, self.errors, self.args))

    def check(self) -> queries.EventFilters:
        """The filters, or Invalid naming every bad parameter (the JSON twins answer it with 400)."""
        if self.errors:
            raise Invalid(dict(self.errors), "Invalid filter.")
        return self.filters


def event_filters(session: Session, params: Mapping[str, str]) -> Filters:
    """Filters from query parameters, with per-parameter errors and the values echoed back."""
    args = {k: (params.get(k) or "").strip() for k in FILTER_NAMES}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if args["topic"]:
        topic = queries.topic_by_slug(session, args["topic"])
        if topic is None:
            errors["topic"] = f"no topic “{args['topic']}”"
        else:
            values["topic_id"] = topic.id
    for name, key, upper in (("from", "date_from", False), ("to", "date_to", True)):
        if args[name]:
            try:
                values[key] = parse_bound(args[name], upper=upper)
            except InvalidDate as exc:
                errors[name] = str(exc)
    if args["kind"]:
        if args["kind"] not in KINDS:
            errors["kind"] = f"unknown kind “{args['kind']}”"
        else:
            values["kind"] = args["kind"]
    if args["confidence"]:
        if args["confidence"] not in CONFIDENCE_RANK:
            errors["confidence"] = "use low, medium or high"
        else:
            values["min_confidence"] = Confidence(args["confidence"])
    return Filters(queries.EventFilters(**values), errors, args)


def listing_page(raw: str | None, total: int, errors: dict[str, str]) -> paging.Page:
    """The page of a listing asked for by `?page=`; a bad one joins `errors` and page 1 shows."""
    try:
        return paging.page(raw, total)
    except Invalid as exc:
        errors.update(exc.fields)
        return paging.Page(1, total)


def whole_axis(raw: str | None, errors: dict[str, str]) -> bool:
    """`?axis=all`: the charts' time axis covers every statement; anything else but empty is an error."""
    value = (raw or "").strip()
    if value not in ("", "all"):
        errors["axis"] = "use “all” (the whole span) or leave it empty"
    return value == "all"
