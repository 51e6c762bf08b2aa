"""A deterministic synthetic dataset for demos and benchmarks (flask --app timeline demo-data).

Same arguments and seed, same rows, byte for byte. Rows go in through SQLAlchemy Core executemany on
the table objects on SQLite, through COPY on PostgreSQL, in large batches and few transactions: a
million events take minutes, not hours.
The search index (SQLite FTS5 table kept by triggers) is filled by those triggers as rows go in.

Fixed landmarks for benchmarks, whatever the size:
- the actor ``bench-actor-1000`` (a person, no parent, no officials) has exactly 1,000 events
  (``min(1000, events // 2)`` when fewer than 2,000 events are asked for);
- the topic ``bench-topic-wide`` carries stances of up to 16 top-level actors (at least 12), at most
  64 events each, so the topic comparison page has the same shape on any database size; no other
  event takes that topic.
Other actors get a Zipf-like share of the events (a few with tens of thousands at a million events);
some people are officials of a government (parent). Source URLs use the reserved ``.invalid`` domain:
a link checker run on demo data reaches no one. The data version is bumped once at the end, as by any
write, so response caches keyed by it drop pages of the empty database.

One module though long: its steps share one random stream, whose order is the data (same seed, same
rows); only the vocabulary, which draws nothing, lives apart (demo_words.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, select, text

from .. import scopes
from ..dates import InvalidDate, ParsedDate, parse_date
from ..models import Actor, Event, Stance, Topic, metadata
from . import demo_words as vocab

GENERATOR_VERSION = 3  # bump when the generated data changes: benchmark databases are regenerated
BENCH_ACTOR = "bench-actor-1000"
BENCH_ACTOR_EVENTS = 1000
WIDE_TOPIC = "bench-topic-wide"
WIDE_ACTORS = 16  # top-level actors with stances on the wide topic (at least MIN_WIDE_ACTORS)
MIN_WIDE_ACTORS = 12
WIDE_EVENTS_PER_ACTOR = 64
MIN_ACTORS = MIN_WIDE_ACTORS + 1
MIN_TOPICS = 2
DATE_POOL = 1200  # distinct EDTF strings: parse_date costs milliseconds, so each is parsed once
DATE_POOL_SEED = 2021
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

Row = dict[str, Any]
_PARSED: dict[str, ParsedDate] = {}  # parse_date costs milliseconds: each string once per process


class DemoDataError(ValueError):
    """The database or the arguments do not allow generating the demo dataset."""


def _fragment(rng: random.Random, words: Sequence[str]) -> str:
    n = rng.randint(3, 9)
    text_ = " ".join(rng.choice(words) for _ in range(n))
    text_ = text_[0].upper() + text_[1:]
    return text_ + rng.choice((",", ".", ".", ";", " …", "."))


def _fragments(rng: random.Random, per_script: int) -> list[list[str]]:
    return [[_fragment(rng, words) for _ in range(per_script)] for words in vocab.SCRIPTS]


def _edtf_pool(rng: random.Random, size: int) -> list[ParsedDate]:
    """Distinct EDTF strings of mixed precision, each parsed once by the service's parser."""
    seen: dict[str, ParsedDate] = {}
    attempts = 0
    while len(seen) < size and attempts < size * 20:
        attempts += 1
        year = rng.choice(range(1995, 2026)) if rng.random() < 0.3 else rng.choice(range(2012, 2026))
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        r = rng.random()
        if r < 0.55:
            s = f"{year}-{month:02d}-{day:02d}"
        elif r < 0.70:
            s = f"{year}-{month:02d}"
        elif r < 0.76:
            s = f"{year}"
        elif r < 0.84:
            s = rng.choice((f"{year}-{month:02d}-{day:02d}~", f"{year}-{month:02d}~", f"{year}~"))
        elif r < 0.87:
            s = rng.choice((f"{year}-{month:02d}?", f"{year}?", f"{year}-{month:02d}-{day:02d}?"))
        elif r < 0.88:
            s = f"{year}-{month:02d}-{day:02d}%"
        elif r < 0.96:
            if rng.random() < 0.5:
                end_month = min(12, month + rng.randint(1, 3))
                s = f"{year}-{month:02d}/{year}-{end_month:02d}"
                if end_month == month:
                    s = f"{year}-{month:02d}/{year + 1}-01"
            else:
                end = date(year, month, day) + timedelta(days=rng.randint(1, 40))
                s = f"{year}-{month:02d}-{day:02d}/{end.isoformat()}"
        elif r < 0.98:
            s = f"{year}-{month:02d}-XX"
        else:
            s = f"{year}-{rng.choice(('21', '22', '23', '24'))}"
        if s in seen:
            continue
        parsed = _PARSED.get(s)
        if parsed is None:
            try:
                parsed = _PARSED[s] = parse_date(s)
            except InvalidDate:  # pragma: no cover - the pool only builds valid forms
                continue
        seen[s] = parsed
    return list(seen.values())


