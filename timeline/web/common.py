"""Helpers shared by the blueprints: JSON responses and the filter query string."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request, url_for
from werkzeug.routing import IntegerConverter

from ..db import get_session
from ..integers import MAX_ID, parse_int
from ..services.reads import filters as reads_filters
from ..services.reads.filters import Filters, event_filters
from ..services.records import dumpb


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only (the default also takes "١" as 1)."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        # Past the largest id (even 5,000 digits, which int() refuses): one that no row has, so 404.
        # (Refusing the match here would answer 405 where another method's rule has the same path.)
        number = parse_int(value, maximum=MAX_ID)
        return MAX_ID + 1 if number is None else number


def init_app(app: Flask) -> None:
    """Before any blueprint: routes bind their converters when they are registered."""
    app.url_map.converters["int"] = IdConverter


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumpb(data), status=status, mimetype="application/json", headers=headers or {})


def error_json(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    """The one error shape: {"error": {"code", "message", "fields"}}."""
    return json_response({"error": {"code": code, "message": message, "fields": fields or {}}}, status)


def parse_filters() -> Filters:
    """The listing filters of this request's query string, with per-parameter errors and values echoed."""
    return event_filters(get_session(), request.args)


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
    return reads_filters.whole_axis(request.args.get("axis"), errors)
