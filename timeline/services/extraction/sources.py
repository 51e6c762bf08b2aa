"""Article input: pasted text, an uploaded .txt/.html file, or a URL fetched behind the private-address
guard."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from .. import netguard
from ..errors import Invalid
from ..linkcheck import MAX_REDIRECTS, _NoRedirect

MAX_ARTICLE_BYTES = 2_000_000
MAX_TEXT_CHARS = 200_000
USER_AGENT = "StanceTimeline-extract/1.0 (+statement review)"


@dataclass
class Article:
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None  # a day, when the page states one
    publisher: str | None = None
    url: str | None = None


def article_from_html(html: str, url: str | None = None) -> Article:
    """The page's main text and what it says about itself (title, author, date, site)."""
    # Imported on first use: trafilatura (and lxml) cost every web worker about 27 MB.
    import trafilatura

    doc: Any = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None or not (doc.text or "").strip():
        raise Invalid({"html": "no article text found in this page"}, "No article text found.")
    date = doc.date if isinstance(doc.date, str) and len(doc.date) == 10 else None
    return Article(doc.text, doc.title, doc.author, date, doc.sitename, url)


def article_from_upload(name: str, data: bytes) -> Article:
    """A .txt or .html file, decoded as UTF-8."""
    lower = name.lower()
    if not lower.endswith((".txt", ".html", ".htm")):
        raise Invalid({"file": "send a .txt or .html file"}, "Unsupported file type.")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid({"file": "the file is not UTF-8 text"}, "The file is not UTF-8 text.") from None
    if lower.endswith(".txt"):
        return Article(content)
    return article_from_html(content)


def fetch_article(url: str, *, timeout: float = 10.0, allow_private: bool = False) -> Article:
    """GET the page (each redirect hop checked like the link check does), then its main text."""
    # Every hop connects through the link check's guard: a URL never reaches the service's own network.
    opener = netguard.opener(allow_private=allow_private, handlers=(_NoRedirect,))
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Invalid({"url": "an http(s) address"}, "Not an http(s) address.")
        # The scheme was checked above: only http(s) is ever opened.
        request = urllib.request.Request(current, headers={"User-Agent": USER_AGENT})  # noqa: S310
        try:
            with opener.open(request, timeout=timeout) as response:
                body = response.read(MAX_ARTICLE_BYTES + 1)
                charset = response.headers.get_content_charset() or "utf-8"
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location")
            exc.close()
            if exc.code in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            raise Invalid(
                {"url": f"the page answered {exc.code}"}, "The page could not be fetched."
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, netguard.PrivateAddress):
                raise Invalid(
                    {"url": "address in a private or local network"}, "That address is not fetched."
                ) from None
            raise Invalid({"url": f"not fetched: {reason}"[:300]}, "The page could not be fetched.") from None
        if len(body) > MAX_ARTICLE_BYTES:
            raise Invalid({"url": f"the page is larger than {MAX_ARTICLE_BYTES} bytes"}, "Page too large.")
        return article_from_html(body.decode(charset, errors="replace"), current)
    raise Invalid({"url": f"more than {MAX_REDIRECTS} redirects"}, "Too many redirects.")
