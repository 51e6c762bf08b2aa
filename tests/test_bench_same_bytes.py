"""make bench's ceiling for the repeated actor JSON: hello world answering as many bytes, in the table."""

from __future__ import annotations

import json

import pytest

from bench import hello
from bench.report import readme_table, targets


def test_hello_world_answers_exactly_the_bytes_asked_for_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    client = hello.create_app().test_client()
    for size in (2, 1024, 1_974_101):
        answer = client.get(f"/core/bytes/{size}")
        assert answer.status_code == 200 and answer.mimetype == "application/json"
        assert len(answer.get_data()) == size == int(answer.headers["Content-Length"])
        json.loads(answer.get_data())
    too_big = client.get(f"/core/bytes/{64 * 1024 * 1024}")
    assert too_big.status_code == 400 and b"size" in too_big.get_data()


def test_the_ceiling_is_a_row_of_the_table_beside_the_repeated_figure() -> None:
    figures = {
        "actor_json_repeated": {"rps": 2100.0},
        "ref_hello_same_bytes": {"rps": 2500.0, "bytes": 1_974_101},
    }
    backend = {"figures": figures, "targets": targets(figures, 6400.0, "sqlite")}
    results = {
        "generated_at": "2026-12-01 03:00 UTC",
        "machine": {"cpus": 2},
        "settings": {"events": 1000, "duration_s": 5, "runs": 3, "client": "/usr/bin/wrk"},
        "hello": {"rps": 6400.0},
        "backends": {"sqlite": backend},
        "notes": [],
    }
    table = readme_table(results)
    assert "| hello world answering as many bytes as the actor JSON (the ceiling) | 2,500/s |" in table
    assert "| the same, repeated | 2,100/s |" in table
