"""Editor accounts, passwords (argon2) and API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, col

from .. import queries
from ..models import ApiToken, Role, User, utcnow
from ..queries import count_users, list_users, user_by_name
from .errors import Invalid, NotFound

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both paths cost the same time. Made on first
    use, not at import: hashing takes argon2's 64 MiB, which would raise every worker's memory peak."""
    return _hasher.hash("timing-equaliser")


MIN_PASSWORD = 10
TOKEN_PREFIX = "st_"  # noqa: S105  (a public marker that makes tokens recognisable, not a secret)
# A token's last use is recorded to the minute: a write per request would double the cost of every API write.
TOKEN_USE_PRECISION = timedelta(minutes=1)


# Names appear in URLs (/admin/users/NAME/disable), logs and the CLI: "a/b" could never be disabled.
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", re.ASCII)
NAME_RULE = (
    "use 1 to 80 letters (a-z, A-Z), digits, dots, hyphens or underscores, starting with a letter or digit"
)


def _check_name(name: str) -> str:
    name = name.strip()
    if not ACCOUNT_NAME.fullmatch(name):
        raise Invalid({"name": NAME_RULE})
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid({"password": f"use at least {MIN_PASSWORD} characters"})
    if len(password) > 1024:
        raise Invalid({"password": "use at most 1024 characters"})


def create_user(session: Session, name: str, password: str, *, admin: bool = False) -> User:
    """A new editor (or admin); the name must be free."""
    name = _check_name(name)
    _check_password(password)
    if user_by_name(session, name) is not None:
        raise Invalid({"name": f"the name “{name}” is taken"})
    user = User(name=name, password_hash=_hasher.hash(password), role=Role.admin if admin else Role.editor)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, name: str, password: str) -> User:
    user = user_by_name(session, name)
    if user is None:
        raise NotFound(f"No user named “{name}”.")
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def disable_user(session: Session, name: str) -> User:
    """Disable an account and revoke its tokens."""
    user = user_by_name(session, name)
    if user is None:
        raise NotFound(f"No user named “{name}”.")
    user.disabled = True
    for token in queries.tokens_of(session, user):
        token.revoked_at = token.revoked_at or utcnow()
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (the same cost either way)."""
    user = user_by_name(session, name.strip()) if len(name) <= 80 else None
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


__all__ = ["count_users", "list_users", "user_by_name"]


def bootstrap_admin(session: Session, name: str = "admin") -> str | None:
    """On a site with no user yet, create an admin and return its one-time password."""
    if count_users(session):
        return None
    password = secrets.token_urlsafe(15)
    create_user(session, name, password, admin=True)
    return password


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, name: str) -> str:
    """A new API token for this user; only its hash is kept, so it is shown once."""
    user = user_by_name(session, name)
    if user is None:
        raise NotFound(f"No user named “{name}”.")
    if user.disabled:
        raise Invalid({"name": f"“{name}” is disabled"})
    assert user.id is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), prefix=token[:10]))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> Any | None:
    """The active user owning this token, as a row (queries.token_owner), or None; reads only."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    owner = queries.token_owner(session, _digest(token))
    if owner is None or owner.revoked_at is not None or owner.disabled:
        return None
    return owner


def token_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at `now` should be recorded: the last recorded use is TOKEN_USE_PRECISION old or more."""
    if last_used_at is None:
        return True
    if last_used_at.tzinfo is None:  # stored naive, in UTC
        last_used_at = last_used_at.replace(tzinfo=UTC)
    return not timedelta(0) <= now - last_used_at < TOKEN_USE_PRECISION


def record_token_use(session: Session, token_id: int, when: datetime) -> None:
    """Note a token's last use, in the caller's (bookkeeping) transaction."""
    session.execute(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=when))
