"""Actor, topic and matrix pages on a 390 px phone in Debian's Chromium: no sideways scrolling, no text
under 11 CSS px, 24 px tap targets, tooltips on focus and tap, and axe-core with no serious or
critical violation. axe-core comes from the npm registry (`make axe`, into .venv/axe)."""

from __future__ import annotations

from typing import Any

from support.browser import AXE, CHROMIUM, CHROMIUM_ARGS, CSP_LISTENER, TOO_WIDE, require_axe
from support.data import BACKEND

PAGES = [
    "/actors/iran",
    "/actors/russia",
    "/topics/jcpoa",
    "/topics/look-east-policy",
    "/matrix?as_of=2020-12-31&compare=2019-12-31",
]

# Every visible piece of text: its element's font size times the SVG scale it is drawn at.
SMALL_TEXT = """
() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest("title, script, style, defs")) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    let size = parseFloat(style.fontSize);
    const ctm = el instanceof SVGGraphicsElement ? el.getScreenCTM() : null;
    if (ctm) size *= Math.hypot(ctm.a, ctm.b);
    if (size < 11) small.push(`${el.tagName} "${node.textContent.trim().slice(0, 30)}" ${size.toFixed(1)}px`);
  }
  return small;
}
"""


def test_pages_at_390px_fit_read_and_pass_axe(site: str) -> None:
    from playwright.sync_api import sync_playwright

    require_axe()
    axe_source = AXE.read_text(encoding="utf-8")
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, has_touch=True, locale="en-US"
            )
            context.expose_binding("reportCspViolation", lambda _src, text: problems.append(f"CSP: {text}"))
            context.add_init_script(CSP_LISTENER)
            page = context.new_page()
            page.on("console", lambda m: problems.extend([f"console: {m.text}"] if m.type == "error" else []))
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            for path in PAGES:
                response = page.goto(site + path, wait_until="load")
                assert response is not None and response.status == 200, path
                width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                wide = page.evaluate(TOO_WIDE)
                assert width[0] <= width[1], f"{path}: the page scrolls sideways ({width}): {wide}"
                small = page.evaluate(SMALL_TEXT)
                assert not small, f"{path}: text under 11 px: {small[:5]}"
                _check_points(page, path)
                page.evaluate(axe_source)  # DevTools evaluation: the page's strict CSP stays on
                result: Any = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                    ".filter(v => ['serious', 'critical'].includes(v.impact))"
                    ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
                )
                assert not result, f"{path} [{BACKEND}]: axe-core serious/critical violations: {result}"
            context.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)


def _check_points(page: Any, path: str) -> None:
    """Tap targets of 24 px; a tooltip on keyboard focus and on tap (the first tap does not navigate)."""
    points = page.locator("svg.stance-chart a.point")
    if not path.startswith(("/actors", "/topics")) or points.count() == 0:
        return
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('a.point .hit')].map(c => c.getBoundingClientRect())"
        ".map(r => Math.min(r.width, r.height))"
    )
    assert min(sizes) >= 24, f"{path}: a chart point's tap target is {min(sizes)} px"
    first = points.first
    first.focus()
    tip = page.locator(".chart-tip")
    assert tip.is_visible(), f"{path}: no tooltip on keyboard focus"
    assert first.get_attribute("data-tip").split(" · ")[0] in tip.inner_text()
    page.keyboard.press("Escape")
    before = page.url
    points.last.tap()
    assert page.locator(".chart-tip").is_visible(), f"{path}: no tooltip on tap"
    assert page.url == before, f"{path}: the first tap navigated away"
