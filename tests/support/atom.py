"""Atom feeds as RFC 4287 requires them, checked with feedparser and ElementTree."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import feedparser

NS = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def assert_valid_atom(text: str, self_url: str, page_url: str) -> feedparser.FeedParserDict:
    """Parsed without bozo, and the elements RFC 4287 requires, each once, where it requires them."""
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ElementTree.fromstring(text.encode())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"a:{name}", NS)) == 1, name
    assert RFC3339.fullmatch(root.findtext("a:updated", namespaces=NS) or "")
    assert root.find("a:author/a:name", NS) is not None
    links = {(link.get("rel"), link.get("href")) for link in root.findall("a:link", NS)}
    assert ("self", self_url) in links and ("alternate", page_url) in links
    assert root.findtext("a:id", namespaces=NS) == self_url
    ids = []
    for entry in root.findall("a:entry", NS):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"a:{name}", NS)) == 1, name
        assert RFC3339.fullmatch(entry.findtext("a:updated", namespaces=NS) or "")
        assert entry.find("a:link", NS) is not None and entry.find("a:author/a:name", NS) is not None
        ids.append(entry.findtext("a:id", namespaces=NS))
    assert len(ids) == len(set(ids))
    # The feed's updated is its newest entry's.
    if ids:
        assert parsed.feed.updated_parsed == max(e.updated_parsed for e in parsed.entries)
    return parsed
