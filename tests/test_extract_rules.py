"""The extractor without a database: quotations, speakers, relays, scare quotes, dates, the verbatim guard."""

from __future__ import annotations

import json
import socket
import time
from datetime import date
from pathlib import Path

import pytest

from timeline.services.extraction import Candidate, Published, Speaker, extract, verbatim
from timeline.services.extraction.dates import resolve
from timeline.services.extraction.evaluate import knowledge, score
from timeline.services.extraction.text import find_quotes

from support.extract_articles import ACTORS, ARABIC, ENGLISH, PERSIAN, RUSSIAN, TOPICS

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT.parent / "shared" / "article" / "russia-iran-biden-era.txt"
SEED = ROOT / "seed" / "russia-iran-biden-era.json"


def day(text: str) -> Published:
    return Published(date.fromisoformat(text), date.fromisoformat(text), text)


WINDOW = Published(date(2020, 12, 20), date(2021, 1, 20), "2020-12-20/2021-01-20")


def run(text: str, published: str) -> list[Candidate]:
    return extract(text, day(published), ACTORS, TOPICS).candidates


def by_quote(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {c.quote: c for c in candidates}


def test_every_candidate_is_verbatim_with_its_offsets() -> None:
    for text, published in (
        (RUSSIAN, "2021-01-27"),
        (PERSIAN, "2021-01-23"),
        (ARABIC, "2021-01-27"),
        (ENGLISH, "2021-01-27"),
    ):
        candidates = run(text, published)
        assert candidates
        for c in candidates:
            assert text[c.start : c.end] == c.quote


def test_the_guard_drops_a_quote_that_is_not_in_the_text() -> None:
    text = "He said “yes, we will” today."
    good = Candidate("yes, we will", 9, 21, Speaker("X", None, "X"), None, "../2021-01-01", "")
    edited = Candidate("yes, we shall", 9, 21, Speaker("X", None, "X"), None, "../2021-01-01", "")
    shifted = Candidate("yes, we will", 8, 20, Speaker("X", None, "X"), None, "../2021-01-01", "")
    assert verbatim(text, [good, edited, shifted]) == [good]


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ("He said “one” and ‘two’ then «три» and „vier“ and ‹cinq›.", ["one", "три", "vier", "cinq"]),
        ("«Он сказал: „нет“ и ушёл», — пишет газета.", ["Он сказал: „нет“ и ушёл"]),
        ('She said "it is over" and left.', ["it is over"]),
        ("“Unclosed quote runs on\nand a new paragraph.”", []),
        ("Biden’s plan, Iran’s view: no quotes here.", []),
    ],
)
def test_quotations_in_any_style(text: str, quotes: list[str]) -> None:
    assert [q.words(text) for q in find_quotes(text)] == quotes


def test_russian_news_item() -> None:
    found = by_quote(run(RUSSIAN, "2021-01-27"))
    first = found["не видит альтернативы"]
    assert first.speaker.actor == "dmitry-peskov"
    assert first.date == "2021-01-26" and "во вторник" in first.date_basis
    relayed = found["Мы по-прежнему считаем, что СВПД — единственный путь к стабильности в регионе"]
    assert relayed.speaker.actor == "dmitry-peskov"  # "сообщает ТАСС": the agency only relays
    assert relayed.date == "../2021-01-27"
    assert (
        found["Никаких переговоров о ракетной программе сейчас быть не может"].speaker.actor
        == "dmitry-peskov"
    )
    unknown = found["незаконными"]
    assert unknown.speaker.actor == "sergey-lavrov"
    assert unknown.date == "2020" and "в прошлом году" in unknown.date_basis
    for name in ("Газпром", "кампания максимального давления", "Коммерсантъ"):
        assert name not in found


def test_russian_unknown_speaker_is_proposed_with_the_words_that_name_him() -> None:
    actors = [a for a in ACTORS if a.slug != "sergey-lavrov"]
    found = by_quote(extract(RUSSIAN, day("2021-01-27"), actors, TOPICS).candidates)
    speaker = found["незаконными"].speaker
    assert speaker.actor is None and "Сергей Лавров" in speaker.name and speaker.evidence == speaker.name


def test_persian_news_item() -> None:
    found = by_quote(run(PERSIAN, "2021-01-23"))
    first = found["ایران هیچ پیش‌شرطی برای بازگشت آمریکا به برجام نمی‌پذیرد."]
    assert first.speaker.actor == "mohammad-javad-zarif"
    assert first.date == "2021-01-22" and "روز جمعه" in first.date_basis
    assert found["تحریم‌ها باید بدون قید و شرط لغو شوند."].speaker.actor == "mohammad-javad-zarif"  # او
    assert found["همکاری با آژانس ادامه خواهد داشت."].speaker.actor == "ali-akbar-salehi"  # not IRNA
    assert "کیهان" not in found and "نگاه به شرق" not in found


