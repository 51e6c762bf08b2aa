"""A reader's and an editor's journey in a real browser: headless Chromium driven by Playwright.

Debian's /usr/bin/chromium (never a downloaded browser build) against gunicorn on 127.0.0.1, with
the seed loaded and an editor created through the CLI. The journey: home page, an actor's stance
history (SVG chart, change markers), sign in, add an event through the form with a Persian quote
and a stance, see it in place on the actor page and in the chart, the topic comparison, search in
Persian, the JSON download, the TimelineJS embed. No page may log a console error, throw, or
violate the Content-Security-Policy.

Screenshots (and the downloaded JSON) go to $TIMELINE_ARTIFACTS/browser-<backend>/ when that is
set, else to pytest's temporary directory; their paths are printed.

Needs Debian's `chromium` package and the `playwright` Python package (pip: no browser download).
Without them the test is skipped with a loud reason, except with CI set, where it fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from support.browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, Journey
from support.data import BACKEND, PASSWORD

TITLE = "Browser test: Moscow is not a fire brigade"
QUOTE = "«روسیه یک تیم آتش‌نشانی نیست»"
RATIONALE = "همچنان از برجام حمایت می‌کند"
DATE = "2020-12-01"  # between the Russia family's events of late November and 8 December 2020


def test_reader_and_editor_journey_in_chromium(site: str, artifacts: Path, capsys) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="en-US"
            )
            context.set_default_timeout(TIMEOUT_MS)
            journey = Journey(context, site, artifacts)
            try:
                walk(journey, expect)
            finally:
                with capsys.disabled():
                    print(f"\nBROWSER [{BACKEND}] screenshots and downloads in {artifacts}:")
                    for path in sorted(artifacts.iterdir()):
                        print(f"  {path}")
                context.close()
        finally:
            browser.close()
    assert not journey.problems, "\n".join(journey.problems)


def walk(j: Journey, expect: Any) -> None:
    page = j.page

    # The home page, then an actor.
    j.goto("/")
    expect(page.locator("h1")).to_have_text("Who said what, and when")
    j.shot("home")
    page.locator("a[href='/actors/russia']").first.click()
    page.wait_for_url("**/actors/russia")
    expect(page.locator("h1")).to_contain_text("Russia")

    # The stance history: a visible SVG step chart per topic, and change markers between statements.
    jcpoa = page.locator("#topic-jcpoa")
    expect(jcpoa.locator("svg.stance-chart")).to_be_visible()
    assert page.locator("svg.stance-chart").count() >= 3
    assert page.locator(".history .change").count() >= 1, "no change marker in the stance history"
    # Putin's +1 (2019, after the issue-14 audit) then +2 (2020): a shift, not a reversal.
    expect(jcpoa.locator(".history .change-shift").first).to_be_visible()
    summary = jcpoa.locator(".series-summary").first.inner_text()
    assert re.search(r"\d+ statements", summary) and "1 shift" in summary, summary
    j.shot("actor-russia")

    # Sign in from the link in the header; the sign-in returns to the actor page.
    page.get_by_role("link", name="Editors: sign in").click()
    page.wait_for_url("**/login?next=/actors/russia")
    page.fill("input[name=name]", "maya")
    page.fill("input[name=password]", PASSWORD)
    j.shot("sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/actors/russia")
    expect(page.get_by_role("status").first).to_contain_text("Signed in as maya")

    # Add an event through the form (no JavaScript needed), with a Persian quote and a stance row.
    page.locator("main a[href='/events/new?actor=russia']").click()
    page.wait_for_url("**/events/new?actor=russia")
    expect(page.locator("select[name=actor]")).to_have_value("russia")
    page.select_option("select[name=kind]", "statement")
    page.fill("input[name=date]", DATE)
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=quote]", QUOTE)
    page.fill("input[name=source_url]", "https://example.org/not-a-fire-brigade")  # evidence first
    page.select_option("select[name=confidence]", "high")
    page.select_option("select[name='stances-0-topic']", "jcpoa")
    page.select_option("select[name='stances-0-score']", "1")
    page.fill("input[name='stances-0-rationale']", RATIONALE)
    j.shot("event-form")
    page.get_by_role("button", name="Save event").click()
    page.wait_for_url(re.compile(r".*/events/\d+$"))
    event_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_have_text(TITLE)
    quote = page.locator("blockquote")
    assert quote.inner_text() == QUOTE, quote.inner_text()  # the Persian text exactly as typed
    assert quote.get_attribute("dir") == "auto"
    expect(page.get_by_role("status").first).to_contain_text("Event saved.")
    j.shot("event-saved")

    # In place on the actor page: timeline order (by earliest day) and a point in the JCPOA chart.
    j.goto("/actors/russia")
    item = page.locator(f"#event-{event_id}")
    expect(item).to_be_visible()
    expect(item.locator("blockquote")).to_have_text(QUOTE)
    expect(page.locator(f"#topic-jcpoa svg a[href='/events/{event_id}']")).to_have_count(1)
    # Russia's own "November 2020 – January 2021" JCPOA stance overlaps this day: no change, said so.
    expect(item.locator(".change-unordered").first).to_be_visible()
    dom_ids = [i for i in page.locator("ol.timeline > li").evaluate_all("els => els.map(e => e.id)")]
    timeline = page.request.get(f"{j.base}/actors/russia.json")
    events = timeline.json()["events"]
    timeline.dispose()
    assert len(dom_ids) == len(events)
    titles = [page.locator(f"#{i} strong").first.inner_text() for i in dom_ids]
    assert titles == [e["title"] for e in events], "the page and its JSON twin disagree on the order"
    position = titles.index(TITLE)
    assert 0 < position < len(titles) - 1, "the new event should sit between older and newer ones"
    earliest = [e["date_earliest"] for e in events]
    assert earliest == sorted(earliest) and earliest[position] == DATE
    item.scroll_into_view_if_needed()
    j.shot("actor-russia-with-new-event")

    # The topic comparison: one lane per government, the new statement among them.
    page.locator("#topic-jcpoa h3 a").click()
    page.wait_for_url("**/topics/jcpoa")
    expect(page.locator("svg.stance-chart")).to_be_visible()
    assert page.locator("svg.stance-chart g.lane").count() >= 2
    expect(page.locator(f"#event-{event_id}")).to_contain_text(TITLE)
    j.shot("topic-jcpoa")

    # Search in Persian from the header box.
    page.fill("header input[name=q]", "آتش‌نشانی")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    expect(page.locator("ol.results")).to_contain_text(TITLE)
    j.shot("search-persian")

    # Download the actor's JSON export from the link on the actor page.
    j.goto("/actors/russia")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the timeline (JSON)").click()
    download = info.value
    assert download.suggested_filename == "russia.json"
    saved = j.artifacts / download.suggested_filename
    download.save_as(saved)
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["format"] == "stance-timeline" and document["actor"] == "russia"
    [mine] = [e for e in document["events"] if e["title"] == TITLE]
    assert mine["quote"] == QUOTE and mine["date"] == DATE
    assert mine["stances"] == [{"topic": "jcpoa", "score": 1, "rationale": RATIONALE}]

    # The TimelineJS embed renders a slide per event (plus the title slide).
    j.goto("/actors/russia/embed")
    page.wait_for_function(
        "n => document.querySelectorAll('.tl-slide').length >= n", arg=len(document["events"]) + 1
    )
    assert page.locator(".tl-slide").count() >= len(document["events"])
    expect(page.locator(".tl-slide .tl-headline", has_text=TITLE).first).to_be_attached()
    expect(page.locator(".tl-timenav")).to_be_visible()
    page.evaluate("document.fonts.ready.then(() => true)")
    j.shot("embed-russia")
