"""Security headers on every response, and a session cookie that is Secure over HTTPS."""

from __future__ import annotations

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask.wrappers import Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {frames}"
)


class AdaptiveSessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def allow_framing() -> None:
    """Called by embed views: they are meant to be shown in other sites' frames."""
    g.allow_framing = True


def _headers(response: Response) -> Response:
    framing = g.get("allow_framing", False)
    csp = CSP.format(frames="*" if framing else "'none'")
    if framing:
        # TimelineJS sets style attributes in its markup; scripts stay 'self' only.
        csp = csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if not framing:
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    app.session_interface = AdaptiveSessionInterface()
    app.after_request(_headers)