def test_arabic_news_item() -> None:
    found = by_quote(run(ARABIC, "2021-01-27"))
    first = found["على الولايات المتحدة العودة إلى الاتفاق النووي دون شروط"]
    assert first.speaker.actor == "sergey-lavrov" and first.date == "2021-01-26"
    assert found["لن نقبل بأي ضغوط على طهران"].speaker.actor == "sergey-lavrov"  # "وأضاف": he added
    assert "تاس" not in found and "الضغط الأقصى" not in found


def test_english_split_nested_relay_and_scare_quotes() -> None:
    found = by_quote(run(ENGLISH, "2021-01-27"))
    assert found["must return to the deal without preconditions."].speaker.actor == "sergey-lavrov"
    assert found["must return to the deal without preconditions."].date == "2021-01-25"
    assert found["We are ready"].speaker.actor == "sergey-lavrov"
    assert found["but not at any price."].speaker.actor == "sergey-lavrov"
    diplomat = found["The sanctions must be lifted first, and all of them."]
    assert diplomat.speaker.actor is None and diplomat.speaker.name == "a senior Iranian diplomat"
    assert diplomat.date == "2021-01-25/2021-01-27"
    nested = found["We will never accept the „snapback“ of UN sanctions"]
    assert nested.speaker.actor == "mohammad-javad-zarif" and nested.date == "2020"
    for scare in ("moderates", "maximum pressure", "Nord Stream 2"):
        assert scare not in found
    assert not any(c.speaker.actor in ("ria-novosti", "tass", "irna") for c in found.values())


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        ("He spoke on Tuesday.", day("2021-01-27"), "2021-01-26"),
        ("He spoke earlier this week.", day("2021-01-27"), "2021-01-25/2021-01-27"),
        ("He spoke last week.", day("2021-01-27"), "2021-01-18/2021-01-24"),
        ("He spoke last year.", day("2021-01-27"), "2020"),
        ("He spoke last year.", WINDOW, "2019/2020"),
        ("He spoke in March 2019.", day("2021-01-27"), "2019-03"),
        ("He spoke on December 20.", WINDOW, "2020-12-20"),
        ("He spoke recently.", day("2021-01-27"), "../2021-01-27"),
        ("He spoke.", WINDOW, "../2021-01-20"),
        ("Он выступил в среду.", day("2021-01-27"), "2021-01-20/2021-01-27"),
        ("Он выступил в прошлом году.", day("2021-01-27"), "2020"),
        ("او روز جمعه سخن گفت.", day("2021-01-23"), "2021-01-22"),
        ("او سال گذشته سخن گفت.", day("2021-01-23"), "2020"),
        ("قال يوم الثلاثاء", day("2021-01-27"), "2021-01-26"),
        ("قال العام الماضي", day("2021-01-27"), "2020"),
    ],
)
def test_dates_never_more_precise_than_their_cue(sentence: str, published: Published, expected: str) -> None:
    edtf, basis = resolve(sentence, published)
    assert edtf == expected
    assert published.edtf in basis


def test_the_article_scores_the_targets() -> None:
    if not ARTICLE.exists():
        pytest.skip(f"the shared article is not at {ARTICLE}")
    result = score(ARTICLE.read_text(encoding="utf-8"), WINDOW, json.loads(SEED.read_text(encoding="utf-8")))
    assert result.statements == 12
    assert result.right_speaker >= 12, result.misses
    assert result.scare_proposed == []
    assert result.dishonest == [] and result.honest_dates == result.dated


def test_a_20_kb_article_takes_under_two_seconds() -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    actors, topics, _ = knowledge(seed)
    text = (RUSSIAN + "\n" + ENGLISH + "\n" + PERSIAN + "\n" + ARABIC + "\n") * 12
    assert len(text.encode()) > 20_000
    extract(text[:500], day("2021-01-27"), actors, topics)  # parsers built once per process
    started = time.process_time()
    extract(text, day("2021-01-27"), actors + ACTORS, topics)
    assert time.process_time() - started < 2.0


def test_nothing_is_downloaded_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from timeline.services.extraction.sources import article_from_html

    def refuse(*args, **kwargs):
        raise AssertionError("the extractor tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert run(RUSSIAN, "2021-01-27")
    html = (
        "<html><head><title>T</title></head><body><article><p>"
        + "Putin said “no more, and never again”. " * 20
    )
    html += "</p></article></body></html>"
    assert "never again" in article_from_html(html).text
