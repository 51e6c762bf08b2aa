"""The add-event form in Debian's Chromium at 1366 px and 390 px: focus lands on the error summary, its
links move focus to the field, the date preview follows typing, the evidence question comes first, no
sideways scrolling, and axe-core finds no serious or critical violation on the form, the history page and
the jobs page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.browser import Tasks, axe_source, browser_context


@pytest.mark.parametrize("width", [1366, 390])
def test_the_form_guides_in_a_browser(site: str, artifacts: Path, width: int) -> None:
    from playwright.sync_api import expect

    axe = axe_source(required=False)  # fails when CI=true; elsewhere the width is checked without it
    with browser_context(width, 900) as context:
        t = Tasks(context, site, artifacts, axe, f"{width}px")
        page = t.page
        page.goto(site + "/login", wait_until="load")
        t.sign_in("maya")

        page.goto(site + "/events/new?actor=russia", wait_until="load")
        t.check()
        # As you type: the server's own reading of the date.
        page.fill("input[name=date]", "../2021-01-20")
        expect(page.locator("#date-preview")).to_contain_text("on or before 20 January 2021")
        page.fill("input[name=date]", "2021-02-30")
        expect(page.locator("#date-preview")).to_contain_text("February 2021 has no 30th day")

        # Submit with a missing title and an impossible date: focus lands on the error summary.
        page.locator("input[type=submit][name=save]").click()
        page.wait_for_load_state("load")
        summary = page.locator("#error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Date: February 2021 has no 30th day")
        expect(summary).to_contain_text("Title: Enter a title")
        t.check()
        summary.get_by_role("link", name=re.compile("^Title")).click()
        expect(page.locator("#title")).to_be_focused()

        # Fix both, leave out the source: the evidence question comes first, then the save.
        page.fill("input[name=title]", "Browser: a statement without evidence")
        page.fill("input[name=date]", "2021-02")
        page.fill("textarea[name=quote]", "")
        page.locator("input[type=submit][name=save]").click()
        page.wait_for_load_state("load")
        question = page.locator("#error-summary")
        expect(question).to_be_focused()
        expect(question).to_contain_text("This statement has no source or quote. Save without evidence?")
        expect(page.locator("#date-preview")).to_contain_text("February 2021")
        t.check()
        page.locator("input[name=save_unsourced]").click()
        page.wait_for_url(re.compile(r".*/events/\d+$"))
        expect(page.locator("main .badge.unsourced").first).to_be_visible()
        event_url = page.url

        page.goto(event_url + "/history", wait_until="load")
        t.check()
        page.goto(site + "/admin/jobs", wait_until="load")
        t.check()
    # The form answers 422 on purpose when a field is wrong; Chromium logs that response as an error.
    problems = [p for p in t.problems if not (p.startswith("console error") and "status of 422" in p)]
    assert not problems, "\n".join(problems)
