"""The quote-drift watch: a local server serves a source whose quotes stay, change and disappear."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import col, select

from timeline import jobs, work
from timeline.db import read_session, write_session
from timeline.models import Event, QuoteCheck
from timeline.services import quote_drift
from timeline.services.quote_drift import QuoteTarget

from support.app import load_doc, make_app

KEPT = "Russia is not a firefighting rescue crew, we cannot save everything."
EDITED = "Без давления Иран не уступит ни в чём, и Европа это понимает."
GONE = "The sanctions against Iran are a crime against ordinary people."
FILLER = (
    "The meeting in Sochi lasted three hours and covered energy, transport and regional security. "
    "Officials from both delegations declined to comment on the details after the talks ended. "
)


def page_html(*quotes: str) -> bytes:
    paragraphs = "".join(f"<p>{FILLER}“{q}” {FILLER}</p>" for q in quotes)
    return (
        "<html><head><title>Talks in Sochi</title></head><body><nav>Home News</nav>"
        f"<article><h1>Talks in Sochi</h1>{paragraphs}</article><footer>©</footer></body></html>"
    ).encode()


class Site:
    """A local web server whose pages a test rewrites between two runs of the watch."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, bytes]] = {}
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = site.pages.get(self.path, (404, b"not here"))
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def _doc(site: Site) -> dict:
    event = {"actor": "vladimir-putin", "kind": "statement", "date": "2021-01-12", "stances": []}
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [{"slug": "vladimir-putin", "name": "Vladimir Putin", "kind": "person"}],
        "topics": [],
        "events": [
            {**event, "uid": "kept", "title": "Kept", "quote": KEPT, "source": {"url": site.url("/a")}},
            {**event, "uid": "edited", "title": "Edited", "quote": EDITED, "source": {"url": site.url("/a")}},
            {**event, "uid": "gone", "title": "Gone", "quote": GONE, "source": {"url": site.url("/a")}},
            {**event, "uid": "moved", "title": "Moved", "quote": KEPT, "source": {"url": site.url("/b")}},
            {**event, "uid": "no-quote", "title": "No quote", "source": {"url": site.url("/a")}},
        ],
    }


def _checks(app: Flask) -> dict[str, QuoteCheck]:
    with app.app_context(), read_session() as session:
        rows = session.exec(
            select(QuoteCheck, Event.uid).join(Event, col(Event.id) == col(QuoteCheck.event_id))
        ).all()
        return {uid: QuoteCheck.model_validate(check.model_dump()) for check, uid in rows}


def _anchors(app: Flask) -> list[tuple]:
    with app.app_context(), read_session() as session:
        return list(
            session.exec(select(Event.uid, Event.quote, Event.quote_prefix, Event.quote_suffix)).all()
        )


def test_compare_exact_fuzzy_and_gone() -> None:
    target = QuoteTarget(1, "http://x", "We will never accept these terms")
    text = "He said: We will never accept these  terms, today."
    assert quote_drift.compare(target, text).status == "found"  # spacing aside
    changed = quote_drift.compare(target, "He said: We shall never accept those terms, today.")
    assert changed.status == "changed" and changed.found_text and "never accept" in changed.found_text
    assert changed.score is not None and 85 <= changed.score < 100
    assert "-will" in (changed.diff or "") and "+shall" in (changed.diff or "")
    assert quote_drift.compare(target, "Nothing about terms here at all, none.").status == "gone"


