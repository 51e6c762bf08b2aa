"""The add-event form in Debian's Chromium at 1366 px and 390 px: focus lands on the error summary, its
links move focus to the field, the date preview follows typing, the evidence question comes first, no
sideways scrolling, and axe-core finds no serious or critical violation on the form, the history page and
the jobs page."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from support.browser import AXE, CHROMIUM, CHROMIUM_ARGS, CSP_LISTENER, TOO_WIDE
from support.data import BACKEND
from support.server import PASSWORD

AXE_SERIOUS = (
    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    ".filter(v => ['serious', 'critical'].includes(v.impact))"
    ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
)


def _check_page(page: Any, axe_source: str | None, what: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{what}: the page scrolls sideways ({width}): {page.evaluate(TOO_WIDE)}"
    if axe_source is not None:
        page.evaluate(axe_source)  # DevTools evaluation: the page's strict CSP stays on
        result = page.evaluate(AXE_SERIOUS)
        assert not result, f"{what} [{BACKEND}]: axe-core serious/critical violations: {result}"


def _console(message: Any, problems: list[str]) -> None:
    # The form answers 422 on purpose when a field is wrong; Chromium logs that response as an error.
    if message.type == "error" and "status of 422" not in message.text:
        problems.append(f"console: {message.text}")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_form_guides_in_a_browser(site: str, width: int) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    axe_source = AXE.read_text(encoding="utf-8") if AXE.exists() else None
    if axe_source is None and os.environ.get("CI"):
        pytest.fail(f"AXE-CORE MISSING: run `make axe` ({AXE})")
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
            context.expose_binding("reportCspViolation", lambda _src, text: problems.append(f"CSP: {text}"))
            context.add_init_script(CSP_LISTENER)
            page = context.new_page()
            page.on("console", lambda m: _console(m, problems))
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.goto(site + "/login", wait_until="load")
            page.fill("input[name=name]", "maya")
            page.fill("input[name=password]", PASSWORD)
            page.locator("main button, main input[type=submit]").first.click()
            page.wait_for_load_state("load")

            page.goto(site + "/events/new?actor=russia", wait_until="load")
            _check_page(page, axe_source, f"/events/new at {width}px")
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
            _check_page(page, axe_source, f"/events/new with errors at {width}px")
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
            _check_page(page, axe_source, f"evidence question at {width}px")
            page.locator("input[name=save_unsourced]").click()
            page.wait_for_url(re.compile(r".*/events/\d+$"))
            expect(page.locator("main .badge.unsourced").first).to_be_visible()
            event_url = page.url

            page.goto(event_url + "/history", wait_until="load")
            _check_page(page, axe_source, f"history at {width}px")
            page.goto(site + "/admin/jobs", wait_until="load")
            _check_page(page, axe_source, f"/admin/jobs at {width}px")
            context.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
