"""flask --app timeline demo-data: a deterministic synthetic dataset in an empty database."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from .db import engines
from .services.demo import DemoDataError, database_counts, generate_demo_data


@click.command("demo-data")
@with_appcontext
@click.option("--events", default=10000, show_default=True, type=click.IntRange(min=1), help="Events.")
@click.option("--actors", default=200, show_default=True, type=click.IntRange(min=1), help="Actors.")
@click.option("--topics", default=30, show_default=True, type=click.IntRange(min=1), help="Topics.")
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same data.")
def demo_data_command(events: int, actors: int, topics: int, seed: int) -> None:
    """Fill an EMPTY, migrated database with synthetic demo/benchmark data."""
    engine = engines()[1]
    try:
        counts = database_counts(engine)
    except (OperationalError, ProgrammingError) as exc:
        raise click.ClickException(
            "The database has no tables yet: run `flask --app timeline db upgrade` first."
        ) from exc
    if any(counts):
        raise click.ClickException(
            f"The database is not empty ({counts[0]} actors, {counts[1]} topics, {counts[2]} events): "
            "demo-data only fills an empty database. Point TIMELINE_DATABASE_URL at a new database "
            "(e.g. sqlite:///instance/demo.db), run `flask --app timeline db upgrade`, then demo-data."
        )
    started = time.monotonic()
    shown = [0]

    def progress(done: int, total: int) -> None:
        if done - shown[0] >= max(total // 10, 1) or done == total:
            shown[0] = done
            click.echo(f"  {done:>10,} / {total:,} events  ({time.monotonic() - started:.0f} s)", err=True)

    try:
        summary = generate_demo_data(
            engine, events=events, actors=actors, topics=topics, seed=seed, progress=progress
        )
    except DemoDataError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Generated {summary['events']:,} events, {summary['stances']:,} stances, {summary['actors']} actors "
        f"and {summary['topics']} topics (seed {seed}) in {summary['seconds']} s "
        f"({summary['events_per_second']:,} events/s)."
    )
    click.echo(
        f"Benchmark landmarks: /actors/{summary['bench_actor']} ({summary['bench_actor_events']} events), "
        f"/topics/{summary['wide_topic']} ({summary['wide_topic_actors']} actors)."
    )