def _slugify(name: str) -> str:
    out = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in name)
    return "-".join(p for p in out.split("-") if p)


def _translit(name: str, table: dict[str, str]) -> str:
    return "".join(table.get(c.lower(), c) for c in name)


def _zipf_counts(total: int, n: int, rng: random.Random) -> list[int]:
    """n sizes adding up to total, at least 1 each, Zipf-Mandelbrot shaped, in shuffled order."""
    if n == 0:
        return []
    weights = [1.0 / (k + 2) ** 1.05 for k in range(1, n + 1)]
    spare = total - n
    wsum = sum(weights)
    counts = [1 + int(spare * w / wsum) for w in weights]
    rest = total - sum(counts)
    for i in range(rest):
        counts[i % n] += 1
    rng.shuffle(counts)
    return counts


def _check_columns(table: Table, keys: Iterable[str]) -> None:
    """Every NOT NULL column is filled by us, by a column default, or by the database."""
    given = set(keys)
    for column in table.columns:
        if column.name in given or column.nullable or column.primary_key:
            continue
        if column.default is None and column.server_default is None:
            raise DemoDataError(
                f"demo data: column {table.name}.{column.name} is NOT NULL without a default; "
                "timeline/services/demo.py must learn to fill it."
            )


def _table(model: Any) -> Table:
    """The Core table of a model (SQLModel's typing does not show __table__)."""
    table: Table = model.__table__
    return table


def _is_empty(conn: Any) -> tuple[int, int, int]:
    return (
        conn.execute(select(func.count()).select_from(_table(Actor))).scalar_one(),
        conn.execute(select(func.count()).select_from(_table(Topic))).scalar_one(),
        conn.execute(select(func.count()).select_from(_table(Event))).scalar_one(),
    )


def database_counts(engine: Engine) -> tuple[int, int, int]:
    """(actors, topics, events) now in the database."""
    with engine.connect() as conn:
        return _is_empty(conn)


