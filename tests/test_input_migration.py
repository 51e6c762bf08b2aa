"""Migration 0009 re-reads stored event dates with the current parser (issue 12)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import create_engine, text

from timeline import migrate

from support.app import load_doc, make_app
from support.data import small_doc
from support.databases import Databases

STALE = {
    "2020-25": ((date(2020, 3, 1), date(2020, 5, 31), "March 2020"), "Spring 2020 (Northern Hemisphere)"),
    "2019-XX-15": ((date(2019, 1, 15), date(2019, 12, 15), "15 January 2019"), "15 (month unknown) 2019"),
    "9999-12~": ((date(9999, 11, 1), date(9999, 1, 31), "c. December 9999"), "c. December 9999"),
    "2020-24": ((date(2020, 12, 1), date(2020, 12, 31), "Winter 2020"), "Winter 2020–2021"),
}


COLUMNS = "date_edtf, date_earliest, date_latest, date_display"
SET_STALE = "UPDATE event SET date_earliest = :e, date_latest = :l, date_display = :d WHERE date_edtf = :t"
BY_TEXT = f"SELECT {COLUMNS} FROM event WHERE date_edtf = :t"
OTHERS = f"SELECT uid, {COLUMNS}, updated_at FROM event WHERE uid LIKE 'e-%' ORDER BY uid"


def test_0009_rereads_stale_dates_and_keeps_the_rest(databases: Databases) -> None:
    url = databases.new(migrated=False)
    migrate.upgrade(url)
    doc = small_doc()
    base = doc["events"][1]
    doc["events"] += [{**base, "uid": f"stale-{i}", "date": edtf} for i, edtf in enumerate(STALE)]
    app = make_app(url)
    load_doc(app, doc)  # the app writes what the latest schema has (the changes feed too), then back to 0008
    for engine in app.extensions["timeline.engines"]:
        engine.dispose()
    migrate.downgrade(url, "0008")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for edtf, ((earliest, latest, shown), _new) in STALE.items():
                conn.execute(
                    text(SET_STALE),
                    {"e": earliest, "l": latest, "d": shown, "t": edtf},
                )
            untouched = conn.execute(text(OTHERS)).all()
            version = conn.execute(text("SELECT version FROM data_version")).scalar_one()
            everything = conn.execute(text("SELECT version FROM data_scope WHERE scope = '*'")).scalar_one()
        migrate.upgrade(url)
        with engine.connect() as conn:
            for edtf, (_old, shown) in STALE.items():
                row = conn.execute(
                    text(BY_TEXT),
                    {"t": edtf},
                ).one()
                earliest, latest = (date.fromisoformat(str(v)) for v in row[1:3])
                assert row[0] == edtf and row[3] == shown, row
                assert earliest <= latest, row
            assert conn.execute(text(OTHERS)).all() == untouched
            assert conn.execute(text("SELECT version FROM data_version")).scalar_one() > version
            assert (
                conn.execute(text("SELECT version FROM data_scope WHERE scope = '*'")).scalar_one()
                > everything
            )
    finally:
        engine.dispose()
