"""A dataset for history, chart and matrix tests: one government with two officials, a far-away
statement, overlapping dates, and a topic with a single statement."""

from __future__ import annotations

from typing import Any


def event(
    uid: str, actor: str, date: str, stances: dict[str, int], role: str | None = None
) -> dict[str, Any]:
    return {
        "uid": uid,
        "actor": actor,
        "kind": "statement",
        "title": f"Statement {uid}",
        "date": date,
        "speaker_role": role,
        "stances": [{"topic": t, "score": s} for t, s in stances.items()],
    }


def history_doc() -> dict[str, Any]:
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [
            {"slug": "iran", "name": "Iran", "kind": "government"},
            {"slug": "zarif", "name": "Javad Zarif", "kind": "person", "parent": "iran"},
            {"slug": "majlis", "name": "Majlis", "kind": "organization", "parent": "iran"},
            {"slug": "russia", "name": "Russia", "kind": "government"},
        ],
        "topics": [
            {"slug": "look-east", "name": "Look East"},
            {"slug": "jcpoa", "name": "JCPOA"},
            {"slug": "gas", "name": "Gas deals"},
        ],
        "events": [
            # Look East: two of Iran's own statements whose dates overlap, then Zarif after them.
            event("le-1", "iran", "2020-11/2021-01", {"look-east": -1}),
            event("le-2", "iran", "2020-11/2021-01", {"look-east": 2}),
            event("le-3", "zarif", "2021-02-10", {"look-east": 1}, "Foreign Minister"),
            # JCPOA: the Majlis, then Zarif, then Zarif again (one real change, within Zarif).
            event("j-1", "majlis", "2020-12-01", {"jcpoa": -1}),
            event("j-2", "zarif", "2020-12-10", {"jcpoa": 2}, "Foreign Minister"),
            event("j-3", "zarif", "2021-01-15", {"jcpoa": -1}, "Foreign Minister"),
            event("j-old", "iran", "2001-03-12", {"jcpoa": 1}),  # years before the rest
            # A topic with one statement.
            event("g-1", "iran", "2020-12-20", {"gas": 2}),
            # Russia on the JCPOA, before and after 2019-12-31.
            event("r-1", "russia", "2019-05-15", {"jcpoa": -1}),
            event("r-2", "russia", "2020-08-14", {"jcpoa": 2}),
        ],
    }
