"""Extraction: POST /api/v1/extract for tools, and the editors' review page (works without JavaScript)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..db import get_session, write_session
from ..integers import MAX_ID, parse_int
from ..services import feeds
from ..services.errors import Invalid
from ..services.extraction import accept, service
from ..services.extraction.model import Candidate, Extraction
from ..services.extraction.sources import Article, article_from_upload, fetch_article
from ..services.sources import content_sha256
from .auth import current_user_id, editor_required
from .common import error_json, json_response
from .jsonbody import BodyError, json_body

bp = Blueprint("extract", __name__)
_SOURCE_FIELDS = ("url", "title", "publisher", "author")
_FORM_FIELDS = ("text", "url", "published", "title", "publisher", "candidate")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _text_field(body: dict[str, Any], name: str, errors: dict[str, str]) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = "must be a string"
        return None
    return value


def _article_from_json(body: Any) -> tuple[Article, bool]:
    if not isinstance(body, dict):
        raise Invalid({"": "send a JSON object"}, "The body must be a JSON object.")
    errors: dict[str, str] = {}
    text, url = _text_field(body, "text", errors), _text_field(body, "url", errors)
    source = body.get("source") or {}
    if not isinstance(source, dict):
        errors["source"] = "must be an object"
        source = {}
    for name in _SOURCE_FIELDS:
        if source.get(name) is not None and not isinstance(source.get(name), str):
            errors[f"source.{name}"] = "must be a string"
    unknown = set(body) - {"text", "url", "published", "source"}
    if unknown:
        errors[sorted(unknown)[0]] = "unknown field"
    if (text is None) == (url is None) and not errors:
        errors["text"] = "give either text or url"
    if errors:
        raise Invalid(errors, "Invalid extraction request.")
    if url is not None:
        return fetch_article(url), True
    return Article(
        text or "",
        source.get("title"),
        source.get("author"),
        None,
        source.get("publisher"),
        source.get("url"),
    ), False


@bp.errorhandler(BodyError)
def _body_error(exc: BodyError) -> Response:
    return error_json(exc.status, exc.code, exc.message)


@bp.post("/api/v1/extract")
@editor_required
def api_extract() -> Response:
    """Candidates for pasted text or a fetched URL; nothing is stored."""
    body = json_body()
    article, fetched = _article_from_json(body)
    published_text = body.get("published") or article.published
    if published_text is not None and not isinstance(published_text, str):
        raise Invalid({"published": "must be a string"}, "Invalid publication date.")
    result = service.extract_article(get_session(), article, service.published_date(published_text))
    return json_response(service.as_json(result, include_text=fetched))


# --- the review page -------------------------------------------------------------------------------


def _highlighted(result: Extraction, shown: list[Candidate]) -> list[tuple[str, int | None]]:
    """The text cut into plain runs and candidate spans (with the candidate's number)."""
    pieces: list[tuple[str, int | None]] = []
    at = 0
    for n, c in enumerate(result.candidates):
        if c.start < at or c not in shown:
            continue
        pieces.append((result.text[at : c.start], None))
        pieces.append((result.text[c.start : c.end], n))
        at = c.end
    pieces.append((result.text[at:], None))
    return pieces


@bp.get("/extract")
@editor_required
def review_form() -> str:
    return render_template("extract.html", result=None, form={}, errors={}, dismissed=[])


def _read_article() -> tuple[dict[str, str], Extraction]:
    """The review form's article (pasted, uploaded or fetched) and its candidates."""
    form = {k: request.form.get(k, "").strip() for k in _FORM_FIELDS}
    # Browsers send line breaks as CRLF: the text read again must be the text read first.
    form["text"] = form["text"].replace("\r\n", "\n")
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        article = article_from_upload(upload.filename, upload.read())
    elif form["url"] and not form["text"]:
        private = bool(current_app.config["ALLOW_PRIVATE_ADDRESSES"])  # tests with a local server only
        try:
            article = fetch_article(form["url"], allow_private=private)
        except Invalid as exc:
            # A feed item whose page cannot be read: its stored title and summary are read instead.
            stored = request.form.get("stored_text", "").strip()
            if not stored:
                raise
            form["text"], form["fetch_error"] = stored, exc.fields.get("url", exc.message)
            article = Article(stored, form["title"] or None, None, None, form["publisher"] or None)
    else:
        article = Article(form["text"], form["title"] or None, None, None, form["publisher"] or None)
    if form["url"] and article.url is None:
        article.url = form["url"]
    published = service.published_date(form["published"] or article.published)
    return form, service.extract_article(get_session(), article, published)


def _review_page(
    result: Extraction, form: dict[str, str], status: int = 200, **extra: Any
) -> tuple[str, int]:
    dismissed = [d for d in request.form.getlist("dismissed") if d.isdigit()]
    shown = [c for n, c in enumerate(result.candidates) if str(n) not in dismissed]
    page = render_template(
        "extract.html",
        result=result,
        pieces=_highlighted(result, shown),
        text_sha256=content_sha256(result.text),  # the single Accept's source when it has no URL or title
        form=form,
        errors=extra.pop("errors", {}),
        dismissed=dismissed,
        **extra,
    )
    return page, status


def _unreadable_article(exc: Invalid) -> tuple[str, int]:
    """The form again with what could not be read (no text, a bad date, a URL refused...), 422."""
    form = {k: request.form.get(k, "").strip() for k in _FORM_FIELDS}
    page = render_template(
        "extract.html", result=None, form=form, errors=exc.fields, error=exc.message, dismissed=[]
    )
    return page, 422


@bp.post("/extract")
@editor_required
def review() -> tuple[str, int]:
    try:
        form, result = _read_article()
    except Invalid as exc:
        return _unreadable_article(exc)
    return _review_page(result, form)


@bp.post("/extract/accept-one")
@editor_required
def accept_one() -> BaseResponse:
    """Keep the article's source with its text, then open the add-event form prefilled (a 307 re-posts
    the candidate's fields to it), where saving links the event and anchors its quote in that text."""
    try:
        with write_session() as session:
            accept.keep_article_source(
                session,
                text=request.form.get("text", "").strip().replace("\r\n", "\n"),
                url=request.form.get("source_url") or None,
                title=request.form.get("source_title") or None,
                publisher=request.form.get("source_publisher") or None,
                author=request.form.get("source_author") or None,
                published=request.form.get("source_published") or None,
            )
    except Invalid:
        pass  # a source that cannot be kept (a bad URL) is reported by the event form itself
    return redirect(url_for("editing.create_event"), 307)


@bp.post("/extract/accept")
@editor_required
def accept_selected() -> tuple[str, int]:
    """Accept the checked candidates: the article is read again and each chosen candidate stored."""
    numbers = (parse_int(n, minimum=0, maximum=99_999) for n in request.form.getlist("selected"))
    selected = [n for n in numbers if n is not None]  # ASCII digits only: "²" is not a candidate
    try:
        form, result = _read_article()
    except Invalid as exc:
        return _unreadable_article(exc)
    try:
        with write_session() as session:
            created = accept.accept_candidates(session, result, selected, current_user_id())
            item = parse_int(form["candidate"], minimum=1, maximum=MAX_ID)  # the review-queue item
            if item is not None and created:
                feeds.accept(session, item, created[0].id)
            saved = [(e.id, e.record["uid"]) for e in created]
    except Invalid as exc:
        per_candidate = accept.errors_by_candidate(exc.fields)
        return _review_page(
            result,
            form,
            422,
            error=exc.message,
            errors=exc.fields,
            candidate_errors=per_candidate,
            selected=selected,
        )
    _form, result = _read_article()  # again: the new events now mark their candidates as recorded
    return _review_page(result, form, saved=saved)