def generate_demo_data(
    engine: Engine,
    *,
    events: int,
    actors: int,
    topics: int,
    seed: int,
    batch: int = 20000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Fill an empty, migrated database with a deterministic synthetic dataset; return a summary."""
    started = time.perf_counter()
    bench_size = min(BENCH_ACTOR_EVENTS, events // 2)
    if actors < MIN_ACTORS:
        raise DemoDataError(
            f"at least {MIN_ACTORS} actors are needed ({BENCH_ACTOR} and {MIN_WIDE_ACTORS} on {WIDE_TOPIC})"
        )
    if topics < MIN_TOPICS:
        raise DemoDataError(f"at least {MIN_TOPICS} topics are needed ({WIDE_TOPIC} and one more)")
    if events - bench_size < actors - 1:
        raise DemoDataError(f"at least {2 * (actors - 1)} events are needed for {actors} actors")
    if batch < 1:
        raise DemoDataError("the batch size must be positive")
    counts = database_counts(engine)
    if any(counts):
        raise DemoDataError(
            f"the database is not empty ({counts[0]} actors, {counts[1]} topics, {counts[2]} events)"
        )

    rng = random.Random(seed)
    t0 = time.perf_counter()
    # One catalogue of dates whatever the seed (parsed once per process); the seed picks among them.
    date_pool = _edtf_pool(random.Random(DATE_POOL_SEED), DATE_POOL)
    frags = _fragments(rng, 400)
    parse_seconds = time.perf_counter() - t0

    actor_rows, actor_script, actor_role, actor_label = _actors(rng, actors)
    topic_rows = _topics(topics)
    wide_topic_id = topic_rows[0]["id"]
    other_topics = [t["id"] for t in topic_rows[1:]]
    topic_name = {t["id"]: t["name"] for t in topic_rows}

    # Event sizes: the bench actor exactly, the others Zipf-like; then interleaved at random.
    sizes = [bench_size, *_zipf_counts(events - bench_size, actors - 1, rng)]
    owner: list[int] = []
    for actor_id, size in enumerate(sizes, start=1):
        owner.extend([actor_id] * size)
    rng.shuffle(owner)
    top_level = [a["id"] for a in actor_rows if a["parent_id"] is None]
    wide_actors = top_level[:WIDE_ACTORS]  # the bench actor first, then governments and others
    wide_left = {a: WIDE_EVENTS_PER_ACTOR for a in wide_actors}

    # Titles per topic, built once: "<verb> <topic>: <fragment>".
    titles = {
        t: [
            f"{rng.choice(vocab.VERBS)} {topic_name[t]}"
            + (f": {_fragment(rng, vocab.LATIN).rstrip(' ,.;…')}" if rng.random() < 0.6 else "")
            for _ in range(40)
        ]
        for t in topic_name
    }
    rationales = [_fragment(rng, vocab.LATIN) for _ in range(200)]

    event_table, stance_table = _table(Event), _table(Stance)
    actor_table, topic_table = _table(Actor), _table(Topic)
    _check_columns(actor_table, actor_rows[0])
    _check_columns(topic_table, topic_rows[0])

    sqlite = engine.dialect.name == "sqlite"
    insert_seconds = 0.0
    n_stances = 0
    stance_id = 0
    last_score: dict[tuple[int, int], int] = {}
    rand, randint, choices, sample = rng.random, rng.randint, rng.choices, rng.sample
    n_dates = len(date_pool)
    kinds = choices(vocab.KINDS, vocab.KIND_WEIGHTS, k=events)
    confidences = choices(vocab.CONFIDENCE, vocab.CONFIDENCE_WEIGHTS, k=events)

    copy: _PgCopy | None = None
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if sqlite and raw is not None:
            # This connection only: the file is new and can be regenerated, so skip fsyncs.
            cur = raw.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-262144")  # 256 MB of page cache while indexes grow
            cur.close()
        try:
            with conn.begin():
                # Parents (governments) have smaller ids than their officials: in order, keys hold.
                conn.execute(actor_table.insert(), actor_rows)
                conn.execute(topic_table.insert(), topic_rows)
            # PostgreSQL: COPY instead of executemany, the stances' JSON written with the events (below).
            copy = _PgCopy(conn, raw) if not sqlite and raw is not None else None
            event_rows: list[Row] = []
            stance_rows: list[Row] = []
            # Commit every few batches: few transactions, and the WAL can be checkpointed between them.
            per_txn = max(batch, 100_000)
            checked = False
            trans = conn.begin()
            for i in range(events):
                event_id = i + 1
                actor_id = owner[i]
                script = actor_script[actor_id]
                parsed = date_pool[int(rand() * n_dates)]
                # 1-3 stances on distinct topics; the wide topic only for its chosen actors.
                k = 1 if (r := rand()) < 0.5 else (2 if r < 0.85 else 3)
                if wide_left.get(actor_id, 0) > 0:
                    wide_left[actor_id] -= 1
                    chosen = [wide_topic_id, *sample(other_topics, min(k - 1, len(other_topics)))]
                else:
                    chosen = sample(other_topics, min(k, len(other_topics)))
                for topic_id in chosen:
                    key = (actor_id, topic_id)
                    prev = last_score.get(key)
                    if prev is None or (r := rand()) < 0.1:
                        score = randint(-2, 2)
                    elif r < 0.7:
                        score = prev
                    else:
                        score = max(-2, min(2, prev + (1 if rand() < 0.5 else -1)))
                    last_score[key] = score
                    stance_id += 1
                    stance_rows.append(
                        {
                            "id": stance_id,
                            "event_id": event_id,
                            "topic_id": topic_id,
                            "score": score,
                            "rationale": rationales[int(rand() * 200)] if rand() < 0.4 else None,
                        }
                    )
                # Quote: 100-300 characters, the actor's script with fragments of the others.
                quote = None
                if rand() < 0.92:
                    target = randint(100, 300)
                    parts: list[str] = []
                    length = -1
                    while length < target:
                        pool = frags[script] if rand() < 0.7 else frags[int(rand() * 3)]
                        piece = pool[int(rand() * 400)]
                        parts.append(piece)
                        length += len(piece) + 1
                    quote = " ".join(parts)[:300].rstrip()
                summary = None
                if rand() < 0.7:
                    target = randint(150, 600)
                    parts = []
                    length = -1
                    latin = frags[0]
                    while length < target:
                        piece = latin[int(rand() * 400)]
                        parts.append(piece)
                        length += len(piece) + 1
                    summary = " ".join(parts)
                created = BASE_TIME + timedelta(seconds=i * 7)
                published = date_pool[int(rand() * n_dates)].edtf if rand() < 0.5 else None
                has_source = rand() < 0.85
                event_rows.append(
                    {
                        "id": event_id,
                        "uid": f"demo-{event_id:07d}",
                        "actor_id": actor_id,
                        "kind": kinds[i],
                        "title": f"{actor_label[actor_id]} {titles[chosen[0]][int(rand() * 40)]}"[
                            :300
                        ].rstrip(),
                        "date_edtf": parsed.edtf,
                        "date_earliest": parsed.earliest,
                        "date_latest": parsed.latest,
                        "date_display": parsed.display,
                        "date_basis": vocab.BASES[int(rand() * len(vocab.BASES))] if rand() < 0.5 else None,
                        "quote": quote,
                        "summary": summary,
                        "location": vocab.CITIES[int(rand() * len(vocab.CITIES))] if rand() < 0.6 else None,
                        "speaker_role": actor_role[actor_id],
                        "source_title": f"{topic_name[chosen[0]]}: transcript {event_id}"
                        if has_source
                        else None,
                        "source_url": f"https://sources.example.invalid/demo/{event_id}"
                        if has_source
                        else None,
                        "source_publisher": vocab.PUBLISHERS[int(rand() * len(vocab.PUBLISHERS))]
                        if has_source
                        else None,
                        "source_author": actor_label[actor_id] if has_source and rand() < 0.3 else None,
                        "source_published": published if has_source else None,
                        "confidence": confidences[i],
                        "created_at": created,
                        "updated_at": created + timedelta(seconds=int(rand() * 86400))
                        if rand() < 0.2
                        else created,
                    }
                )
                if len(event_rows) >= batch or i == events - 1:
                    if not checked:
                        _check_columns(event_table, event_rows[0])
                        _check_columns(stance_table, stance_rows[0])
                        checked = True
                    t1 = time.perf_counter()
                    if copy is not None:
                        copy.write(event_rows, stance_rows)
                    else:
                        conn.execute(event_table.insert(), event_rows)
                        conn.execute(stance_table.insert(), stance_rows)
                    insert_seconds += time.perf_counter() - t1
                    n_stances += len(stance_rows)
                    event_rows, stance_rows = [], []
                    if event_id % per_txn < batch or i == events - 1:
                        t1 = time.perf_counter()
                        trans.commit()
                        insert_seconds += time.perf_counter() - t1
                        if i != events - 1:
                            trans = conn.begin()
                    if progress is not None:
                        progress(event_id, events)
            with conn.begin():
                if copy is not None:
                    copy.finish()
                if not sqlite:
                    _reset_sequences(conn)
                _bump_data_version(conn)
        finally:
            if copy is not None and not copy.finished:  # a failed load: the trigger back on all the same
                conn.rollback()
                with conn.begin():
                    conn.execute(text(f"ALTER TABLE stance ENABLE TRIGGER {_PgCopy.TRIGGER}"))
            if sqlite and raw is not None:
                cur = raw.cursor()
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA cache_size=-2000")
                cur.close()

    seconds = time.perf_counter() - started
    return {
        "actors": len(actor_rows),
        "topics": len(topic_rows),
        "events": events,
        "stances": n_stances,
        "bench_actor": BENCH_ACTOR,
        "bench_actor_events": bench_size,
        "wide_topic": WIDE_TOPIC,
        "wide_topic_actors": sum(1 for a in wide_actors if wide_left[a] < WIDE_EVENTS_PER_ACTOR),
        "distinct_dates": len(date_pool),
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "seconds": round(seconds, 2),
        "seconds_parsing_dates": round(parse_seconds, 2),
        "seconds_inserting": round(insert_seconds, 2),
        "events_per_second": round(events / seconds) if seconds else None,
    }


def _pg_json_string(value: str) -> str:
    """A JSON string as PostgreSQL's json functions write it (escape_json): only quotes, backslashes and
    control characters escaped, everything else as is."""
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch < " ":
            out.append(_PG_JSON_CONTROL.get(ch) or f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_PG_JSON_CONTROL = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class _PgCopy:
    """PostgreSQL's fast path: events and stances sent with COPY in the open transaction. The stance
    trigger (migration 0006) would update each event once per stance, so it is off during the load and
    each event's stances_json is written as event_stances_json() writes it; finish() checks that on a
    sample and turns the trigger back on."""

    TRIGGER = "event_stances_refresh"

    def __init__(self, conn: Any, raw: Any) -> None:
        self.conn, self.raw = conn, raw
        self.event_columns: list[str] | None = None
        self.finished = False
        # The trigger's order: by topic name then id, in the database's collation.
        with conn.begin():
            order = conn.execute(text("SELECT id, slug FROM topic ORDER BY name, id")).all()
            conn.execute(text(f"ALTER TABLE stance DISABLE TRIGGER {self.TRIGGER}"))
        self.topic_rank = {row.id: i for i, row in enumerate(order)}
        self.topic_slug = {row.id: _pg_json_string(row.slug) for row in order}

    def _stances_json(self, stances: list[Row]) -> str:
        items = []
        for s in sorted(stances, key=lambda s: (self.topic_rank[s["topic_id"]], s["topic_id"])):
            rationale = "null" if s["rationale"] is None else _pg_json_string(s["rationale"])
            items.append(
                f'{{"topic" : {self.topic_slug[s["topic_id"]]}, "score" : {s["score"]}, '
                f'"rationale" : {rationale}}}'
            )
        return "[" + ", ".join(items) + "]"

    def write(self, event_rows: list[Row], stance_rows: list[Row]) -> None:
        by_event: dict[int, list[Row]] = {}
        for s in stance_rows:
            by_event.setdefault(s["event_id"], []).append(s)
        if self.event_columns is None:
            self.event_columns = [*event_rows[0], "stances_json"]
        columns = self.event_columns
        stance_columns = ["id", "event_id", "topic_id", "score", "rationale"]
        cur = self.raw.cursor()
        try:
            with cur.copy(f"COPY event ({', '.join(columns)}) FROM STDIN") as copy:
                for row in event_rows:
                    row["stances_json"] = self._stances_json(by_event.get(row["id"], []))
                    copy.write_row([row[c] for c in columns])
            with cur.copy(f"COPY stance ({', '.join(stance_columns)}) FROM STDIN") as copy:
                for srow in stance_rows:
                    copy.write_row([srow[c] for c in stance_columns])
        finally:
            cur.close()

    def finish(self) -> None:
        self.conn.execute(text(f"ALTER TABLE stance ENABLE TRIGGER {self.TRIGGER}"))
        self.finished = True
        wrong = self.conn.execute(
            text(
                "SELECT count(*) FROM (SELECT id, stances_json FROM event ORDER BY id LIMIT 2000) AS e "
                "WHERE stances_json <> event_stances_json(id)"
            )
        ).scalar_one()
        if wrong:
            raise DemoDataError(
                f"demo data: {wrong} events' stances_json differ from event_stances_json(): "
                "timeline/services/demo.py must write them as the trigger does"
            )


def _bump_data_version(conn: Any) -> None:
    """Like every write, move the data version on: response caches keyed by it must not serve old pages."""
    table = metadata.tables.get("data_version")
    if table is not None:
        conn.execute(table.update().where(table.c.id == 1).values(version=table.c.version + 1))
    if "data_scope" in metadata.tables:
        scopes.bump(conn, [scopes.ALL])  # a bulk load may reach any page


def _reset_sequences(conn: Any) -> None:
    """PostgreSQL: explicit ids were inserted, so move each id sequence past them."""
    for table in ("actor", "topic", "event", "stance"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        )


def _actors(
    rng: random.Random, n: int
) -> tuple[list[Row], dict[int, int], dict[int, str | None], dict[int, str]]:
    """Actor rows (explicit ids from 1), each actor's script, role and short label."""
    rows: list[Row] = []
    script: dict[int, int] = {}
    role: dict[int, str | None] = {}
    label: dict[int, str] = {}
    slugs: set[str] = set()
    n_gov = max(3, min(len(vocab.COUNTRIES), n // 8))
    governments: list[int] = []

    def add(
        name: str,
        kind: str,
        *,
        slug: str | None = None,
        role_: str | None = None,
        country: str | None = None,
        parent: int | None = None,
        s: int = 0,
        aliases: list[str] | None = None,
    ) -> None:
        actor_id = len(rows) + 1
        base = slug or _slugify(name)[:70] or "actor"
        slug_ = base
        if slug_ in slugs:
            slug_ = f"{base}-{actor_id}"
        slugs.add(slug_)
        created = BASE_TIME - timedelta(days=30) + timedelta(minutes=actor_id)
        rows.append(
            {
                "id": actor_id,
                "slug": slug_,
                "name": name[:200],
                "kind": kind,
                "role": role_,
                "country": country,
                "parent_id": parent,
                "aliases": aliases or [],
                "description": f"Synthetic {kind} for demos and benchmarks ({country or 'international'}).",
                "created_at": created,
                "updated_at": created,
            }
        )
        script[actor_id], role[actor_id], label[actor_id] = s, role_, name.split(" (")[0]

    add(
        "Bench Actor (1,000 events)",
        "person",
        slug=BENCH_ACTOR,
        role_="Benchmark spokesperson",
        country="Nowhere",
        aliases=["Бенч Актор", "بنچ اکتور"],
    )
    for i in range(n_gov):
        country, s = vocab.COUNTRIES[i % len(vocab.COUNTRIES)]
        name = country if i < len(vocab.COUNTRIES) else f"{country} ({i // len(vocab.COUNTRIES) + 1})"
        add(
            name,
            "government",
            country=country,
            s=s,
            aliases=[_translit(country, vocab.TRANSLIT_CYR), _translit(country, vocab.TRANSLIT_FA)],
        )
        governments.append(len(rows))
    while len(rows) < n:
        i = len(rows)
        country, s = vocab.COUNTRIES[int(rng.random() * len(vocab.COUNTRIES))]
        r = rng.random()
        if r < 0.6:
            # People after the first few are often officials of a government (its country, its script).
            parent = rng.choice(governments) if i > WIDE_ACTORS + 1 and rng.random() < 0.5 else None
            if parent is not None:
                country, s = rows[parent - 1]["country"], script[parent]
            name = f"{rng.choice(vocab.FIRST[s])} {rng.choice(vocab.LAST[s])}"
            add(
                name,
                "person",
                role_=f"{rng.choice(vocab.ROLES)} of {country}",
                country=country,
                parent=parent,
                s=s,
                aliases=[_translit(name, vocab.TRANSLIT_CYR), _translit(name, vocab.TRANSLIT_FA)],
            )
        elif r < 0.8:
            add(
                f"{country} {rng.choice(vocab.ORG_WORDS)} for {rng.choice(vocab.TOPIC_NAMES)}",
                "organization",
                country=country,
                s=s,
            )
        elif r < 0.92:
            add(f"The {country} {rng.choice(vocab.MEDIA)}", "media", country=country, s=s)
        else:
            add(f"{rng.choice(vocab.TOPIC_NAMES)} {rng.choice(vocab.GROUPS)}", "group", s=s)
    return rows, script, role, label


def _topics(n: int) -> list[Row]:
    rows: list[Row] = [
        {
            "id": 1,
            "slug": WIDE_TOPIC,
            "name": "Benchmark: wide topic",
            "description": f"Stances of up to {WIDE_ACTORS} actors, {WIDE_EVENTS_PER_ACTOR} events each.",
        }
    ]
    for i in range(1, n):
        base = vocab.TOPIC_NAMES[(i - 1) % len(vocab.TOPIC_NAMES)]
        name = base if i <= len(vocab.TOPIC_NAMES) else f"{base} {(i - 1) // len(vocab.TOPIC_NAMES) + 1}"
        rows.append(
            {"id": i + 1, "slug": _slugify(name), "name": name, "description": f"Synthetic topic: {name}."}
        )
    return rows
