"""Failed sign-in limits that every worker and server share: counted in the database, or in Redis.

Only failures count. Before checking a password, `retry_after` says whether the account or the address
has used up its failures in the sliding window; after a wrong password, `record` notes one failure for
both, in a short transaction of its own. Two attempts racing past the check can each add a failure, so
under concurrency the count may pass the limit by the number of attempts in flight: never by more.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from ..models import SignInFailure
from .errors import DomainError

ACCOUNT_LENGTH, ADDRESS_LENGTH = 80, 64


@dataclass(frozen=True)
class SignInLimits:
    """How many failures an account and an address may have within `window`."""

    per_account: int = 10
    per_address: int = 30
    window: timedelta = timedelta(minutes=15)


class TooManyFailures(DomainError):
    """Too many failed sign-ins: `scope` is "account" or "address"; try again in `retry_after` seconds."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"Too many failed sign-ins for this {scope}; try again in {retry_after} s.")
        self.scope, self.retry_after = scope, retry_after


def account_key(name: str) -> str:
    """The name as the limit counts it: spaces trimmed, case folded, cut to the column's length.

    Control characters (NUL among them, which PostgreSQL text refuses) are dropped: no account name
    holds one, so a name with one still counts against itself.
    """
    return "".join(c for c in name if c >= " " and c != "\x7f").strip().casefold()[:ACCOUNT_LENGTH]


def address_key(address: str | None) -> str:
    return (address or "unknown")[:ADDRESS_LENGTH]


def now() -> datetime:
    return datetime.now(UTC)


class FailureStore(Protocol):
    """Where failures are counted: the database (default) or a `limits` storage such as Redis."""

    def check(self, account: str, address: str, at: datetime) -> None:
        """Raise TooManyFailures when the account or the address has no failure left in the window."""

    def record(self, account: str, address: str, at: datetime) -> None:
        """Count one failure for the account and for the address."""


def _retry_after(times: Sequence[datetime], limit: int, window: timedelta, at: datetime) -> int | None:
    """Seconds until fewer than `limit` of these failure times are inside the window; None if already so."""
    if len(times) < limit:
        return None
    ordered = sorted(t if t.tzinfo else t.replace(tzinfo=UTC) for t in times)
    # The failure whose expiry brings the count under the limit.
    frees_at = ordered[len(ordered) - limit] + window
    return max(1, math.ceil((frees_at - at).total_seconds()))


class DatabaseFailures:
    """Failures as rows of sign_in_failure: every process on the database sees the same count."""

    def __init__(self, limits: SignInLimits, read: Any, write: Any) -> None:
        # read() gives a Session in a read transaction; write() a context manager for a short write.
        self.limits, self._read, self._write = limits, read, write

    def check(self, account: str, address: str, at: datetime) -> None:
        since = at - self.limits.window
        session: Session = self._read()
        try:
            for scope, column, key, limit in (
                ("account", SignInFailure.account, account, self.limits.per_account),
                ("address", SignInFailure.address, address, self.limits.per_address),
            ):
                times = (
                    session.execute(
                        select(col(SignInFailure.at)).where(col(column) == key, col(SignInFailure.at) > since)
                    )
                    .scalars()
                    .all()
                )
                wait = _retry_after(times, limit, self.limits.window, at)
                if wait is not None:
                    raise TooManyFailures(scope, wait)
        finally:
            session.rollback()  # end the read transaction before any write of this request

    def record(self, account: str, address: str, at: datetime) -> None:
        with self._write() as session:
            session.execute(insert(SignInFailure).values(account=account, address=address, at=at))
            # Failures older than the window count for nothing: drop them (the table stays small).
            session.execute(delete(SignInFailure).where(col(SignInFailure.at) <= at - self.limits.window))


class LimitsFailures:
    """Failures in a `limits` storage (redis://..., memcached://..., memory:// for one process)."""

    def __init__(self, limits: SignInLimits, storage_uri: str) -> None:
        from limits import RateLimitItemPerSecond
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        seconds = max(1, int(limits.window.total_seconds()))
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._items = {
            "account": RateLimitItemPerSecond(limits.per_account, seconds),
            "address": RateLimitItemPerSecond(limits.per_address, seconds),
        }

    def check(self, account: str, address: str, at: datetime) -> None:
        for scope, key in (("account", account), ("address", address)):
            item = self._items[scope]
            if not self._limiter.test(item, "sign-in", scope, key):
                reset = self._limiter.get_window_stats(item, "sign-in", scope, key).reset_time
                raise TooManyFailures(scope, max(1, math.ceil(reset - at.timestamp())))

    def record(self, account: str, address: str, at: datetime) -> None:
        self._limiter.hit(self._items["account"], "sign-in", "account", account)
        self._limiter.hit(self._items["address"], "sign-in", "address", address)
