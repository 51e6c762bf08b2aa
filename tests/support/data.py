"""Shared test data: the seed, the article, a tiny dataset, the test password, the backend under test."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "seed" / "russia-iran-biden-era.json"
ARTICLE = ROOT.parent / "shared" / "article" / "russia-iran-biden-era.txt"
EXPORT_SCHEMA: dict[str, Any] = json.loads((ROOT / "timeline" / "export-v1.schema.json").read_text())
PASSWORD = "correct horse battery staple"

# `make test` runs the suite twice: TIMELINE_TEST_BACKEND=sqlite, then =postgresql.
BACKEND = os.environ.get("TIMELINE_TEST_BACKEND", "sqlite")


def validate_export(doc: dict[str, Any]) -> None:
    """Fails unless `doc` matches the export format's JSON Schema (timeline/export-v1.schema.json)."""
    jsonschema.Draft202012Validator(EXPORT_SCHEMA).validate(doc)


def seed_doc() -> dict[str, Any]:
    """The article's dataset (seed/), as the export format."""
    doc: dict[str, Any] = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    return doc


def small_doc() -> dict[str, Any]:
    """A tiny dataset: one government, one official, two topics, three events."""
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [
            {"slug": "russia", "name": "Russia", "kind": "government"},
            {
                "slug": "vladimir-putin",
                "name": "Vladimir Putin",
                "kind": "person",
                "role": "President of Russia",
                "parent": "russia",
                "aliases": ["Владимир Путин"],
            },
        ],
        "topics": [
            {"slug": "jcpoa", "name": "JCPOA"},
            {"slug": "us-sanctions", "name": "US sanctions"},
        ],
        "events": [
            {
                "uid": "e-2019",
                "actor": "vladimir-putin",
                "kind": "statement",
                "title": "Not a fire brigade",
                "date": "2019-05-15",
                "quote": "Russia is not a firefighting rescue crew…",
                "stances": [{"topic": "jcpoa", "score": -1}],
            },
            {
                "uid": "e-2020",
                "actor": "russia",
                "kind": "statement",
                "title": "Tireless firefighter",
                "date": "2020-12",
                "stances": [{"topic": "jcpoa", "score": 2}, {"topic": "us-sanctions", "score": -2}],
            },
            {
                "uid": "e-2020b",
                "actor": "russia",
                "kind": "action",
                "title": "Gulf security concept",
                "date": "2020~",
                "stances": [],
            },
        ],
    }
