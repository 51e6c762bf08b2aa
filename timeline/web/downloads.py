"""Downloads that say what they hold: file names from the subject and the filters, attachments on request."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from flask import Response, request

from ..models import Actor, Event, Stance, Topic
from ..services.tabular import csv_rows, csv_text, timelinejs_document
from .common import json_response

_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def _safe(value: str) -> str:
    return _UNSAFE.sub("-", value).strip("-")[:60]


def download_name(subject: str, args: Mapping[str, str], ext: str, *, subject_is_topic: bool = False) -> str:
    """`jcpoa_2019-2020.csv`, `vladimir-putin_jcpoa.json`: the subject, then each filter that narrows it."""
    parts = [_safe(subject)]
    if args.get("topic") and not subject_is_topic:
        parts.append(_safe(args["topic"]))
    start, end = _safe(args.get("from", "")), _safe(args.get("to", ""))
    if start and end:
        parts.append(start if start == end else f"{start}-{end}")
    elif start:
        parts.append(f"from-{start}")
    elif end:
        parts.append(f"to-{end}")
    for name in ("kind", "confidence"):
        if args.get(name):
            parts.append(_safe(args[name]) if name == "kind" else f"{_safe(args[name])}-confidence")
    return "_".join(p for p in parts if p) + "." + ext


def attachment(response: Response, filename: str) -> Response:
    """The response offered as a file named `filename`."""
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def offer(response: Response, filename: str) -> Response:
    """A JSON twin offered as a file when asked (`?download=1`, which the pages' export links carry)."""
    if request.args.get("download") == "1" and response.status_code == 200:
        return attachment(response, filename)
    return response


def csv_file(body: str | Iterator[str], filename: str) -> Response:
    """`body` as a CSV file; `?bom=1` puts a byte order mark first (a streamed body writes its own)."""
    if isinstance(body, str) and request.args.get("bom") == "1":
        body = "\ufeff" + body  # lets spreadsheet programs detect UTF-8
    return attachment(Response(body, mimetype="text/csv"), filename)


def statements_csv(
    events: Iterable[Event],
    actors: Mapping[int, Actor],
    stances: Mapping[int, list[tuple[Stance, Topic]]],
    filename: str,
    *,
    topic_id: int | None,
) -> Response:
    """Statements as a CSV file, a row per stance; with `topic_id`, only that topic's rows (as the page)."""
    return csv_file(csv_text(csv_rows(events, actors, stances, topic_id)), filename)


def statements_timelinejs(
    title: str,
    subtitle: str,
    events: Iterable[Event],
    actors: Mapping[int, Actor],
    stances: Mapping[int, list[tuple[Stance, Topic]]],
    filename: str,
    *,
    group_by: str,
    topic_id: int | None = None,
) -> Response:
    """Statements as a TimelineJS document (slides grouped by "topic" or "actor"), a file on request."""
    document = timelinejs_document(title, subtitle, events, actors, stances, group_by, topic_id)
    return offer(json_response(document), filename)
