"""The feed fetcher refuses loopback/private/link-local addresses the way the link check does (one
guard, checked on the address each connection actually uses, redirects included)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import col

from timeline import work
from timeline.db import get_session, write_session
from timeline.models import Candidate, Feed
from timeline.services import feeds, linkcheck, netguard

from support import httpservers
from support.app import load_doc
from support.data import small_doc
from support.httpservers import FeedRoutes


@pytest.fixture
def routes() -> FeedRoutes:
    return FeedRoutes()


@pytest.fixture
def feed_server(routes: FeedRoutes) -> Iterator[str]:
    with httpservers.feed_server(routes) as url:
        yield url


def _watch(app: Flask, *urls: str) -> None:
    load_doc(app, small_doc())
    with app.app_context(), write_session() as session:
        for url in urls:
            feeds.add_feed(session, url)


def _feed_state(app: Flask) -> tuple[list[str | None], list[str]]:
    with app.app_context():
        session = get_session()
        errors = [f.last_error for f in session.execute(select(Feed).order_by(col(Feed.id))).scalars()]
        titles = [c.title for c in session.execute(select(Candidate)).scalars()]
    return errors, titles


def test_feeds_refuse_loopback_unless_allowed_like_the_link_check(app: Flask, feed_server: str) -> None:
    _watch(app, f"{feed_server}/rss.xml", "http://localhost:9/feed", "http://[::1]:9/feed")
    assert app.config["ALLOW_PRIVATE_ADDRESSES"] is False  # the default
    with app.app_context():
        report = work.fetch_feeds()
    assert (report.feeds, report.new, report.failed) == (3, 0, 3)
    errors, titles = _feed_state(app)
    assert titles == [] and all(e and "private or local network" in e for e in errors), errors
    link = linkcheck.check_url(f"{feed_server}/rss.xml", timeout=1)
    assert link.broken and link.error and "private or local network" in link.error  # the same guard
    app.config["ALLOW_PRIVATE_ADDRESSES"] = True  # the one setting, for both
    with app.app_context():
        assert work.fetch_feeds().new == 1
    assert not linkcheck.check_url(f"{feed_server}/rss.xml", timeout=1, allow_private=True).broken


def test_a_redirect_to_a_private_address_is_refused(
    app: Flask, feed_server: str, routes: FeedRoutes, monkeypatch
) -> None:
    # 127.0.0.1 plays a public host here; 127.0.0.2 (where the redirect points) stays forbidden.
    monkeypatch.setattr(netguard, "forbidden", lambda address: address != "127.0.0.1")
    port = feed_server.rsplit(":", 1)[1]
    routes.redirect_to = f"http://127.0.0.2:{port}/rss.xml"
    _watch(app, f"{feed_server}/redirect")
    with app.app_context():
        report = work.fetch_feeds()
    assert (report.new, report.failed) == (0, 1)
    errors, _ = _feed_state(app)
    assert errors[0] and "127.0.0.2" in errors[0] and "private or local network" in errors[0]


def test_a_name_is_checked_on_the_address_it_resolves_to(monkeypatch) -> None:
    real = netguard.socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if host == "feeds.example" else host, *args, **kwargs)

    monkeypatch.setattr(netguard.socket, "getaddrinfo", resolve)
    with pytest.raises(OSError, match="private or local network"):
        feeds.fetch_bytes("http://feeds.example/rss.xml", timeout=1)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.0.10", True),
        ("172.16.5.4", True),
        ("169.254.169.254", True),  # cloud metadata
        ("0.0.0.0", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("fe80::1%eth0", True),
        ("fc00::1", True),
        ("224.0.0.1", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_forbidden_addresses(address: str, refused: bool) -> None:
    assert netguard.forbidden(address) is refused


def test_a_feed_that_trickles_is_cut_at_its_deadline(app: Flask, feed_server: str) -> None:
    _watch(app, f"{feed_server}/trickle")
    app.config.update(ALLOW_PRIVATE_ADDRESSES=True, FEED_TIMEOUT=5, FEED_DEADLINE=2)
    started = time.monotonic()
    with app.app_context():
        report = work.fetch_feeds()
    assert report.failed == 1 and time.monotonic() - started < 5
    errors, _ = _feed_state(app)
    assert errors[0] and "longer than 2 s" in errors[0]
