"""Helpers shared by the blueprints: JSON responses and the filter query string."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request, url_for
from werkzeug.routing import IntegerConverter

from .. import queries
from ..dates import InvalidDate, parse_bound
from ..db import get_session
from ..integers import MAX_ID, parse_id
from ..models import CONFIDENCE_RANK, Confidence, EventKind
from ..services import paging
from ..services.errors import Invalid
from ..services.records import dumpb


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only (the default also takes "١" as 1)."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        # Past the largest id (even 5,000 digits, which int() refuses): one that no row has, so 404.
        # (Refusing the match here would answer 405 where another method's rule has the same path.)
        number = parse_id(value)
        return MAX_ID + 1 if number is None else number


def init_app(app: Flask) -> None:
    """Before any blueprint: routes bind their converters when they are registered."""
    app.url_map.converters["int"] = IdConverter


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumpb(data), status=status, mimetype="application/json", headers=headers or {})


def error_json(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    """The one error shape: {"error": {"code", "message", "fields"}}."""
    return json_response({"error": {"code": code, "message": message, "fields": fields or {}}}, status)


def parse_filters() -> tuple[queries.EventFilters, dict[str, str], dict[str, str]]:
    """Filters from the query string, with per-parameter errors and the values echoed back."""
    args = {k: request.args.get(k, "").strip() for k in ("topic", "from", "to", "kind", "confidence")}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if args["topic"]:
        topic = queries.topic_by_slug(get_session(), args["topic"])
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
        if args["kind"] not in {k.value for k in EventKind}:
            errors["kind"] = f"unknown kind “{args['kind']}”"
        else:
            values["kind"] = args["kind"]
    if args["confidence"]:
        if args["confidence"] not in CONFIDENCE_RANK:
            errors["confidence"] = "use low, medium or high"
        else:
            values["min_confidence"] = Confidence(args["confidence"])
    return queries.EventFilters(**values), errors, args


def current_page(total: int, errors: dict[str, str]) -> paging.Page:
    """The page of a listing asked for by `?page=`; a bad one is a filter error (400) showing page 1."""
    try:
        return paging.page(request.args.get("page"), total)
    except Invalid as exc:
        errors.update(exc.fields)
        return paging.Page(1, total)


def url_with(**changes: Any) -> str:
    """This page's URL with some parameters changed (None drops one); empty parameters left out."""
    values: dict[str, Any] = {k: v for k, v in request.args.items() if v != ""}
    values.update(changes)
    values.update(request.view_args or {})
    return url_for(str(request.endpoint), **{k: v for k, v in values.items() if v is not None})


def page_url(number: int) -> str:
    """This page's URL, every parameter kept, at another page of its listing."""
    return url_with(page=number)


def whole_axis(errors: dict[str, str]) -> bool:
    """`?axis=all`: the charts' time axis covers every statement; anything else but empty is an error."""
    value = request.args.get("axis", "").strip()
    if value not in ("", "all"):
        errors["axis"] = "use “all” (the whole span) or leave it empty"
    return value == "all"
