"""Users, API tokens and revisions (who changed what)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session, col

from ..models import ApiToken, Revision, User
from .common import _storable


def user_by_name(session: Session, name: str) -> User | None:
    if not _storable(name):
        return None
    return session.execute(select(User).where(col(User.name) == name)).scalars().first()


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(User)).scalar_one())


def list_users(session: Session) -> Sequence[User]:
    return session.execute(select(User).order_by(col(User.name))).scalars().all()


def tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    return session.execute(select(ApiToken).where(col(ApiToken.user_id) == user.id)).scalars().all()


_TOKEN, _USER = ApiToken.__table__, User.__table__  # type: ignore[attr-defined]


_TOKEN_OWNER = (
    select(
        _TOKEN.c.id,
        _TOKEN.c.last_used_at,
        _TOKEN.c.revoked_at,
        _USER.c.id.label("user_id"),
        _USER.c.name,
        _USER.c.role,
        _USER.c.disabled,
    )
    .join(_USER, _USER.c.id == _TOKEN.c.user_id)
    .where(_TOKEN.c.token_hash == bindparam("token_hash"))
)


def token_owner(session: Session, token_hash: str) -> Any | None:
    """The token (id, last_used_at, revoked_at) and its user (user_id, name, role, disabled), as one row."""
    return session.execute(_TOKEN_OWNER, {"token_hash": token_hash}).first()


def revisions_of(session: Session, entity: str, entity_id: int) -> list[tuple[Revision, str | None]]:
    rows = session.execute(
        select(Revision, col(User.name))
        .outerjoin(User, col(User.id) == col(Revision.user_id))
        .where(col(Revision.entity) == entity, col(Revision.entity_id) == entity_id)
        .order_by(col(Revision.id).desc())
    ).all()
    return [(r, name) for r, name in rows]


def recent_revisions(
    session: Session, *, editor: str | None, since: datetime | None, until: datetime | None, limit: int
) -> list[tuple[Revision, str | None]]:
    if not _storable(editor):
        return []
    stmt = select(Revision, col(User.name)).outerjoin(User, col(User.id) == col(Revision.user_id))
    if editor:
        stmt = stmt.where(col(User.name) == editor)
    if since:
        stmt = stmt.where(col(Revision.at) >= since)
    if until:
        stmt = stmt.where(col(Revision.at) < until)
    rows = session.execute(stmt.order_by(col(Revision.id).desc()).limit(limit)).all()
    return [(r, name) for r, name in rows]
