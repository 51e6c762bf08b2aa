"""Sign-in for editors (session cookie), API tokens (Bearer), roles, safe redirects, rate limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from ..db import get_session, write_session
from ..models import Role, User, utcnow
from ..services import accounts, signin_limits
from ..services.errors import Conflict, Invalid, NotFound
from ..services.signin_limits import TooManyFailures
from .forms import LoginForm, PasswordChangeForm, csrf

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
F = TypeVar("F", bound=Callable[..., Any])
_FAILURES = "timeline.signin_failures"
# What a session stores at sign-in (Flask-Login's "_user_id"): the user's id and session generation.
_SESSION_ID = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")


@dataclass(frozen=True)
class Editor(UserMixin):
    """The signed-in person, as the web layer sees them."""

    id: int
    name: str
    role: str
    generation: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def get_id(self) -> str:
        return f"{self.id}:{self.generation}"


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "database")
    app.config.setdefault("SIGNIN_FAILURES_PER_ACCOUNT", 10)
    app.config.setdefault("SIGNIN_FAILURES_PER_ADDRESS", 30)
    app.config.setdefault("SIGNIN_FAILURE_WINDOW", 900)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in as an editor to do that."
    app.extensions[_FAILURES] = _failure_store(app)
    app.register_blueprint(bp)
    app.before_request(_protect_writes)


def _failure_store(app: Flask) -> signin_limits.FailureStore:
    limits = signin_limits.SignInLimits(
        per_account=int(app.config["SIGNIN_FAILURES_PER_ACCOUNT"]),
        per_address=int(app.config["SIGNIN_FAILURES_PER_ADDRESS"]),
        window=timedelta(seconds=int(app.config["SIGNIN_FAILURE_WINDOW"])),
    )
    uri = str(app.config["RATELIMIT_STORAGE_URI"] or "database")
    if uri == "database":
        return signin_limits.DatabaseFailures(limits, get_session, lambda: write_session(bookkeeping=True))
    return signin_limits.LimitsFailures(limits, uri)


@login_manager.user_loader
def _load_user(session_id: str) -> Editor | None:
    if bearer_token() is not None:
        return None  # a request that carries a token is authenticated by the token alone
    match = _SESSION_ID.fullmatch(session_id)
    if match is None:
        return None
    user = get_session().get(User, int(match[1]))
    if user is None or user.disabled or user.session_generation != int(match[2]):
        return None  # signed out, password changed or disabled since this session began
    assert user.id is not None
    return Editor(user.id, user.name, user.role, user.session_generation)


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
    g.token_authenticated = True
    return Editor(owner.user_id, owner.name, owner.role)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _protect_writes() -> None:
    # Cookie sessions need a CSRF token on every write; a valid Bearer token cannot be sent by another
    # site, so only a request the token itself authenticated goes without.
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if current_user.is_authenticated and g.get("token_authenticated"):
        return
    if request.path.startswith("/api/") and not current_user.is_authenticated:
        return  # no valid credentials: the API answers 401 itself
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


def _start_session(editor: Editor) -> None:
    """A fresh session for this editor: nothing kept from before sign-in, a new CSRF token."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's per-request copy of the old token
    login_user(editor)


@bp.get("/login")
def login() -> str:
    return render_template("login.html", form=LoginForm(next=request.args.get("next", "")))


@bp.post("/login")
def login_post() -> tuple[str, int] | BaseResponse:
    form = LoginForm()
    if not form.validate():
        return render_template("login.html", form=form), 400
    name, password = form.name.data or "", form.password.data or ""
    failures: signin_limits.FailureStore = current_app.extensions[_FAILURES]
    account = signin_limits.account_key(name)
    address = signin_limits.address_key(request.remote_addr)
    try:
        failures.check(account, address, signin_limits.now())
    except TooManyFailures as exc:
        words = "this account" if exc.scope == "account" else "your address"
        error = f"Too many failed sign-ins for {words}: try again in {_in_words(exc.retry_after)}."
        response = make_response(render_template("login.html", form=form, error=error), 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    read = get_session()
    try:
        sign_in = accounts.authenticate(read, name, password)
    finally:
        read.rollback()
    if sign_in is None:
        failures.record(account, address, signin_limits.now())
        # The same words whether the account exists or not.
        return render_template("login.html", form=form, error="Wrong name or password."), 401
    with write_session(bookkeeping=True) as write:
        accounts.record_sign_in(write, sign_in)
    _start_session(Editor(sign_in.user_id, sign_in.name, sign_in.role, sign_in.generation))
    flash(f"Signed in as {sign_in.name}.")
    return redirect(safe_next(form.next.data), 303)


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"


@bp.post("/logout")
def logout() -> BaseResponse:
    if current_user.is_authenticated and not g.get("token_authenticated"):
        # Every copy of this session cookie, and the editor's sessions elsewhere, end here.
        with write_session(bookkeeping=True) as write:
            accounts.end_sessions(write, int(current_user.id))
    logout_user()
    session.clear()
    flash("Signed out.")
    return redirect(url_for("pages.index"), 303)


@bp.get("/account/password")
@editor_required
def password_page() -> str:
    return render_template("password.html", form=PasswordChangeForm())


@bp.post("/account/password")
@editor_required
def change_password() -> tuple[str, int] | BaseResponse:
    if g.get("token_authenticated"):
        abort(403, description="Change a password from a signed-in browser, not with an API token.")
    form = PasswordChangeForm()
    read = get_session()
    try:
        change = accounts.check_password_change(
            read,
            int(current_user.id),
            form.current_password.data or "",
            form.new_password.data or "",
            form.new_password_again.data or "",
        )
    except Invalid as exc:
        for field, message in exc.fields.items():
            form[field].errors = [message]
        return render_template("password.html", form=form), 400
    except NotFound as exc:
        abort(404, description=str(exc))
    finally:
        read.rollback()
    try:
        with write_session(bookkeeping=True) as write:
            generation = accounts.store_password_change(write, change)
    except Conflict as exc:
        abort(409, description=exc.message)
    # Every other session of this editor ends; this browser carries on under the new generation.
    _start_session(Editor(int(current_user.id), current_user.name, current_user.role, generation))
    flash("Password changed. Every other session of yours is now signed out.")
    return redirect(url_for("pages.index"), 303)
