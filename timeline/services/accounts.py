"""Editor accounts, passwords (argon2) and API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlmodel import Session, col

from .. import queries
from ..models import ApiToken, Role, User, utcnow
from ..queries import count_users, list_users, user_by_name
from .errors import Conflict, Invalid, NotFound

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
    """A new password for this user; every session they have open ends."""
    user = user_by_name(session, name)
    if user is None:
        raise NotFound(f"No user named “{name}”.")
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    user.session_generation += 1
    session.flush()
    return user


def disable_user(session: Session, name: str, *, by: str | None = None) -> User:
    """Disable an account, end its sessions and revoke its tokens; `by` (the admin asking) cannot
    disable their own account (Conflict), which would lock them out."""
    if by is not None and name == by:
        raise Conflict("You cannot disable your own account.")
    user = user_by_name(session, name)
    if user is None:
        raise NotFound(f"No user named “{name}”.")
    user.disabled = True
    user.session_generation += 1
    for token in queries.tokens_of(session, user):
        token.revoked_at = token.revoked_at or utcnow()
    session.flush()
    return user


@dataclass(frozen=True)
class SignIn:
    """A checked name and password: who, the session generation to sign in under, and a new hash
    when the stored one uses outdated parameters."""

    user_id: int
    name: str
    role: str
    generation: int
    new_hash: str | None = None


def authenticate(session: Session, name: str, password: str) -> SignIn | None:
    """The active user with this name and password, or None (the same cost either way); reads only,
    so the slow hash is checked outside any write transaction."""
    user = user_by_name(session, name.strip()) if len(name) <= 80 else None
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    assert user.id is not None
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(user.password_hash) else None
    return SignIn(user.id, user.name, user.role, user.session_generation, new_hash)


def record_sign_in(session: Session, sign_in: SignIn) -> None:
    """Note the sign-in time (and store the refreshed hash), in a short write transaction."""
    values: dict[str, Any] = {"last_login_at": utcnow()}
    if sign_in.new_hash is not None:
        values["password_hash"] = sign_in.new_hash
    session.execute(update(User).where(col(User.id) == sign_in.user_id).values(**values))


def end_sessions(session: Session, user_id: int) -> None:
    """Sign this user out everywhere: every session cookie issued before now stops working."""
    session.execute(
        update(User)
        .where(col(User.id) == user_id)
        .values(session_generation=col(User.session_generation) + 1)
    )


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


# The password change form's fields, as Invalid names them.
CURRENT, NEW, AGAIN = "current_password", "new_password", "new_password_again"


@dataclass(frozen=True)
class PasswordChange:
    """A checked password change, ready to store: the hash it replaces and the new one."""

    user_id: int
    old_hash: str
    new_hash: str


def check_password_change(
    session: Session, user_id: int, current: str, new: str, again: str
) -> PasswordChange:
    """Check an editor's own password change (reads only: the slow hashing happens here, outside any
    write transaction); Invalid names each field that is wrong."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        raise NotFound("This account no longer exists or is disabled.")
    errors: dict[str, str] = {}
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        errors[CURRENT] = (
            "enter your current password" if not current else "this is not your current password"
        )
    try:
        _check_password(new)
    except Invalid as exc:
        errors[NEW] = exc.fields["password"]
    else:
        if new == current:
            errors[NEW] = "choose a password different from the current one"
    if again != new:
        errors[AGAIN] = "does not match the new password"
    if errors:
        raise Invalid(errors, "The password was not changed.")
    assert user.id is not None
    return PasswordChange(user.id, user.password_hash, _hasher.hash(new))


def store_password_change(session: Session, change: PasswordChange) -> int:
    """Store a checked change and end every session of the user; returns the new session generation.
    Conflict when the password changed in between (another tab, the CLI)."""
    changed = session.execute(
        update(User)
        .where(col(User.id) == change.user_id, col(User.password_hash) == change.old_hash)
        .values(password_hash=change.new_hash, session_generation=col(User.session_generation) + 1)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Your password was changed elsewhere meanwhile: sign in again and retry.")
    generation = session.execute(
        select(col(User.session_generation)).where(col(User.id) == change.user_id)
    ).scalar_one()
    return int(generation)
