"""A throwaway PostgreSQL server for the test suite: initdb into a temporary directory, pg_ctl start."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from support.server import free_port


def find_bin(name: str) -> str | None:
    """A PostgreSQL program from PATH or Debian's versioned directory (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


class PostgresServer:
    """initdb + pg_ctl in `base`; as root, runs as the `postgres` user (initdb refuses root)."""

    def __init__(self, base: Path | None = None) -> None:
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not (initdb and pg_ctl):
            raise FileNotFoundError("initdb/pg_ctl not found (install PostgreSQL, e.g. Debian's postgresql)")
        self.initdb, self.pg_ctl = initdb, pg_ctl
        # Not under pytest's tmp tree: its parents are private to root, and the server runs as postgres.
        self.owns_base = base is None  # a folder of its own: removed at stop (each run leaves GBs)
        base = base or Path(tempfile.mkdtemp(prefix="timeline-pg-"))
        self.base = base
        self.data = base / "data"
        self.port = free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if not runuser:
                raise FileNotFoundError("running as root needs runuser to start PostgreSQL as 'postgres'")
            self.prefix = [runuser, "-u", "postgres", "--"]
            base.chmod(0o755)
            shutil.chown(base, "postgres")
        self.log = base / "postgres.log"

    def start(self) -> str:
        subprocess.run(
            [
                *self.prefix,
                self.initdb,
                "-D",
                str(self.data),
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        subprocess.run(
            [
                *self.prefix,
                self.pg_ctl,
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True
        )
        if self.owns_base:
            shutil.rmtree(self.base, ignore_errors=True)
