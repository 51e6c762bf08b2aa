"""The OpenAPI description of POST /api/v1/extract (kept beside openapi.py to keep that one readable)."""

from __future__ import annotations

from typing import Any

_NULLABLE_TEXT = {"type": ["string", "null"]}
_SOURCE = {
    "type": "object",
    "properties": {k: _NULLABLE_TEXT for k in ("url", "title", "publisher", "author")},
}

SCHEMAS: dict[str, Any] = {
    "ExtractIn": {
        "type": "object",
        "description": "Either `text` (offsets in the answer point into it) or `url` (fetched, private "
        "addresses refused; the answer then includes the extracted `text`).",
        "properties": {
            "text": {"type": "string", "maxLength": 200_000},
            "url": {"type": "string", "format": "uri"},
            "published": {
                "type": "string",
                "description": "EDTF day, or an interval when only a window is "
                "known; may be left out for a URL whose page states its date",
            },
            "source": _SOURCE,
        },
        "additionalProperties": False,
    },
    "ExtractCandidate": {
        "type": "object",
        "required": [
            "quote",
            "start",
            "end",
            "speaker",
            "speaker_role",
            "date",
            "date_basis",
            "stances",
            "recorded",
        ],
        "properties": {
            "quote": {"type": "string", "description": "exactly text[start:end]"},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 0},
            "speaker": {
                "type": "object",
                "required": ["name", "actor", "evidence"],
                "properties": {
                    "name": {"type": "string"},
                    "actor": {"type": ["string", "null"], "description": "slug; null proposes a new actor"},
                    "evidence": {"type": "string", "description": "the words that name the speaker"},
                },
            },
            "speaker_role": _NULLABLE_TEXT,
            "date": {"type": "string", "description": "EDTF; `../D` when the text gives no date cue"},
            "date_basis": {"type": "string"},
            "stances": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["topic", "score", "reason"],
                    "properties": {
                        "topic": {"type": "string"},
                        "score": {
                            "type": ["integer", "null"],
                            "minimum": -2,
                            "maximum": 2,
                            "description": "the speaker's latest recorded score on the topic, if any",
                        },
                        "reason": {"type": "string"},
                    },
                },
            },
            "recorded": {
                "type": ["string", "null"],
                "description": "uid of an event with this source and quote",
            },
        },
    },
    "ExtractOut": {
        "type": "object",
        "required": ["source", "candidates"],
        "properties": {
            "source": _SOURCE,
            "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/ExtractCandidate"}},
            "text": {"type": "string"},
        },
    },
}


def extract_path(security: list[dict[str, Any]], errors: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "summary": "Propose the quoted statements of an article (editors; nothing is stored)",
            "security": security,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExtractIn"}}},
            },
            "responses": {
                "200": {
                    "description": "Candidates, each verbatim with its offsets",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExtractOut"}}},
                },
                **errors,
            },
        }
    }
