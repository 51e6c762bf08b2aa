"""Error pages: JSON for JSON routes and clients, HTML for people; one handler for every DomainError."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadHost, HTTPException, InternalServerError, SecurityError

from ..errors import DatabaseBusy, DomainError, StorageError
from ..services.records import dumps


def wants_json() -> bool:
    path = request.path
    if path.startswith("/api/") or path == "/healthz":
        return True
    last = path.rsplit("/", 1)[-1]
    if "." in last and not last.endswith(".html"):  # a page's twin (.json, .csv, .atom, .svg, .bib...)
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _render(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> tuple[Response | str, int]:
    """The one error shape: JSON {"error": {"code", "message", "fields"}}, or the error page for people."""
    if wants_json():
        body = dumps({"error": {"code": code, "message": message, "fields": fields or {}}})
        return Response(body, status=status, mimetype="application/json"), status
    return render_template("error.html", status=status, message=message, fields=fields or {}), status


BAD_HOST = "This site does not answer to that host name (the request's Host header); check the address."


def init_app(app: Flask) -> None:
    @app.errorhandler(BadHost)  # a name IDNA cannot encode (a label over 63 characters)
    @app.errorhandler(SecurityError)  # a name outside TRUSTED_HOSTS
    def bad_host(exc: HTTPException) -> tuple[Response, int]:
        # No page layout: no URL can be built for a refused Host, and none must point at it.
        if wants_json():
            return Response(
                dumps({"error": {"code": "bad_host", "message": BAD_HOST, "fields": {}}}),
                mimetype="application/json",
            ), 400
        page = f"<!doctype html><title>400 Bad request</title><h1>Bad request</h1><p>{BAD_HOST}</p>"
        return Response(page, mimetype="text/html"), 400

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
        return _render(
            400,
            "csrf",
            "The form's security token is missing or expired. Go back, reload the page and send it again.",
        )

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Response:
        """Every error a service raises on purpose: its status and code, as JSON or as an error page."""
        if isinstance(exc, StorageError):
            app.logger.error("%s", exc.message)
        elif isinstance(exc, DatabaseBusy):
            app.logger.warning("%s %s: %s", request.method, request.path, exc.message)
        response = make_response(_render(exc.status, exc.code, exc.message, exc.fields))
        if isinstance(exc, DatabaseBusy):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        return _render(status, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response | str, int]:
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(500, "internal_error", InternalServerError.description)
