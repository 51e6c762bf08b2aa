"""Helpers shared by the blueprints: JSON responses and the filter query string."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from .. import queries
from ..dates import InvalidDate, parse_bound
from ..db import get_session
from ..models import CONFIDENCE_RANK, Confidence, EventKind
from ..services.records import dumpb


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
