"""Actor and topic pages: one time axis per page, the legend, words on the y-axis, the one-statement row,
the lane picker, and the seed read honestly (no change across speakers or overlapping dates)."""

from __future__ import annotations

import re

from flask import Flask

from support.app import load_doc
from support.histories import history_doc


def charts_of(page: str) -> list[str]:
    return re.findall(r'<svg width="100%".*?</svg>', page, re.S)


def ticks(chart: str) -> list[tuple[str, str]]:
    return re.findall(r'<text class="axis-label tick-label" x="([\d.]+)%"[^>]*>([^<]+)</text>', chart)


def section(page: str, slug: str) -> str:
    start = page.index(f'id="topic-{slug}"')
    return page[start : page.index("</section>", start)]


def test_actor_page_charts_share_one_axis_with_legend_words_and_a_compact_single_row(
    app: Flask, client
) -> None:
    load_doc(app, history_doc())
    page = client.get("/actors/iran").get_data(as_text=True)
    charts = charts_of(page)
    assert len(charts) == 2  # JCPOA and Look East; "Gas deals" has one statement
    assert ticks(charts[0]) == ticks(charts[1]) and len(ticks(charts[0])) >= 2  # one shared axis
    # The far-away 2001 statement does not squeeze the rest: pinned to the edge, the whole span a click away.
    assert "2001" not in " ".join(label for _x, label in ticks(charts[0]))
    assert "« 12 March 2001" in charts[0]
    assert "1 statement outside this period is pinned to the edge" in page
    assert '<a href="/actors/iran?axis=all">Show the whole span</a>' in page
    whole = charts_of(client.get("/actors/iran?axis=all").get_data(as_text=True))
    labels = [label for _x, label in ticks(whole[0])]
    assert labels and int(labels[0][-4:]) <= 2005 and ticks(whole[0]) == ticks(whole[1])
    # The y-axis in words; shapes as well as colours; a legend under the charts.
    for word in ("strongly for", "for", "neutral", "against", "strongly against"):
        assert '<text class="axis-label" x="4"' in charts[0] and f">{word}</text>" in charts[0]
    assert "-m-for" in charts[0] and "-m-against" in charts[0]
    legend = page[page.index('class="chart-legend') :]
    assert page.index('class="chart-legend') > page.rindex('<svg width="100%"')
    for text in ("for (▲)", "against (▼)", "ring: a reversal", "dashed ring: order unknown (dates overlap)"):
        assert text in legend
    assert ">Javad Zarif</span>" in legend and ">Majlis</span>" in legend  # each speaker's line named
    # One statement: a compact row, not a chart.
    gas = section(page, "gas")
    assert "<svg" not in gas and 'class="single-statement"' in gas
    assert "strongly for (+2)" in gas and "20 December 2020" in gas and "Statement g-1" in gas
    # Tooltips: on focus and tap through a small script; the page works without it.
    assert 'data-tip="' in charts[0] and '<script src="/static/chart-tips.js" defer></script>' in page
    assert client.get("/actors/iran?axis=sideways").status_code == 400


def test_changes_stay_within_a_speaker_and_overlaps_are_said(app: Flask, client) -> None:
    load_doc(app, history_doc())
    page = client.get("/actors/iran").get_data(as_text=True)
    look_east = section(page, "look-east")
    # Iran's two overlapping statements: no reversal, said and counted; Zarif's is a series of its own.
    assert "change-reversal" not in look_east and "is-reversal" not in look_east
    assert (
        "Iran</span>: 2 statements, first unknown (dates overlap), latest unknown (dates overlap)"
        in look_east
    )
    assert "1 pair in unknown order (dates overlap)" in look_east
    assert look_east.count("is-unordered") == 2
    assert '<td data-label="Change">order unknown (dates overlap)</td>' in look_east
    timeline = page[page.index("<h2>Timeline</h2>") :]
    le_1 = timeline[timeline.index("Statement le-1") :]
    assert "order unknown (dates overlap)" in le_1[: le_1.index("</li>")]
    jcpoa = section(page, "jcpoa")
    # Majlis −1 then Zarif +2 is not a change; Zarif +2 then −1 is one reversal, drawn as one step.
    assert "Majlis</span>: 1 statement, against (−1); 0 shifts, 0 reversals" in jcpoa
    assert (
        "Javad Zarif</span>: 2 statements, first strongly for (+2), latest against (−1); 0 shifts, 1 reversal"
        in jcpoa
    )
    assert jcpoa.count("is-reversal") == 1 and jcpoa.count('class="reversal-ring"') == 1
    chart = charts_of(jcpoa)[0]
    assert len(re.findall(r'<line class="step step-reversal"', chart)) == 2  # across, then down
    doc = client.get("/actors/iran.json").get_json()
    [history] = [h for h in doc["histories"] if h["topic"] == "jcpoa"]
    assert [(c["speaker"], c["from_event_uid"], c["to_event_uid"]) for c in history["changes"]] == [
        ("zarif", "j-2", "j-3")
    ]


