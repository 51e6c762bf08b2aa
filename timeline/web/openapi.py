"""The OpenAPI 3.1 description of /api/v1, built from the export schema and the input models."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from ..schemas import ActorIn, EventIn, TopicIn
from .openapi_changes import CHANGES_PATH
from .openapi_changes import SCHEMAS as CHANGE_SCHEMAS
from .openapi_extract import SCHEMAS as EXTRACT_SCHEMAS
from .openapi_extract import extract_path
from .openapi_sources import paths as source_paths
from .openapi_sources import schemas as source_schemas

_EXPORT_SCHEMA = Path(__file__).resolve().parent.parent / "export-v1.schema.json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Malformed request, or a bad query parameter: filter or paging (code invalid_filter)",
        401: "Sign-in or API token required",
        403: "Not allowed",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflict (stale version or record in use)",
        413: "Body too large",
        415: "Body must be application/json",
        422: "The body failed validation (code invalid)",
    }
    return {str(c): _json(_ref("Error"), text[c]) for c in codes}


def _param(name: str, where: str, schema: dict[str, Any], description: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


_FILTERS = [
    _param("topic", "query", {"type": "string"}, "Only events with a stance on this topic (slug)"),
    _param("from", "query", {"type": "string"}, "Events that may fall on or after this EDTF/ISO date"),
    _param("to", "query", {"type": "string"}, "Events that may fall on or before this EDTF/ISO date"),
    _param("kind", "query", {"type": "string"}, "Event kind"),
    _param("confidence", "query", {"type": "string"}, "Minimum confidence: low, medium or high"),
]
_PAGING = [
    _param("page", "query", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, "Page number, from 1"),
    _param("per_page", "query", {"type": "integer", "minimum": 1, "maximum": 500}, "Items per page"),
]
_SLUG = _param("slug", "path", {"type": "string"}, "Slug")
_EVENT_ID = _param("event_id", "path", {"type": "integer", "minimum": 0}, "Event id")
_BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _page_of(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "pages"],
        "properties": {
            "items": {"type": "array", "items": _ref(name)},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
        },
        "additionalProperties": False,
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole description (built once per process)."""
    export = json.loads(_EXPORT_SCHEMA.read_text(encoding="utf-8"))
    defs = copy.deepcopy(export["$defs"])
    text = json.dumps(defs).replace("#/$defs/", "#/components/schemas/")
    schemas: dict[str, Any] = json.loads(text)
    api_event = copy.deepcopy(schemas["event"])
    api_event["properties"]["id"] = {"type": "integer"}
    api_event["properties"]["version"] = {"type": "integer", "minimum": 1}
    api_event["required"] = [*api_event["required"], "id", "version"]
    schemas["ApiEvent"] = api_event
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }
        },
    }
    schemas["Histories"] = {
        "type": "object",
        "required": ["actor", "histories"],
        "properties": {"actor": {"type": "string"}, "histories": {"type": "array", "items": _ref("history")}},
    }
    for model in (EventIn, ActorIn, TopicIn):
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(model_schema.pop("$defs", {}))
        schemas[model.__name__] = model_schema
    event_put = copy.deepcopy(schemas["EventIn"])
    event_put["properties"]["version"] = {
        "type": "integer",
        "minimum": 1,
        "description": "The version you read (or send If-Match)",
    }
    event_put["properties"]["id"] = {"type": "integer"}
    schemas["EventUpdate"] = event_put

    def body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}

    read_errors = _errors(400, 404, 405)
    write_errors = _errors(400, 401, 403, 404, 405, 409, 413, 415, 422)
    paths: dict[str, Any] = {
        "/api/v1/actors": {
            "get": {
                "summary": "List actors",
                "parameters": _PAGING,
                "responses": {"200": _json(_page_of("actor"), "A page of actors"), **read_errors},
            },
            "post": {
                "summary": "Create an actor",
                "security": _BEARER,
                "requestBody": body("ActorIn"),
                "responses": {"201": _json(_ref("actor"), "Created"), **write_errors},
            },
        },
        "/api/v1/actors/{slug}": {
            "parameters": [_SLUG],
            "get": {
                "summary": "One actor",
                "responses": {"200": _json(_ref("actor"), "The actor"), **read_errors},
            },
            "put": {
                "summary": "Replace an actor",
                "security": _BEARER,
                "requestBody": body("ActorIn"),
                "responses": {"200": _json(_ref("actor"), "Saved"), **write_errors},
            },
            "delete": {
                "summary": "Delete an actor without events or members",
                "security": _BEARER,
                "responses": {"204": {"description": "Deleted"}, **write_errors},
            },
        },
        "/api/v1/actors/{slug}/history": {
            "parameters": [_SLUG],
            "get": {
                "summary": "The actor's stance history per topic",
                "parameters": _FILTERS,
                "responses": {"200": _json(_ref("Histories"), "Histories"), **read_errors},
            },
        },
        "/api/v1/topics": {
            "get": {
                "summary": "List topics",
                "parameters": _PAGING,
                "responses": {"200": _json(_page_of("topic"), "A page of topics"), **read_errors},
            },
            "post": {
                "summary": "Create a topic",
                "security": _BEARER,
                "requestBody": body("TopicIn"),
                "responses": {"201": _json(_ref("topic"), "Created"), **write_errors},
            },
        },
        "/api/v1/topics/{slug}": {
            "parameters": [_SLUG],
            "get": {
                "summary": "One topic",
                "responses": {"200": _json(_ref("topic"), "The topic"), **read_errors},
            },
            "put": {
                "summary": "Replace a topic",
                "security": _BEARER,
                "requestBody": body("TopicIn"),
                "responses": {"200": _json(_ref("topic"), "Saved"), **write_errors},
            },
            "delete": {
                "summary": "Delete a topic no stance uses",
                "security": _BEARER,
                "responses": {"204": {"description": "Deleted"}, **write_errors},
            },
        },
        "/api/v1/events": {
            "get": {
                "summary": "List events in timeline order (earliest day, latest day, id)",
                "parameters": [
                    *_PAGING,
                    *_FILTERS,
                    _param("actor", "query", {"type": "string"}, "Actor slug (members included)"),
                    _param("q", "query", {"type": "string"}, "Full-text words, any script"),
                ],
                "responses": {"200": _json(_page_of("ApiEvent"), "A page of events"), **read_errors},
            },
            "post": {
                "summary": "Create an event",
                "description": (
                    "Unlike the web form, which asks editors to confirm a statement without a source or "
                    "a quote, the API accepts such events as it always has (imports and tools rely on "
                    "it); they are marked unsourced on their pages, in listings, in CSV exports "
                    "(column `unsourced`), in TimelineJS documents and in the embeds."
                ),
                "security": _BEARER,
                "requestBody": body("EventIn"),
                "responses": {"201": _json(_ref("ApiEvent"), "Created"), **write_errors},
            },
        },
        "/api/v1/events/{event_id}": {
            "parameters": [_EVENT_ID],
            "get": {
                "summary": "One event",
                "responses": {"200": _json(_ref("ApiEvent"), "The event"), **read_errors},
            },
            "put": {
                "summary": "Replace an event (optimistic locking on version)",
                "security": _BEARER,
                "parameters": [_param("If-Match", "header", {"type": "string"}, "The version you read")],
                "requestBody": body("EventUpdate"),
                "responses": {"200": _json(_ref("ApiEvent"), "Saved"), **write_errors},
            },
            "delete": {
                "summary": "Soft-delete an event (editors can restore it)",
                "security": _BEARER,
                "responses": {"204": {"description": "Deleted"}, **write_errors},
            },
        },
    }
    schemas.update(CHANGE_SCHEMAS)
    paths["/api/v1/changes"] = CHANGES_PATH
    paths["/api/v1/extract"] = extract_path(_BEARER, _errors(400, 401, 403, 413, 415, 422))
    schemas.update(EXTRACT_SCHEMAS)
    schemas.update(source_schemas())
    paths.update(source_paths(_BEARER, _FILTERS, _errors(400, 405)))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Stance Timeline API",
            "version": "1.0.0",
            "description": "Dated statements and stance histories. Reads are public; writes need an "
            "editor's API token (`flask --app timeline users token NAME`).",
        },
        "servers": [{"url": "/"}],
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
