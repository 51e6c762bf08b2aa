"""Snapshots: the whole dataset as a native export, written atomically, checksummed, restorable."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session

from .. import queries
from ..models import Actor, Event, Snapshot, Stance, Topic
from .errors import Invalid, NotFound
from .export import stream_full_export
from .importing import ImportReport, ValidDocument, apply_import, validate_document

_RECORD_START = re.compile(rb'\{"uid"\s*:')

NAME = re.compile(r"snapshot-(\d{8}T\d{6}Z)(?:-(\d+))?\.json", re.ASCII)


def _order(name: str) -> tuple[str, int]:
    """Snapshots of the same second are numbered -2, -3...: order by time, then number."""
    match = NAME.fullmatch(name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


@dataclass(frozen=True)
class SnapshotFile:
    name: str
    size: int
    sha256: str | None  # from the sidecar file
    created_at: datetime


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class WrittenSnapshot:
    """A snapshot file on disk, before it is recorded."""

    name: str
    sha256: str
    size: int
    events: int


def export_file(session: Session, directory: Path) -> WrittenSnapshot:
    """Write the dataset as a new snapshot file (temporary file, fsync, rename), reading only.

    Give it a read session (one consistent snapshot of the data): no write lock is taken meanwhile.
    """
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name, n = f"snapshot-{stamp}.json", 1
    while (directory / name).exists():
        n += 1
        name = f"snapshot-{stamp}-{n}.json"
    tmp = directory / f".{name}.tmp"
    digest, size, events = hashlib.sha256(), 0, 0
    try:
        with tmp.open("wb") as fh:
            for data in stream_full_export(session):
                digest.update(data)
                size += len(data)
                # Each event record starts with its uid; JSON escapes quotes inside values: no false hits.
                events += len(_RECORD_START.findall(data))
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sha = digest.hexdigest()
    sidecar = directory / f"{name}.sha256"
    sidecar_tmp = directory / f".{name}.sha256.tmp"
    sidecar_tmp.write_text(f"{sha}  {name}\n", encoding="ascii")
    os.replace(tmp, directory / name)
    os.replace(sidecar_tmp, sidecar)
    _fsync_dir(directory)
    return WrittenSnapshot(name, sha, size, events)


def record_snapshot(session: Session, written: WrittenSnapshot, directory: Path, keep: int) -> Snapshot:
    """Record a written snapshot and keep only the newest `keep` (a short write)."""
    snapshot = Snapshot(name=written.name, sha256=written.sha256, size=written.size, events=written.events)
    session.add(snapshot)
    session.flush()
    prune(session, directory, keep)
    return snapshot


def list_files(directory: Path) -> list[SnapshotFile]:
    """Snapshot files on disk, newest first."""
    if not directory.is_dir():
        return []
    files = []
    for path in directory.iterdir():
        if not NAME.fullmatch(path.name):
            continue
        sidecar = path.with_name(path.name + ".sha256")
        sha = sidecar.read_text(encoding="ascii").split()[0] if sidecar.exists() else None
        stat = path.stat()
        files.append(SnapshotFile(path.name, stat.st_size, sha, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(files, key=lambda f: _order(f.name), reverse=True)


def prune(session: Session, directory: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` snapshots (files and records)."""
    removed = [f.name for f in list_files(directory)[max(keep, 1) :]]
    for name in removed:
        (directory / name).unlink(missing_ok=True)
        (directory / f"{name}.sha256").unlink(missing_ok=True)
    if removed:
        session.execute(delete(Snapshot).where(Snapshot.name.in_(removed)))  # type: ignore[attr-defined]
    return removed


def verified_path(directory: Path, name: str) -> Path:
    """The snapshot's path once its name is safe and its SHA-256 matches the recorded one."""
    if not NAME.fullmatch(name):
        raise Invalid({"name": "not a snapshot name (snapshot-YYYYMMDDTHHMMSSZ.json)"})
    path = directory / name
    sidecar = directory / f"{name}.sha256"
    if not path.is_file():
        raise NotFound(f"No snapshot named {name} in {directory}.")
    if not sidecar.is_file():
        raise Invalid({"name": f"{name} has no recorded checksum ({sidecar.name} is missing)"})
    expected = sidecar.read_text(encoding="ascii").split()[0]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise Invalid({"name": f"{name} does not match its checksum: the file is damaged; refusing it"})
    return path


def load_snapshot(directory: Path, name: str) -> ValidDocument:
    """A verified snapshot, read and validated (before any write transaction opens)."""
    path = verified_path(directory, name)
    with path.open(encoding="utf-8") as fh:
        document = json.load(fh)
    return validate_document(document)


def restore_snapshot(session: Session, valid: ValidDocument, *, replace: bool = False) -> ImportReport:
    """Load a validated snapshot into an empty database, or replace everything when asked to."""
    if queries.has_any_data(session):
        if not replace:
            raise Invalid({"replace": "the database is not empty: pass --replace to overwrite its data"})
        for table in (Stance, Event, Actor, Topic):
            session.execute(delete(table))
    return apply_import(session, valid)
