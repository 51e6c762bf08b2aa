"""A response cache for public pages, keyed by the data version every write bumps, with ETag / 304."""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from threading import Lock
from typing import Any, TypeVar

from flask import Response, current_app, make_response, request, session
from flask_login import current_user

from ..db import data_version

F = TypeVar("F", bound=Callable[..., Any])
MAX_ENTRIES = 512
MAX_BODY = 4 * 1024 * 1024
Entries = OrderedDict[tuple[str, bytes, int], tuple[bytes, str, dict[str, str]]]
_lock = Lock()


def _entries() -> Entries:
    """This app's cache (one per app: tests run several apps in one process)."""
    return current_app.extensions.setdefault("timeline.response_cache", OrderedDict())


def _cacheable() -> bool:
    # Signed-in editors see buttons and flashed messages: their pages are never shared.
    return request.method == "GET" and not current_user.is_authenticated and "_flashes" not in session


def cached(view: F) -> F:
    """Serve repeated requests from memory while the data version is unchanged; answer 304 to a fresh ETag."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _cacheable():
            return view(*args, **kwargs)
        version = data_version()
        key = (request.path, request.query_string, version)
        etag = f"v{version}-{zlib.crc32(request.full_path.encode()):08x}"
        if etag in request.if_none_match:
            response = Response(status=304)
            response.set_etag(etag)
            return response
        entries = _entries()
        with _lock:
            hit = entries.get(key)
            if hit is not None:
                entries.move_to_end(key)
        if hit is not None:
            body, mimetype, headers = hit
            response = Response(body, mimetype=mimetype, headers=headers)
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200 and not response.is_streamed:
                body = response.get_data()
                if len(body) <= MAX_BODY:
                    keep = {k: v for k, v in response.headers.items() if k == "Content-Disposition"}
                    with _lock:
                        entries[key] = (body, response.mimetype or "text/html", keep)
                        while len(entries) > MAX_ENTRIES:
                            entries.popitem(last=False)
        if response.status_code == 200:
            response.set_etag(etag)
            response.headers["Cache-Control"] = "no-cache"  # may be stored, must be revalidated
        return response

    return wrapped  # type: ignore[return-value]
