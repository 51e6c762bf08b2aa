"""GET /dates/preview?d=...: how a typed date will read, with the server's own parser (for the form's JS)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request

from .form_guide import date_preview

bp = Blueprint("date_preview", __name__)
MAX_TYPED = 100  # longer than any date the parser accepts (40): the rest is not read


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/dates/preview")
def preview() -> Response:
    """{"text", "valid", "display", "message", "sentence"}; an empty text answers valid=false, no message."""
    typed = request.args.get("d", "")[:MAX_TYPED]
    shown = date_preview(typed)
    if shown is None:
        return jsonify({"text": "", "valid": False, "display": None, "message": None, "sentence": ""})
    return jsonify(
        {
            "text": shown.text,
            "valid": shown.valid,
            "display": shown.display,
            "message": shown.message,
            "sentence": shown.sentence,
        }
    )
