"""Headless Chromium for the browser tests: Debian's binary, its flags, a CSP violation reporter."""

from __future__ import annotations

import importlib.util
import os

CHROMIUM = "/usr/bin/chromium"
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