def test_watch_reports_changed_and_gone_quotes_and_never_reanchors(db_url: str, site: Site, editor) -> None:
    app = editor.application
    app.config["ALLOW_PRIVATE_ADDRESSES"] = True  # the local server only
    load_doc(app, _doc(site))
    edited_now = EDITED.replace("не уступит", "никогда не уступит")
    site.pages["/a"] = (200, page_html(KEPT, edited_now, GONE))
    site.pages["/b"] = (200, page_html(KEPT))
    anchors = _anchors(app)
    with app.app_context():
        first = work.check_quotes()
    assert first == {"found": 3, "changed": 1, "gone": 0, "unreachable": 0}
    checks = _checks(app)
    assert {uid: c.status for uid, c in checks.items()} == {
        "kept": "found",
        "edited": "changed",
        "gone": "found",
        "moved": "found",
    }
    edited = checks["edited"]
    assert edited.found_text is not None and "никогда не уступит" in edited.found_text
    assert edited.diff is not None and "+никогда" in edited.diff and edited.since is not None

    # The page drops one quote; the other page goes away (a 404 keeps what was last found).
    site.pages["/a"] = (200, page_html(KEPT, edited_now))
    del site.pages["/b"]
    with app.app_context():
        second = work.check_quotes()
    assert second == {"found": 1, "changed": 1, "gone": 1, "unreachable": 1}
    checks2 = _checks(app)
    assert checks2["gone"].status == "gone" and checks2["gone"].since == checks2["gone"].checked_at
    assert checks2["edited"].since == edited.since  # still changed: "since" is the first check that saw it
    assert checks2["moved"].status == "found" and "404" in (checks2["moved"].error or "")
    # Never re-anchored: every event's quote and anchor are as they were.
    assert _anchors(app) == anchors

    # The event page and the editors' list show it.
    with app.app_context(), read_session() as session:
        ids = {e.uid: e.id for e in session.exec(select(Event)).all()}
    gone_page = editor.get(f"/events/{ids['gone']}").get_data(as_text=True)
    assert "Quote gone from the source since" in gone_page
    edited_page = editor.get(f"/events/{ids['edited']}").get_data(as_text=True)
    assert "Quote changed in the source since" in edited_page and "никогда не уступит" in edited_page
    assert "Quote gone" not in editor.get(f"/events/{ids['kept']}").get_data(as_text=True)
    listing = editor.get("/review/quotes")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert f'id="quote-{ids["gone"]}"' in html and f'id="quote-{ids["edited"]}"' in html
    assert f'id="quote-{ids["kept"]}"' not in html
    body = editor.get("/review/quotes.json").get_json()
    assert {q["event"]: q["status"] for q in body["quotes"]} == {"gone": "gone", "edited": "changed"}

    # The quote comes back: the drift clears.
    site.pages["/a"] = (200, page_html(KEPT, EDITED, GONE))
    with app.app_context():
        assert work.check_quotes()["found"] == 3
    assert editor.get("/review/quotes.json").get_json()["quotes"] == []


def test_gone_since_is_the_first_check_that_missed_it(app: Flask) -> None:
    load_doc(app, _doc_static())
    with app.app_context(), read_session() as session:
        targets = quote_drift.targets(session)
    pages = {t.url: quote_drift.Page(t.url, "nothing of it") for t in targets}
    results = quote_drift.findings(targets, pages)
    with app.app_context():
        with write_session() as session:
            quote_drift.record(session, results)
        first = _checks(app)["kept"].since
        assert first is not None
        with write_session() as session:
            quote_drift.record(session, results, now=first + timedelta(days=3))
    again = _checks(app)["kept"]
    assert again.status == "gone" and again.since == first and again.checked_at == first + timedelta(days=3)


def _doc_static() -> dict:
    event = {"actor": "vladimir-putin", "kind": "statement", "date": "2021-01-12", "stances": []}
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [{"slug": "vladimir-putin", "name": "Vladimir Putin", "kind": "person"}],
        "topics": [],
        "events": [
            {**event, "uid": "kept", "title": "K", "quote": KEPT, "source": {"url": "https://e.org/a"}}
        ],
    }


def test_the_watch_is_a_job_off_by_default(db_url: str) -> None:
    app = make_app(db_url)
    assert "quote-drift" in jobs.JOBS and app.config["QUOTE_DRIFT_INTERVAL"] == 0
    assert jobs.build_scheduler(app, scheduler=_Recorder()).ids == {"dispatch-queued"} | {
        job_id
        for job_id, (_what, _call, key) in jobs.JOBS.items()
        if int(app.config[key]) > 0 and job_id != "quote-drift"
    }
    app.config["QUOTE_DRIFT_INTERVAL"] = 3600
    assert "quote-drift" in jobs.build_scheduler(app, scheduler=_Recorder()).ids


def test_private_addresses_are_refused_by_default(db_url: str, site: Site) -> None:
    app = make_app(db_url)
    load_doc(app, _doc(site))
    site.pages["/a"] = (200, page_html(KEPT, EDITED, GONE))
    with app.app_context():
        assert work.check_quotes()["unreachable"] == 4
    assert {c.status for c in _checks(app).values()} == {"unreachable"}
    assert "private" in (_checks(app)["kept"].error or "")


class _Recorder:
    """Just enough of an APScheduler scheduler to see which jobs build_scheduler adds."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def add_job(self, func: object, trigger: object, **kwargs: object) -> None:
        self.ids.add(str(kwargs["id"]))

    def add_listener(self, *args: object) -> None:
        pass
