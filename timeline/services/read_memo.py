"""Rows read for one actor's timeline, kept while the scopes they show have not moved (issue 17).

The response cache keys a page by its URL: two URLs showing the same actor (another query parameter,
a download flag) each read the same rows again. This memo keys the rows by what they are (which actor,
which listing, which filters) and keeps them with the scope versions they were read under
(timeline/scopes.py): the versions read at the start of the request, before any data, so a write that
commits meanwhile makes the entry look older than it is, never newer. A write to the actor or a member
moves its scope; a write whose reach is unknown (actors re-parented, topics renamed) moves ``*``, which
every entry depends on. Only the rows are kept: histories and the document are built per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from .. import scopes

Deps = tuple[tuple[str, int], ...]


class ScopeVersions(Protocol):
    """The scope versions read at the start of a request (web.cache.Versions)."""

    def deps(self, names: Iterable[str]) -> Deps: ...

    def fresh(self, deps: Deps) -> bool: ...


@dataclass
class _Entry:
    deps: Deps
    value: Any
    size: int


class MemoStore:
    """Values by key, least recently used out first, bounded in (estimated) bytes; one per app."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self.entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, versions: ScopeVersions) -> Any | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if not versions.fresh(entry.deps):
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry.value

    def put(self, key: Hashable, deps: Deps, value: Any, size: int) -> None:
        if size > self.max_bytes // 4:  # one huge timeline would push out every other
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = _Entry(deps, value, size)
            self.size += size
            while self.size > self.max_bytes and self.entries:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: Hashable) -> None:
        self.size -= self.entries.pop(key).size


@dataclass(frozen=True)
class ReadMemo:
    """A request's view of the memo: the app's store and the versions read before any data."""

    store: MemoStore
    versions: ScopeVersions

    def get(self, key: Hashable) -> Any | None:
        """The value kept under `key`, if nothing it was read from has moved since."""
        return self.store.get(key, self.versions)

    def put(self, key: Hashable, scope_names: Iterable[str], value: Any, size: int) -> None:
        """Keep `value`, read in this request, as depending on these scopes (and on ``*``)."""
        self.store.put(key, self.versions.deps([*scope_names, scopes.ALL]), value, size)