def test_lane_picker_takes_names_and_applies_everywhere(app: Flask, client) -> None:
    load_doc(app, history_doc())
    page = client.get("/topics/jcpoa?actors=Russia,%20iran").get_data(as_text=True)
    assert re.findall(r'<g class="lane" data-lane="([^"]+)"', page) == ["russia", "iran"]
    picker = page[page.index('class="lane-picker') : page.index("</fieldset>")]
    assert re.findall(r'name="actors" value="([^"]+)" checked', picker) == ["russia", "iran"]
    assert '<span dir="auto">Russia</span>' in picker and 'aria-label="Move Iran up"' in picker
    assert 'href="/topics/jcpoa?actors=iran,russia"' in picker  # the order control swaps them
    # The statement list and the JSON twin hold the picked lanes only.
    only_russia = client.get("/topics/jcpoa?actors=RUSSIA").get_data(as_text=True)
    listing = only_russia[only_russia.index("Statements in date order") :]
    assert "Statement r-1" in listing and "Statement j-2" not in listing
    doc = client.get("/topics/jcpoa.json?actors=Russia").get_json()
    assert {e["uid"] for e in doc["events"]} == {"r-1", "r-2"} and [h["actor"] for h in doc["histories"]] == [
        "russia"
    ]
    # Ticked checkboxes arrive as repeated parameters: one comma list in a permalink.
    response = client.get("/topics/jcpoa?actors=russia&actors=iran&confidence=low")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/topics/jcpoa?confidence=low&actors=russia,iran")


def test_a_bad_lane_name_is_an_error_at_the_field_and_the_rest_stays(app: Flask, client) -> None:
    load_doc(app, history_doc())
    response = client.get("/topics/jcpoa?actors=Russia,Narnia")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    picker = page[page.index('class="lane-picker') : page.index("</fieldset>")]
    assert 'id="actors-error"' in picker and "no lane for Narnia on this topic" in picker
    assert "available: Iran, Russia" in picker
    assert re.findall(r'<g class="lane" data-lane="([^"]+)"', page) == ["russia"]  # the known name stays
    assert "Statement r-2" in page[page.index("Statements in date order") :]
    error = client.get("/topics/jcpoa.json?actors=Narnia").get_json()["error"]
    assert error["fields"]["actors"].startswith("no lane for Narnia")


def test_paging_keeps_the_picked_lanes(app: Flask, client) -> None:
    doc = history_doc()
    doc["events"] += [
        {"uid": f"many-{i}", "actor": "russia", "kind": "statement", "title": f"Russia {i}",
         "date": f"{2010 + i // 12}-{1 + i % 12:02d}", "stances": [{"topic": "jcpoa", "score": 1}]}
        for i in range(30)
    ]  # fmt: skip
    load_doc(app, doc)
    page = client.get("/topics/jcpoa?actors=russia").get_data(as_text=True)
    assert "Statements 1–25 of 32" in page  # Russia's 32, not Iran's
    assert 'href="/topics/jcpoa?actors=russia&amp;page=2"' in page
    second = client.get("/topics/jcpoa?actors=russia&page=2").get_data(as_text=True)
    assert "Statements 26–32 of 32" in second and "Statement j-2" not in second


def test_the_seeded_site_claims_no_change_across_speakers_or_overlapping_dates(seeded: Flask, client) -> None:
    actors = [a["slug"] for a in client.get("/api/v1/actors?per_page=100").get_json()["items"]]
    assert len(actors) >= 15, actors
    checked = 0
    for slug in actors:
        doc = client.get(f"/actors/{slug}.json").get_json()
        for history in doc["histories"]:
            points = {p["event_uid"]: p for p in history["points"]}
            for change in history["changes"]:
                before, after = points[change["from_event_uid"]], points[change["to_event_uid"]]
                assert before["actor"] == after["actor"] == change["speaker"], (slug, change)
                assert before["date_latest"] < after["date_earliest"], (slug, change)
                checked += 1
    assert checked >= 1  # some real changes remain (Ulyanov, Putin...)
    # The examples: Iran's "Look East" mixes speakers, so no reversal; no US "reversal" by Biden.
    iran = client.get("/actors/iran.json").get_json()
    [look_east] = [h for h in iran["histories"] if h["topic"] == "look-east-policy"]
    assert look_east["summary"]["reversals"] == 0 and look_east["summary"]["speakers"] >= 3
    us = client.get("/actors/united-states.json").get_json()
    [jcpoa] = [h for h in us["histories"] if h["topic"] == "jcpoa"]
    biden = {p["event_uid"] for p in jcpoa["points"] if p["actor"] == "joe-biden"}
    assert biden and not [c for c in jcpoa["changes"] if c["to_event_uid"] in biden]  # no "US reversal"
    # Russia's own two statements of late 2020 on relations with Iran overlap: said, not a change.
    russia = client.get("/actors/russia.json").get_json()
    [relations] = [h for h in russia["histories"] if h["topic"] == "russia-iran-relations"]
    assert relations["summary"]["unordered_pairs"] >= 1
    assert "order unknown (dates overlap)" in client.get("/actors/russia").get_data(as_text=True)
