"""make bench's arithmetic (tests/bench): the median of runs with its spread, each target's verdict as a
ratio to a reference measured in the same run, and the README table regenerated from bench-results.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.loadgen import aggregate, aggregate_exports, parse_wrk
from bench.report import END, START, readme_table, targets, update_readme

WRK_OUT = """Running 2s test @ http://127.0.0.1:1/
  1 threads and 8 connections
  Latency Distribution
     50%    5.80ms
     75%    7.00ms
     90%    9.00ms
     99%   12.50ms
  1754 requests in 2.00s, 3.10GB read
  Non-2xx or 3xx responses: 3
Requests/sec:    877.00
"""


def test_wrk_output_is_read_with_its_errors() -> None:
    assert parse_wrk(WRK_OUT) == {"rps": 877.0, "requests": 1754, "p50_ms": 5.8, "p99_ms": 12.5, "errors": 3}


def test_a_figure_is_the_median_of_its_runs_with_their_spread() -> None:
    runs = [
        {"rps": 900.0, "p50_ms": 5.0, "p99_ms": 9.0, "errors": 0, "requests": 1800, "client": "wrk"},
        {"rps": 300.0, "p50_ms": 20.0, "p99_ms": 40.0, "errors": 2, "requests": 600, "client": "wrk"},
        {"rps": 1000.0, "p50_ms": 4.0, "p99_ms": 8.0, "errors": 1, "requests": 2000, "client": "wrk"},
    ]
    figure = aggregate(runs)
    # One slow run (a busy machine) moves neither the median nor hides in it: the spread shows it.
    assert figure["rps"] == 900.0 and figure["p50_ms"] == 5.0 and figure["p99_ms"] == 9.0
    assert figure["spread"] == {"rps": [300.0, 1000.0], "p50_ms": [4.0, 20.0], "p99_ms": [8.0, 40.0]}
    assert figure["errors"] == 3 and figure["requests"] == 4400 and figure["runs"] == 3


def _figures(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {
        "ref_core_actor_json": {"rps": 40.0, "serial": {"p50_ms": 40.0}},
        "ref_core_insert": {"rps": 1000.0},
        "ref_core_export": {"events_per_s": 100_000},
        "ref_datasette_json": {"rps": 10.0},
        "actor_json_cold": {"rps": 100.0},
        "small_actor_json_cold": {"rps": 110.0},
        "actor_json_repeated": {"rps": 1000.0},
        "actor_json_compressed": {"rps": 1500.0, "raw_bytes": 1_000_000, "encoded_bytes": 120_000},
        "actor_json_no_writes": {"rps": 1000.0},
        "actor_json_during_writes": {"rps": 950.0},
        "actor_html_repeated": {"rps": 900.0},
        "actor_html_cold": {"serial": {"p50_ms": 100.0}},
        "topic_html_repeated": {"rps": 900.0},
        "topic_html_cold": {"serial": {"p50_ms": 90.0}},
        "search_name": {"serial": {"p50_ms": 10.0}},
        "search_common_word": {"serial": {"p50_ms": 40.0}},
        "create_events": {"rps": 600.0, "errors": 0},
        "export": {"events_per_s": 80_000, "complete": True, "peak_rss_mb": 90.0},
    }
    for name, values in changes.items():
        figures[name] = {**figures[name], **values}
    return figures


def _verdicts(figures: dict[str, dict[str, Any]], backend: str = "sqlite") -> dict[str, bool | None]:
    return {t["target"]: t["met"] for t in targets(figures, 1500.0, backend)}


def test_every_target_is_met_by_figures_within_their_ratios() -> None:
    verdicts = _verdicts(_figures())
    assert len(verdicts) == 15 and all(verdicts.values()), verdicts
    # Datasette reads SQLite files only: no such target on PostgreSQL.
    assert "actor JSON cold vs Datasette JSON" not in _verdicts(_figures(), "postgresql")


@pytest.mark.parametrize(
    ("changes", "missed"),
    [
        (
            {"actor_json_during_writes": {"rps": 850.0}},
            "actor JSON repeated, 5 writes/s to another actor, vs no writes",
        ),
        ({"actor_json_compressed": {"encoded_bytes": 250_000}}, "actor JSON compressed size vs raw"),
        ({"actor_json_compressed": {"rps": 900.0}}, "actor JSON repeated compressed rate vs raw"),
        (
            {"actor_json_cold": {"rps": 79.0}, "small_actor_json_cold": {"rps": 80.0}},
            "actor JSON cold vs bare Core",
        ),
        ({"create_events": {"rps": 400.0}}, "event creation (16 clients) vs bare insert endpoint, 0 errors"),
        ({"create_events": {"errors": 1}}, "event creation (16 clients) vs bare insert endpoint, 0 errors"),
        ({"export": {"events_per_s": 50_000}}, "full export vs bare streaming export"),
        # An export that did not finish says nothing of its memory either.
        (
            {"export": {"complete": False}},
            ["full export vs bare streaming export", "export peak worker memory"],
        ),
        ({"export": {"peak_rss_mb": 120.0}}, "export peak worker memory"),
        (
            {"actor_html_cold": {"serial": {"p50_ms": 130.0}}},
            "actor page cold p50 (one at a time) vs bare Core p50",
        ),
        (
            {"search_common_word": {"serial": {"p50_ms": 60.0}}},
            "search p50, a word in 45% of events vs a name",
        ),
        (
            {"small_actor_json_cold": {"rps": 130.0}},
            "scaling: actor JSON cold cost, big vs 10,000-event database",
        ),
    ],
)
def test_a_figure_past_its_ratio_misses_its_target(changes: dict[str, Any], missed: str | list[str]) -> None:
    expected = [missed] if isinstance(missed, str) else missed
    verdicts = _verdicts(_figures(**changes))
    assert [name for name, ok in verdicts.items() if ok is not True] == expected
    assert all(verdicts[name] is False for name in expected)


def test_a_figure_not_measured_is_reported_as_such_not_as_met() -> None:
    figures = _figures()
    del figures["ref_core_insert"]
    assert _verdicts(figures)["event creation (16 clients) vs bare insert endpoint, 0 errors"] is None


def _results() -> dict[str, Any]:
    per_backend = {"figures": _figures(), "targets": targets(_figures(), 1500.0, "sqlite")}
    slow = _figures(actor_json_cold={"rps": 30.0})
    return {
        "generated_at": "2026-11-30 21:00 UTC",
        "machine": {"cpus": 2},
        "settings": {"events": 100_000, "duration_s": 5, "runs": 3, "client": "/usr/bin/wrk"},
        "hello": {"rps": 3004.0, "spread": {"rps": [2900.0, 3100.0]}, "p50_ms": 1.0},
        "backends": {
            "sqlite": per_backend,
            "postgresql": {"figures": slow, "targets": targets(slow, 1500.0, "postgresql")},
        },
        "notes": [],
    }


def test_the_readme_table_shows_the_run_hello_world_and_each_backends_verdicts() -> None:
    table = readme_table(_results())
    assert "Hello world on this machine: 3,004/s [2,900-3,100], p50 1.0 ms" in table
    assert "| figure | SQLite | PostgreSQL |" in table
    assert "| actor timeline JSON, cold (read memo off) | 100.0/s | 30.0/s |" in table
    assert "| actor JSON cold vs bare Core | >= 2.00x | 2.50x, met | 0.75x, **missed** |" in table
    # A target one backend has not (Datasette) leaves the other's cell empty.
    assert "| actor JSON cold vs Datasette JSON | >= 5.00x | 10.00x, met |  |" in table


def test_the_readme_table_is_replaced_between_its_markers_only(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nBefore.\n\n{START}\nold table\n{END}\n\nAfter.\n")
    assert update_readme(_results(), readme)
    text = readme.read_text()
    assert text.startswith("# Title\n\nBefore.\n\n" + START + "\nLatest run: 2026-11-30 21:00 UTC")
    assert text.endswith(END + "\n\nAfter.\n") and "old table" not in text
    readme.write_text("# No markers\n")
    assert not update_readme(_results(), readme)
    assert readme.read_text() == "# No markers\n"


def test_the_results_file_round_trips_through_json() -> None:
    results = _results()
    assert readme_table(json.loads(json.dumps(results))) == readme_table(results)


def test_full_exports_are_the_median_rate_and_the_highest_memory_peak() -> None:
    runs: list[dict[str, Any]] = [
        {"events_per_s": 50_000, "complete": True, "peak_rss_mb": 90.0},
        {"events_per_s": 20_000, "complete": True, "peak_rss_mb": 99.5},
        {"events_per_s": 60_000, "complete": True, "peak_rss_mb": 91.0},
    ]
    figure = aggregate_exports(runs)
    assert figure["events_per_s"] == 50_000 and figure["spread"] == {"events_per_s": [20_000, 60_000]}
    assert figure["peak_rss_mb"] == 99.5 and figure["complete"] and figure["runs"] == 3
    # One export cut short makes the figure incomplete: its target cannot be met.
    runs[1] = {"error": "stopped after 900 s (time limit)", "complete": False, "peak_rss_mb": 80.0}
    assert aggregate_exports(runs)["complete"] is False
