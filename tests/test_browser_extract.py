"""The /extract pages in Debian's Chromium at 1366 px and 390 px: the article form, the review with its
highlighted candidates, and the page after "Accept selected". Each fits the width (no sideways
scrolling) and passes axe-core with no serious or critical violation; no console error or CSP violation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.browser import VIEWPORTS, tasks_on

# Persian and Russian quotes beside English ones: right-to-left text must not widen the page either.
ARTICLE = (
    "On Tuesday, Mikhail Ulyanov told reporters in Vienna that “Israel must not attack the territories of "
    "sovereign UN members, and the whole region knows what such attacks lead to.” Anatoly Viktorov added "
    "that the problem of the region “is not Iranian activities”. Михаил Ульянов заявил: «Россия "
    "поддерживает СВПД и призывает все стороны вернуться к его полному выполнению». "
    "محمدجواد ظریف گفت: «ایران به تعهدات خود بازخواهد گشت اگر آمریکا تحریم‌ها را لغو کند».\n\n"
    "A_very_long_unbroken_token_" + "x" * 120 + " closes the article."
)


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_extract_pages_fit_and_pass_axe(site: str, artifacts: Path, screen: str) -> None:
    from playwright.sync_api import expect

    label = f"extract-{screen}"
    with tasks_on(screen, site, artifacts, label, last_shot=label) as t:
        page = t.page
        t.goto("/login")
        t.sign_in("maya")
        t.visit("/extract")  # the form
        page.fill("textarea[name=text]", ARTICLE)
        page.fill("input[name=published]", "2021-01-15")
        page.fill("input[name=title]", "Vienna talks")
        page.fill("input[name=url]", "https://example.org/vienna-talks")
        page.get_by_role("button", name="Find statements").click()
        page.wait_for_load_state("load")
        expect(page.locator("h1")).to_have_text("Extract statements from an article")
        marks = page.locator("article.extract-text mark")
        assert marks.count() >= 3, page.content()[:2000]
        t.check()  # the review, candidates highlighted
        page.locator("input[name=selected]").first.check()
        page.get_by_role("button", name="Accept selected").click()
        page.wait_for_load_state("load")
        expect(page.get_by_text(re.compile(r"1 event\(s\) saved"))).to_be_visible()
        assert page.locator(".recorded").count() >= 1
        t.check()  # after Accept selected: the saved event, its candidate marked recorded
    assert not t.problems, "\n".join(t.problems)
    assert len(t.checked) == 3, t.checked
