"""Validating raw input with a schema model, as Invalid with one message per field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..schemas import ActorIn, EventIn, TopicIn, field_errors
from .errors import Invalid


def validate(model: type[ActorIn] | type[EventIn] | type[TopicIn], data: Mapping[str, Any]) -> Any:
    """Validate raw data with a schema model, raising Invalid with per-field messages."""
    if not isinstance(data, Mapping):
        raise Invalid({"body": "must be a JSON object"})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(field_errors(exc)) from exc
