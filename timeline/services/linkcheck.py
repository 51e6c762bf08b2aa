"""Source link checks: HEAD then GET, redirects followed and recorded, timeouts, a polite concurrency."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from sqlmodel import Session

from .. import queries
from ..models import SourceLink, utcnow
from . import netguard

MAX_REDIRECTS = 5
USER_AGENT = "StanceTimeline-linkcheck/1.0 (+source verification)"


@dataclass
class LinkResult:
    url: str
    status: int | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def broken(self) -> bool:
        return self.error is not None or self.status is None or self.status >= 400


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # redirects are followed by hand, so each hop is recorded and checked


def check_url(url: str, *, timeout: float = 10.0, allow_private: bool = False) -> LinkResult:
    """Check one URL: HEAD (GET when HEAD is refused), following up to MAX_REDIRECTS hops."""
    result = LinkResult(url)
    # Every hop connects through the shared guard: user-given URLs never reach the service's own network.
    opener = netguard.opener(allow_private=allow_private, handlers=(_NoRedirect,))
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            result.error = f"not an http(s) address: {current}"
            return result
        status, location = None, None
        for method in ("HEAD", "GET"):
            # The scheme was checked above: only http(s) is ever opened.
            request = urllib.request.Request(current, method=method, headers={"User-Agent": USER_AGENT})  # noqa: S310
            try:
                with opener.open(request, timeout=timeout) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status, location = exc.code, exc.headers.get("Location")
                exc.close()
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                result.error = f"{type(reason).__name__}: {reason}"[:500]
                return result
            if method == "HEAD" and status in (403, 405, 501):
                continue  # some servers refuse HEAD: ask again with GET
            break
        result.status = status
        if status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location)
            result.redirects.append(current)
            continue
        result.final_url = current
        return result
    result.error = f"more than {MAX_REDIRECTS} redirects"
    return result


def urls_to_check(session: Session) -> list[str]:
    """Distinct source URLs of live events (read in a read transaction, before any network I/O)."""
    return queries.source_urls(session)


def check_urls(
    urls: Sequence[str],
    *,
    timeout: float = 10.0,
    concurrency: int = 4,
    allow_private: bool = False,
    checker: Callable[..., LinkResult] = check_url,
) -> list[LinkResult]:
    """Check each URL, a few at a time; no database access (no transaction stays open meanwhile)."""
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(lambda u: checker(u, timeout=timeout, allow_private=allow_private), urls))


def record_results(session: Session, results: Sequence[LinkResult]) -> dict[str, int]:
    """Record the outcome of each check (a short write transaction); "broken since" keeps its first day."""
    now = utcnow()
    broken = 0
    for result in results:
        row = queries.source_link(session, result.url) or SourceLink(url=result.url)
        was_broken_since: datetime | None = row.broken_since
        row.status, row.final_url, row.error = result.status, result.final_url, result.error
        row.redirects = result.redirects
        row.checked_at = now
        row.broken_since = (was_broken_since or now) if result.broken else None
        broken += result.broken
        session.add(row)
    session.flush()
    return {"checked": len(results), "broken": broken}
