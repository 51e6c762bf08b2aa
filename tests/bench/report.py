"""`make bench`'s verdicts and tables: every target a ratio to a reference measured in the same run.

`targets(figures, hello, backend)` judges one backend's figures; `print_table` prints the run;
`readme_table` renders the Performance table (docs/performance.md) from bench-results.json (the
latest run), and `python tests/bench/report.py [bench-results.json]` rewrites that table in
docs/performance.md.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Figures = dict[str, dict[str, Any]]


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _get(figures: Figures, name: str, key: str = "rps") -> float | None:
    value = figures.get(name, {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def _serial(figures: Figures, name: str) -> float | None:
    value = figures.get(name, {}).get("serial", {}).get("p50_ms")
    return float(value) if isinstance(value, int | float) else None


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def times(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def targets(figures: Figures, hello: float | None, backend: str) -> list[dict[str, Any]]:
    """Each target of issues 8 and 17 for one backend: goal, measured ratio, verdict (None: not measured)."""
    out: list[dict[str, Any]] = []

    def target(name: str, value: float | None, ok: Callable[[float], bool], shown: str, goal: str) -> None:
        out.append(
            {
                "target": name,
                "goal": goal,
                "value": value,
                "measured": shown,
                "met": None if value is None else bool(ok(value)),
            }
        )

    def at_least(name: str, value: float | None, goal: float, fmt: Callable[[float | None], str]) -> None:
        target(name, value, lambda v: v >= goal, fmt(value), f">= {fmt(goal)}")

    def at_most(name: str, value: float | None, goal: float, fmt: Callable[[float | None], str]) -> None:
        target(name, value, lambda v: v <= goal, fmt(value), f"<= {fmt(goal)}")

    at_least(
        "actor JSON repeated vs hello world", ratio(_get(figures, "actor_json_repeated"), hello), 0.5, pct
    )
    at_least(
        "actor JSON repeated, 5 writes/s to another actor, vs no writes",
        ratio(_get(figures, "actor_json_during_writes"), _get(figures, "actor_json_no_writes")),
        0.9,
        pct,
    )
    at_most(
        "actor JSON compressed size vs raw",
        ratio(
            _get(figures, "actor_json_compressed", "encoded_bytes"),
            _get(figures, "actor_json_compressed", "raw_bytes"),
        ),
        0.2,
        pct,
    )
    at_least(
        "actor JSON repeated compressed rate vs raw",
        ratio(_get(figures, "actor_json_compressed"), _get(figures, "actor_json_repeated")),
        1.0,
        times,
    )
    at_least(
        "actor JSON cold vs bare Core",
        ratio(_get(figures, "actor_json_cold"), _get(figures, "ref_core_actor_json")),
        2.0,
        times,
    )
    if backend == "sqlite":
        at_least(
            "actor JSON cold vs Datasette JSON",
            ratio(_get(figures, "actor_json_cold"), _get(figures, "ref_datasette_json")),
            5.0,
            times,
        )
    create, insert = figures.get("create_events", {}), figures.get("ref_core_insert", {})
    create_ratio = ratio(_get(figures, "create_events"), _get(figures, "ref_core_insert"))
    errors = create.get("errors")
    target(
        "event creation (16 clients) vs bare insert endpoint, 0 errors",
        create_ratio,
        lambda v: v >= 0.5 and errors == 0,
        f"{pct(create_ratio)}, {errors} errors ({create.get('rps')}/s vs {insert.get('rps')}/s)",
        ">= 50.0%, 0 errors",
    )
    export, stream = figures.get("export", {}), figures.get("ref_core_export", {})
    complete = bool(export.get("complete"))
    export_ratio = ratio(
        _get(figures, "export", "events_per_s"), _get(figures, "ref_core_export", "events_per_s")
    )
    target(
        "full export vs bare streaming export",
        export_ratio if complete else (None if export_ratio is None else 0.0),
        lambda v: v >= 0.6,
        f"{pct(export_ratio)} ({export.get('events_per_s')} vs {stream.get('events_per_s')} events/s)"
        + ("" if complete else " (export incomplete)"),
        ">= 60.0%",
    )
    rss = _get(figures, "export", "peak_rss_mb")
    target("export peak worker memory", rss, lambda v: complete and v < 100, f"{rss} MB", "< 100 MB")
    core_p50 = _serial(figures, "ref_core_actor_json")
    for label, name in (("actor page", "actor_html"), ("topic page", "topic_html")):
        at_least(
            f"{label} repeated vs hello world", ratio(_get(figures, f"{name}_repeated"), hello), 0.4, pct
        )
        at_most(
            f"{label} cold p50 (one at a time) vs bare Core p50",
            ratio(_serial(figures, f"{name}_cold"), core_p50),
            3.0,
            times,
        )
    at_most(
        "search p50, a word in 45% of events vs a name",
        ratio(_serial(figures, "search_common_word"), _serial(figures, "search_name")),
        5.0,
        times,
    )
    at_most(
        "scaling: actor JSON cold cost, big vs 10,000-event database",
        ratio(_get(figures, "small_actor_json_cold"), _get(figures, "actor_json_cold")),
        1.2,
        times,
    )
    return out


def _f(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:,.1f}" if x < 1000 else f"{x:,.0f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def _spread(fig: dict[str, Any], key: str) -> str:
    low_high = fig.get("spread", {}).get(key)
    return f" [{_f(low_high[0])}-{_f(low_high[1])}]" if low_high else ""


def figure_cell(fig: dict[str, Any]) -> str:
    """A figure in one cell: the median req/s (or events/s) with its spread, and p50 latency."""
    if not fig:
        return "n/a"
    if "error" in fig and "rps" not in fig and "events_per_s" not in fig:
        return "error"
    if "events_per_s" in fig and "rps" not in fig:
        return f"{_f(fig['events_per_s'])} ev/s{_spread(fig, 'events_per_s')}, {fig.get('peak_rss_mb')} MB"
    parts = []
    if "rps" in fig:
        parts.append(f"{_f(fig['rps'])}/s{_spread(fig, 'rps')}")
    if fig.get("p50_ms") is not None:
        parts.append(f"p50 {_f(fig['p50_ms'])} ms")
    if "serial" in fig:
        parts.append(f"1-at-a-time p50 {_f(fig['serial']['p50_ms'])} ms{_spread(fig['serial'], 'p50_ms')}")
    if fig.get("errors"):
        parts.append(f"{fig['errors']} errors")
    return ", ".join(parts)


def print_table(results: dict[str, Any]) -> None:
    settings = results["settings"]
    print()
    print(
        f"Benchmark {results['generated_at']}: {settings['events']:,} events, {settings['duration_s']} s x "
        f"{settings['runs']} runs per figure (median [min-max]), {settings['connections']} connections, "
        f"client {settings['client']}; hello world {figure_cell(results['hello'])}"
    )
    for backend, data in results["backends"].items():
        print(f"\n{BACKENDS.get(backend, backend)}:")
        for name, fig in data["figures"].items():
            print(f"  {name:<28} {figure_cell(fig)}")
        print("  targets:")
        for t in data["targets"]:
            mark = {True: "PASS", False: "FAIL", None: "----"}[t["met"]]
            print(f"   [{mark}] {t['target']}: {t['measured']} (goal {t['goal']})")
    for note in results["notes"]:
        print(f"  note: {note}")


def _verdict(t: dict[str, Any] | None) -> str:
    if t is None:
        return ""
    mark = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
    return f"{t['measured']}, {mark}"


ROWS = (
    ("ref_core_actor_json", "bare SQLAlchemy Core, the actor's 1,000 events as JSON"),
    ("ref_core_insert", "bare insert endpoint (sqlite3 WAL / psycopg), 16 clients"),
    ("ref_core_export", "bare streaming export (rows to JSON lines)"),
    ("ref_hello_same_bytes", "hello world answering as many bytes as the actor JSON (the ceiling)"),
    ("actor_json_cold", "actor timeline JSON, cold (read memo off)"),
    ("actor_json_new_url_memo", "the same, a new URL, the actor's rows in the read memo (no target)"),
    ("actor_json_repeated", "the same, repeated"),
    ("actor_json_compressed", "the same, repeated, compressed (zstd)"),
    ("actor_json_no_writes", "repeated, on the write copy, no writes"),
    ("actor_json_during_writes", "repeated, 5 writes/s to another actor"),
    ("actor_html_cold", "actor stance-history page, cold"),
    ("actor_html_repeated", "the same, repeated"),
    ("topic_html_cold", "topic comparison, cold"),
    ("topic_html_repeated", "the same, repeated"),
    ("search_name", "search, a name"),
    ("search_common_word", "search, a word in 45% of events"),
    ("create_events", "event creation through the API, 16 clients"),
    ("export", "full export"),
    ("small_actor_json_cold", "actor timeline JSON, cold, 10,000-event database"),
)


def readme_table(results: dict[str, Any]) -> str:
    """The Performance table (docs/performance.md): the latest run's figures and verdicts, both backends
    side by side."""
    settings = results["settings"]
    backends = list(results["backends"])
    names = [BACKENDS.get(b, b) for b in backends]
    lines = [
        f"Latest run: {results['generated_at']}, {results['machine']['cpus']} CPUs, "
        f"{settings['events']:,} events, {settings['duration_s']} s x {settings['runs']} runs per figure "
        f"(median [min-max]), client {settings['client']}. **Hello world on this machine: "
        f"{figure_cell(results['hello'])}.**",
        "",
        "| figure | " + " | ".join(names) + " |",
        "| --- |" + " --- |" * len(names),
    ]
    for name, label in ROWS:
        cells = [figure_cell(results["backends"][b]["figures"].get(name, {})) for b in backends]
        if any(c != "n/a" for c in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "| target | goal | " + " | ".join(names) + " |", "| --- | --- |" + " --- |" * len(names)]
    order: list[str] = []
    for b in backends:
        order += [t["target"] for t in results["backends"][b]["targets"] if t["target"] not in order]
    for name in order:
        per = [
            next((t for t in results["backends"][b]["targets"] if t["target"] == name), None)
            for b in backends
        ]
        goal = next(t["goal"] for t in per if t is not None)
        lines.append(f"| {name} | {goal} | " + " | ".join(_verdict(t) for t in per) + " |")
    return "\n".join(lines)


def update_readme(results: dict[str, Any], readme: Path = ROOT / "docs" / "performance.md") -> bool:
    """Replace the table between the bench-table markers (in docs/performance.md); False without markers."""
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        return False
    readme.write_text(pattern.sub(lambda _m: f"{START}\n{readme_table(results)}\n{END}", text))
    return True


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench-results.json"
    if not update_readme(json.loads(source.read_text())):
        sys.exit(f"docs/performance.md has no {START} ... {END} markers")
    print(f"docs/performance.md: table regenerated from {source}")
