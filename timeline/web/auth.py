"""Sign-in for editors (session cookie), API tokens (Bearer), roles, safe redirects, rate limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from ..db import get_session, write_session
from ..models import Role, User, utcnow
from ..services import accounts
from .forms import LoginForm, csrf

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
F = TypeVar("F", bound=Callable[..., Any])
FAILED_LOGIN_LIMITS = ("10 per 15 minutes", "30 per 15 minutes")  # per account, per address


@dataclass(frozen=True)
class Editor(UserMixin):
    """The signed-in person, as the web layer sees them."""

    id: int
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @classmethod
    def of(cls, user: User) -> Editor:
        assert user.id is not None
        return cls(user.id, user.name, user.role)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in as an editor to do that."
    limiter.init_app(app)
    app.register_blueprint(bp)
    app.before_request(_protect_writes)


@login_manager.user_loader
def _load_user(user_id: str) -> Editor | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return Editor.of(user) if user and not user.disabled else None


@login_manager.request_loader
def _load_from_token(req: Any) -> Editor | None:
    token = bearer_token()
    if token is None:
        return None
    read = get_session()
    try:
        owner = accounts.user_for_token(read, token)
    finally:
        # End the read transaction now: a snapshot held through this request's write keeps SQLite from
        # checkpointing the WAL, and then every commit syncs it to disk.
        read.rollback()
    if owner is None:
        return None
    now = utcnow()
    if accounts.token_use_due(owner.last_used_at, now):  # at most once a minute, not a write per request
        with write_session(bookkeeping=True) as session:
            accounts.record_token_use(session, owner.id, now)
    return Editor(owner.user_id, owner.name, owner.role)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _protect_writes() -> None:
    # Cookie sessions need a CSRF token on every write; a Bearer token cannot be sent by another site.
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or bearer_token() is not None:
        return
    if request.path.startswith("/api/") and not current_user.is_authenticated:
        return  # no credentials at all: the API answers 401 itself
    csrf.protect()


def safe_next(target: str | None) -> str:
    """A redirect target inside this site, or the home page."""
    if not target or len(target) > 2000 or "\\" in target or any(ord(c) < 32 for c in target):
        return url_for("pages.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.index")
    return target


def editor_required(view: F) -> F:
    """Signed-in editors (and admins) only; others are sent to the sign-in page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            if request.path.startswith("/api/"):
                abort(401, description="Send an API token: Authorization: Bearer <token>.")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        g.editor = current_user
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    """Admins only: editors get 403."""

    @wraps(view)
    @editor_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403, description="Only an admin can do that.")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def current_user_id() -> int | None:
    return int(current_user.id) if current_user.is_authenticated else None


def _account_key() -> str:
    return "account:" + (request.form.get("name", "") or "").strip().casefold()[:80]


def _failed(response: BaseResponse) -> bool:
    return response.status_code == 401


@bp.get("/login")
def login() -> str:
    return render_template("login.html", form=LoginForm(next=request.args.get("next", "")))


@bp.post("/login")
@limiter.limit(
    FAILED_LOGIN_LIMITS[0],
    key_func=_account_key,
    deduct_when=_failed,
    error_message="Too many failed sign-ins for this account; wait a few minutes.",
)
@limiter.limit(
    FAILED_LOGIN_LIMITS[1],
    deduct_when=_failed,
    error_message="Too many failed sign-ins from your address; wait a few minutes.",
)
def login_post() -> tuple[str, int] | BaseResponse:
    form = LoginForm()
    if not form.validate():
        return render_template("login.html", form=form), 400
    with write_session(bookkeeping=True) as session:
        user = accounts.authenticate(session, form.name.data or "", form.password.data or "")
        editor = Editor.of(user) if user else None
    if editor is None:
        # The same words whether the account exists or not.
        return render_template("login.html", form=form, error="Wrong name or password."), 401
    login_user(editor)
    flash(f"Signed in as {editor.name}.")
    return redirect(safe_next(form.next.data), 303)


@bp.post("/logout")
def logout() -> BaseResponse:
    logout_user()
    flash("Signed out.")
    return redirect(url_for("pages.index"), 303)
