"""Citations (issue 18): each event and each filtered view as CSL-JSON, BibTeX and RIS, read back by
their reference parsers (citeproc-py, bibtexparser, rispy); Highwire tags and the Cite box."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import bibtexparser
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from flask import Flask
from flask.testing import FlaskClient

from timeline import queries
from timeline.db import get_session, write_session
from timeline.services.citations import STYLE
from timeline.services.events import delete_event

from support.app import load_doc

PUTIN_UID = "putin-2019-not-a-firefighting-crew"
RIAC = "https://russiancouncil.ru/en/analytics-and-comments/columns/middle-east-policy/"
ZARIF = "محمد جواد ظریف"
PUTIN_RU = "Владимир Путин"


def event_id(app: Flask, uid: str) -> int:
    with app.app_context():
        event = queries.event_by_uid(get_session(), uid)
        assert event is not None and event.id is not None
        return event.id


def own_words_doc() -> dict[str, Any]:
    """Statements whose sources are the speakers' own words, by speakers with non-Latin names."""
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [
            {"slug": "iran", "name": "Government of Iran", "kind": "government"},
            {"slug": "zarif", "name": ZARIF, "kind": "person", "parent": "iran"},
            {"slug": "putin", "name": PUTIN_RU, "kind": "person", "aliases": ["Vladimir Putin"]},
        ],
        "topics": [{"slug": "jcpoa", "name": "JCPOA"}],
        "events": [
            {
                "uid": "zarif-interview",
                "actor": "zarif",
                "kind": "interview",
                "title": "Zarif: 50% & {more} #1",
                "date": "2020-12~",
                "quote": "روابط ما با روسیه بی‌سابقه است",
                "location": "تهران",
                "source": {
                    "title": "گفت‌وگو با ظریف",
                    "url": "https://example.org/zarif?a=1&b=2",
                    "publisher": "IRNA",
                    "published": "2020-12-21",
                    "archive_url": "https://web.archive.org/web/2021/https://example.org/zarif",
                },
                "stances": [{"topic": "jcpoa", "score": 2}],
            },
            {
                "uid": "putin-speech",
                "actor": "putin",
                "kind": "statement",
                "title": "Putin on the deal",
                "date": "2019-05-15",
                "source": {"title": "Transcript", "author": "Vladimir Putin", "url": "https://example.org/t"},
                "stances": [{"topic": "jcpoa", "score": 1}],
            },
        ],
    }


def bib_entries(text: str) -> dict[str, Any]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {e.key: e for e in library.entries}


def bib_field(entry: Any, name: str) -> str:
    return entry.fields_dict[name].value  # the parser removes the outer braces


