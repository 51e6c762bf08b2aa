"""The benchmark's PostgreSQL server: the tests' throwaway server (tests/support/pgserver.py), kept under
instance/bench/pg so that its generated databases are reused by later runs, like the SQLite files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support.pgserver import PostgresServer  # noqa: E402


class BenchPostgres(PostgresServer):
    """initdb once into `base`; later runs only start the existing cluster."""

    def start(self) -> str:
        if not (self.data / "PG_VERSION").exists():
            return super().start()
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        pg_ctl = [*self.prefix, self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options]
        subprocess.run([*pg_ctl, "-w", "start"], check=True, capture_output=True)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def stop(self) -> None:
        # A clean stop: the next run starts without crash recovery.
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "fast", "stop"], capture_output=True
        )


def admin_execute(base_url: str, sql: str) -> None:
    """One statement outside a transaction (CREATE / DROP DATABASE) on the server's maintenance database."""
    admin = create_engine(f"{base_url}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        admin.dispose()


def database_exists(base_url: str, name: str) -> bool:
    admin = create_engine(f"{base_url}/postgres")
    try:
        with admin.connect() as conn:
            found = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first()
    finally:
        admin.dispose()
    return found is not None
