"""The OpenAPI description of GET /api/v1/changes (the changes feed)."""

from __future__ import annotations

from typing import Any

from ..services.changes import ACTIONS, MAX_LIMIT

_ERROR = {"$ref": "#/components/schemas/Error"}

SCHEMAS: dict[str, Any] = {
    "Change": {
        "type": "object",
        "required": ["cursor", "entity", "key", "previous_key", "action", "at", "record"],
        "properties": {
            "cursor": {"type": "string", "description": "Ask with since=this to read on after this change"},
            "entity": {"type": "string", "enum": ["event", "actor", "topic"]},
            "key": {"type": "string", "description": "The event's uid, or the actor's or topic's slug"},
            "previous_key": {
                "type": ["string", "null"],
                "description": "The key before the change, when the change renamed the record",
            },
            "action": {
                "type": "string",
                "enum": list(ACTIONS),
                "description": "create, update, restore: the record is there; delete, purge: it is gone",
            },
            "at": {"type": "string", "format": "date-time"},
            "record": {
                "type": ["object", "null"],
                "description": "The record after the change (export format); null when the change removed "
                "it, or for an event deleted since (a later change says so)",
            },
        },
        "additionalProperties": False,
    },
    "ChangesPage": {
        "type": "object",
        "required": ["items", "next", "more"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
            "next": {"type": "string", "description": "The cursor to ask with next time (since=next)"},
            "more": {"type": "boolean", "description": "Whether more changes were waiting already"},
        },
        "additionalProperties": False,
    },
}

CHANGES_PATH: dict[str, Any] = {
    "get": {
        "summary": "Created, updated and deleted records in commit order, after a cursor",
        "description": "Every change to events, actors and topics, oldest first, each once. Keep `next` "
        "and ask again with since=next: no change is skipped or repeated, even while writes go on. "
        "Without `since`, from the first change.",
        "parameters": [
            {
                "name": "since",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "An opaque cursor from an earlier answer (`next` or an item's `cursor`)",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                "description": "Changes per answer (default 100)",
            },
        ],
        "responses": {
            "200": {
                "description": "Changes after the cursor",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChangesPage"}}},
            },
            **{
                str(code): {"description": text, "content": {"application/json": {"schema": _ERROR}}}
                for code, text in (
                    (400, "Malformed request, or a bad cursor or limit (code invalid_filter)"),
                    (405, "Method not allowed"),
                )
            },
        },
    }
}