def formatted_by_citeproc(items: list[dict[str, Any]]) -> list[str]:
    style = CitationStylesStyle(str(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_seeded_event_is_cited_as_the_article_that_reports_it(seeded: Flask, client: FlaskClient) -> None:
    number = event_id(seeded, PUTIN_UID)
    [item] = client.get(f"/events/{number}.csl.json").get_json()
    assert item["id"] == PUTIN_UID and item["type"] == "article-newspaper"
    assert item["author"] == [{"literal": "Fardin Eftekhari"}]
    assert item["title"] == "Is Russia Preparing to Get Closer to Iran in the Biden Era?"
    assert item["container-title"] == "Russian International Affairs Council (RIAC)"
    assert item["URL"].startswith(RIAC)
    # The source's EDTF publication date "2020-12-20/2021-01-20" as a CSL range.
    assert item["issued"] == {"date-parts": [[2020, 12, 20], [2021, 1, 20]]}
    assert "Statement by Vladimir Putin (President of Russia), 15 May 2019" in item["note"]
    assert "Russia is not a firefighting rescue crew… to save things" in item["note"]
    [text] = formatted_by_citeproc([item])
    assert (
        text.startswith("Fardin Eftekhari (2020–2021)") and "Available at: https://russiancouncil.ru/" in text
    )

    response = client.get(f"/events/{number}.bib")
    assert response.mimetype == "application/x-bibtex"
    assert f'filename="{PUTIN_UID}.bib"' in response.headers["Content-Disposition"]
    entry = bib_entries(response.get_data(as_text=True))[PUTIN_UID]
    assert entry.entry_type == "article"
    assert bib_field(entry, "author") == "{Fardin Eftekhari}"  # braced: a name taken as written
    assert bib_field(entry, "date") == "2020-12-20/2021-01-20" and bib_field(entry, "year") == "2020--2021"
    assert bib_field(entry, "url").startswith(RIAC)

    response = client.get(f"/events/{number}.ris")
    assert response.mimetype == "application/x-research-info-systems"
    [ref] = rispy.loads(response.get_data(as_text=True))
    assert ref["type_of_reference"] == "NEWS" and ref["id"] == PUTIN_UID
    assert ref["authors"] == ["Fardin Eftekhari"] and ref["year"] == "2020"
    assert ref["urls"][0].startswith(RIAC) and ref["date"].startswith("2020/12/20/")


def test_own_words_cite_the_speaker_with_names_kept_exactly(app: Flask, client: FlaskClient) -> None:
    load_doc(app, own_words_doc())
    zarif, putin = event_id(app, "zarif-interview"), event_id(app, "putin-speech")
    [interview] = client.get(f"/events/{zarif}.csl.json").get_json()
    assert interview["type"] == "interview" and interview["author"] == [{"literal": ZARIF}]
    assert interview["title"] == "Zarif: 50% & {more} #1"
    assert interview["container-title"] == "گفت‌وگو با ظریف" and interview["event-place"] == "تهران"
    assert interview["issued"] == {"date-parts": [[2020, 12, 21]]}  # the source's date
    assert interview["event-date"] == {"date-parts": [[2020, 12]], "circa": True}  # when it was said
    assert interview["URL"] == "https://example.org/zarif?a=1&b=2"
    assert interview["archive_location"] == "https://web.archive.org/web/2021/https://example.org/zarif"
    assert "روابط ما با روسیه بی‌سابقه است" in interview["note"]
    [speech] = client.get(f"/events/{putin}.csl.json").get_json()
    # The source's author is the speaker (by an alias): the speaker is the author, under his own name.
    assert speech["type"] == "speech" and speech["author"] == [{"literal": PUTIN_RU}]
    assert speech["issued"] == speech["event-date"] == {"date-parts": [[2019, 5, 15]]}
    assert [t.split(" (")[0] for t in formatted_by_citeproc([interview, speech])] == [ZARIF, PUTIN_RU]

    entry = bib_entries(client.get(f"/events/{zarif}.bib").get_data(as_text=True))["zarif-interview"]
    assert entry.entry_type == "misc" and bib_field(entry, "type") == "Interview"
    assert bib_field(entry, "author") == "{" + ZARIF + "}"
    assert bib_field(entry, "howpublished") == "گفت‌وگو با ظریف"
    # LaTeX specials are escaped, so the file compiles; the braces stay balanced.
    assert bib_field(entry, "title") == r"Zarif: 50\% \& \textbraceleft{}more\textbraceright{} \#1"
    assert bib_field(entry, "date") == "2020-12-21" and bib_field(entry, "eventdate") == "2020-12~"
    assert bib_field(entry, "url") == "https://example.org/zarif?a=1&b=2"

    [ref] = rispy.loads(client.get(f"/events/{zarif}.ris").get_data(as_text=True))
    assert ref["type_of_reference"] == "PCOMM" and ref["type_of_work"] == "Interview"
    assert ref["authors"] == [ZARIF] and ref["title"] == "Zarif: 50% & {more} #1"
    assert ref["urls"] == [
        "https://example.org/zarif?a=1&b=2",
        "https://web.archive.org/web/2021/https://example.org/zarif",
    ]
    assert ref["place_published"] == "تهران" and ref["date"] == "2020/12/21/"


def test_event_page_has_highwire_tags_and_a_cite_box(app: Flask, client: FlaskClient) -> None:
    load_doc(app, own_words_doc())
    number = event_id(app, "zarif-interview")
    page = client.get(f"/events/{number}").get_data(as_text=True)
    head = page[: page.index("</head>")]
    tags = [
        (n, html.unescape(c)) for n, c in re.findall(r'<meta name="(citation_\w+)" content="([^"]*)">', head)
    ]
    assert ("citation_title", "Zarif: 50% & {more} #1") in tags
    assert ("citation_author", ZARIF) in tags
    assert ("citation_publication_date", "2020/12/21") in tags
    assert ("citation_public_url", "https://example.org/zarif?a=1&b=2") in tags
    assert ("citation_abstract_html_url", f"http://localhost/events/{number}") in tags
    assert f'href="/events/{number}.bib"' in head and f'href="/events/{number}.ris"' in head
    box = page[
        page.index('<section class="cite"') : page.index("</section>", page.index('<section class="cite"'))
    ]
    assert "Interview" in box and f"{ZARIF} (2020)" in box
    assert "Zarif: 50% &amp; {more} #1" in box  # the title escaped once, never raw HTML
    assert f'href="/events/{number}.csl.json"' in box


def test_filtered_views_cite_exactly_their_events(seeded: Flask, client: FlaskClient) -> None:
    query = "topic=jcpoa&from=2020"
    expected = [e["uid"] for e in client.get(f"/actors/russia.json?{query}").get_json()["events"]]
    assert len(expected) >= 3
    items = client.get(f"/actors/russia.csl.json?{query}").get_json()
    assert [i["id"] for i in items] == expected
    assert list(bib_entries(client.get(f"/actors/russia.bib?{query}").get_data(as_text=True))) == expected
    assert [
        r["id"] for r in rispy.loads(client.get(f"/actors/russia.ris?{query}").get_data(as_text=True))
    ] == expected
    assert len(formatted_by_citeproc(items)) == len(expected)

    topic = [e["uid"] for e in client.get("/topics/us-sanctions.json?confidence=medium").get_json()["events"]]
    assert "iran-2020-pursues-lifting-of-sanctions" in topic
    cited = client.get("/topics/us-sanctions.csl.json?confidence=medium").get_json()
    assert [i["id"] for i in cited] == topic
    actors_page = client.get(f"/actors/russia?{query}&page=1").get_data(as_text=True)
    assert f'href="/actors/russia.bib?{query.replace("&", "&amp;")}"' in actors_page


def test_bad_requests_name_the_field_and_deleted_events_are_gone(seeded: Flask, client: FlaskClient) -> None:
    response = client.get("/actors/russia.bib?kind=rumour")
    assert response.status_code == 400 and "kind" in response.get_json()["error"]["fields"]
    response = client.get("/topics/jcpoa.ris?actors=nobody")
    assert response.status_code == 400 and "actors" in response.get_json()["error"]["fields"]
    assert client.get("/actors/nobody.csl.json").status_code == 404
    assert client.get("/events/999999.bib").status_code == 404
    number = event_id(seeded, PUTIN_UID)
    with seeded.app_context(), write_session() as session:
        delete_event(session, number)
    assert client.get(f"/events/{number}.ris").status_code == 404
    assert PUTIN_UID not in json.dumps(client.get("/actors/russia.csl.json").get_json())
