"""Headless Chromium for the browser tests: Debian's binary, its flags, a CSP violation reporter, axe-core's
file, the sideways-overflow probe, a page recording every console error, page error and CSP violation, and
the browser and its context opened and closed for a test (browser_context, tasks_on)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support.data import BACKEND, PASSWORD, ROOT

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 30_000
# axe-core from the npm registry (`make axe`).
AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Reports every CSP violation of every document at once, through a binding to the test (Playwright
# injects this outside the page's CSP). Chromium also logs each violation as a console error.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                            " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def missing_prerequisites() -> list[str]:
    """What the browser tests need and this machine lacks (Debian's chromium, the playwright package)."""
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} (Debian package: chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the Python package playwright (pip install playwright; no browser download needed)")
    return missing


# The elements reaching past the right edge (to name the culprit when the page scrolls sideways).
TOO_WIDE = """
() => [...document.body.querySelectorAll("*")]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-5).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))
"""


class Journey:
    """One browser page, with every console error, page error and CSP violation recorded."""

    def __init__(self, context: Any, base: str, artifacts: Path) -> None:
        self.base, self.artifacts = base, artifacts
        self.problems: list[str] = []
        self.shots: list[Path] = []
        context.expose_binding("reportCspViolation", self.csp_violation)
        context.add_init_script(CSP_LISTENER)
        self.page = page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error on {page.url}: {exc}"))
        page.on("crash", lambda _page: self.problems.append(f"the page crashed on {page.url}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text} {message.location}")

    def csp_violation(self, source: dict[str, Any], text: str) -> None:
        self.problems.append(f"CSP violation on {source['page'].url}: {text}")

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == 200, (path, response and response.status)

    def sign_in(self, name: str, password: str = PASSWORD) -> None:
        """Send the sign-in form this page shows, and wait for the page it leads to."""
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("load")

    def shot(self, name: str) -> None:
        path = self.artifacts / f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        self.shots.append(path)


VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}

AXE_SERIOUS = (
    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    ".filter(v => ['serious', 'critical'].includes(v.impact))"
    ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
)


class Tasks(Journey):
    """A Journey that checks every page it lands on: fits the width, passes axe-core (unless `axe` is None:
    see axe_source)."""

    def __init__(self, context: Any, base: str, folder: Path, axe: str | None, label: str) -> None:
        super().__init__(context, base, folder)
        self.axe, self.label = axe, label
        self.checked: list[str] = []

    def check(self, frame: Any = None) -> None:
        target = frame or self.page
        where = f"{self.label} {target.url}"
        width = target.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{where}: scrolls sideways {width}: {target.evaluate(TOO_WIDE)}"
        if self.axe is not None:
            target.evaluate(self.axe)  # DevTools evaluation: the page's strict CSP stays on
            violations = target.evaluate(AXE_SERIOUS)
            assert not violations, f"{where} [{BACKEND}]: axe-core serious/critical: {violations}"
        self.checked.append(target.url)

    def visit(self, path: str) -> None:
        self.goto(path)
        self.check()

    def menu(self, name: str) -> None:
        """Follow a header link; on a phone the links sit in the "Menu" disclosure, opened first."""
        summary = self.page.locator("header summary", has_text="Menu")
        closed = self.page.locator("header details.site-menu").get_attribute("open") is None
        if summary.is_visible() and closed:
            summary.click()
        self.page.locator("header").get_by_role("link", name=name, exact=True).click()
        self.page.wait_for_load_state("load")
        self.check()


def axe_source(*, required: bool = True) -> str | None:
    """axe-core's script (`make axe`). Without it: the test fails when CI=true; else it is skipped loudly
    when `required`, or gets None (Tasks then checks the width alone)."""
    import pytest

    if AXE.exists():
        return AXE.read_text(encoding="utf-8")
    reason = f"AXE-CORE MISSING: run `make axe` (npm install into {AXE.parent.parent.parent})"
    if os.environ.get("CI"):
        pytest.fail(reason)
    if required:
        pytest.skip(reason)
    return None


def require_axe() -> None:
    """Skip loudly without axe-core (`make axe`), and fail when CI=true: the accessibility check must run."""
    axe_source()


@contextmanager
def browser_context(width: int, height: int, *, mobile: bool = False, **options: Any) -> Iterator[Any]:
    """Debian's Chromium, headless, and one browser context: a `width` x `height` viewport (with touch and
    a phone's viewport handling when `mobile`), en-US, TIMEOUT_MS for every wait (`expect`'s included);
    `options` go to new_context. Closed on the way out, failing or not."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                has_touch=mobile,
                is_mobile=mobile,
                locale="en-US",
                **options,
            )
            context.set_default_timeout(TIMEOUT_MS)
            try:
                yield context
            finally:
                context.close()
        finally:
            browser.close()


@contextmanager
def tasks_on(
    screen: str, base: str, artifacts: Path, label: str, *, last_shot: str | None = None, **options: Any
) -> Iterator[Tasks]:
    """Tasks on one of VIEWPORTS ("phone": touch and a phone's viewport), axe-core required (require_axe);
    `last_shot`: a full-page screenshot `<last_shot>-last.png` in `artifacts` when done, failing or not."""
    axe = axe_source()
    width, height = VIEWPORTS[screen]
    with browser_context(width, height, mobile=screen == "phone", **options) as context:
        tasks = Tasks(context, base, artifacts, axe, label)
        try:
            yield tasks
        finally:
            if last_shot is not None:
                tasks.page.screenshot(path=str(artifacts / f"{last_shot}-last.png"), full_page=True)
