"""The OpenAPI paths of the full export (format version 1 or 2) and of the editors' drifted-quote list."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent.parent
_V2_PREFIX = "ExportV2_"  # version 2's definitions beside version 1's (same names, some differ)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _document(version: int, prefix: str) -> dict[str, Any]:
    """The export schema of this version, its $defs renamed into components/schemas."""
    raw = (_HERE / f"export-v{version}.schema.json").read_text(encoding="utf-8")
    schema = json.loads(raw.replace("#/$defs/", f"#/components/schemas/{prefix}"))
    defs = schema.pop("$defs")
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    out = {f"{prefix}{name}": value for name, value in defs.items()} if prefix else {}
    out[f"ExportV{version}"] = schema
    return out


_DRIFTED_QUOTE = {
    "type": "object",
    "required": ["event", "event_id", "actor", "quote", "source_url", "status", "since", "checked_at"],
    "properties": {
        "event": {"type": "string", "description": "The event's uid"},
        "event_id": {"type": "integer"},
        "actor": {"type": "string"},
        "quote": {"type": ["string", "null"], "description": "The quote as recorded (never re-anchored)"},
        "source_url": {"type": ["string", "null"]},
        "status": {"enum": ["changed", "gone"], "description": "changed: only a close match was found"},
        "since": {"type": ["string", "null"], "description": "First check that saw it changed or gone"},
        "checked_at": {"type": "string"},
        "score": {"type": ["number", "null"], "description": "Similarity of the closest match, 0-100"},
        "found_text": {"type": ["string", "null"], "description": "The closest text found in the source"},
        "diff": {"type": ["string", "null"], "description": "Unified diff from the quote to the text found"},
    },
}


def schemas() -> dict[str, Any]:
    """ExportV1, ExportV2 (with its own definitions) and DriftedQuotes (v1's $defs are already there)."""
    out = {**_document(1, ""), **_document(2, _V2_PREFIX)}
    out["DriftedQuotes"] = {
        "type": "object",
        "required": ["quotes"],
        "properties": {"quotes": {"type": "array", "items": copy.deepcopy(_DRIFTED_QUOTE)}},
    }
    return out


def paths(
    security: list[dict[str, Any]], filters: list[dict[str, Any]], errors: dict[str, Any]
) -> dict[str, Any]:
    """GET /export.json and GET /review/quotes.json."""
    version = {
        "name": "format_version",
        "in": "query",
        "required": False,
        "schema": {"enum": ["1", "2"], "default": "1"},
        "description": "1 (the default): events with their citations. 2: also the sources they cite "
        "(their kept texts for editors only) and each event's source_ref and quote anchor.",
    }
    return {
        "/export.json": {
            "get": {
                "summary": "The whole dataset (or its filtered part) in the native JSON format",
                "description": "What the import reads back. Format version 2 adds a `sources` list; a "
                "signed-in editor's version 2 carries each source's kept text (answered Cache-Control: "
                "private). Both versions import.",
                "parameters": [version, *filters],
                "responses": {
                    "200": {
                        "description": "The export document, as a download",
                        "content": {
                            "application/json": {"schema": {"oneOf": [_ref("ExportV1"), _ref("ExportV2")]}}
                        },
                    },
                    **errors,
                },
            }
        },
        "/review/quotes.json": {
            "get": {
                "summary": "Quotes the drift watch found changed or gone in their re-fetched sources",
                "description": "Editors only (an API token, or a signed-in session; without either the "
                "answer is a redirect to the sign-in page). Nothing is re-anchored: each row is for an "
                "editor to review.",
                "security": security,
                "responses": {
                    "200": {
                        "description": "The drifted quotes, most recent first",
                        "content": {"application/json": {"schema": _ref("DriftedQuotes")}},
                    },
                    "302": {"description": "Not signed in: to the sign-in page"},
                },
            }
        },
    }
