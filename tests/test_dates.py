from datetime import date

import pytest

from timeline.dates import InvalidDate, parse_bound, parse_date


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "display"),
    [
        ("2020-12-20", date(2020, 12, 20), date(2020, 12, 20), "20 December 2020"),
        ("2020-12", date(2020, 12, 1), date(2020, 12, 31), "December 2020"),
        ("2020-02", date(2020, 2, 1), date(2020, 2, 29), "February 2020"),
        ("2020", date(2020, 1, 1), date(2020, 12, 31), "2020"),
        ("2019-05~", date(2019, 4, 1), date(2019, 6, 30), "c. May 2019"),
        ("2020?", date(2019, 1, 1), date(2021, 12, 31), "2020?"),
        ("2020-12-20%", date(2020, 12, 19), date(2020, 12, 21), "c. 20 December 2020?"),
        ("2020-11/2020-12", date(2020, 11, 1), date(2020, 12, 31), "November 2020 – December 2020"),
        ("2020-12-XX", date(2020, 12, 1), date(2020, 12, 31), "December 2020"),
    ],
)
def test_valid_dates_keep_their_precision(text: str, earliest: date, latest: date, display: str) -> None:
    parsed = parse_date(text)
    assert (parsed.edtf, parsed.earliest, parsed.latest, parsed.display) == (text, earliest, latest, display)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2021-02-30",
        "99999",
        "0000",
        "03/02/2021",
        "last year",
        "2020-13",
        "../..",
        "/2020",
        "2020/",
        "2021/2020",
        "[2019,2020]",
        "2020-12-20T10:00",
        "２０２０",
        "۲۰۲۰",
        "20\x0020",
        "Y-170000002",
    ],
)
def test_invalid_dates_are_rejected_with_what_is_accepted(text: str) -> None:
    with pytest.raises(InvalidDate) as err:
        parse_date(text)
    assert "2020" in str(err.value)  # every message shows an accepted example


def test_filter_bounds_take_the_outer_day() -> None:
    assert parse_bound("2020", upper=False) == date(2020, 1, 1)
    assert parse_bound("2020-02", upper=True) == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "display"),
    [
        ("9999-12-31~", date(9999, 12, 30), date(9999, 12, 31), "c. 31 December 9999"),
        ("0001-01-01?", date(1, 1, 1), date(1, 1, 2), "1 January 1?"),
        ("0001-01-01%", date(1, 1, 1), date(1, 1, 2), "c. 1 January 1?"),
        (
            "1000-01-01/9999-12-31%",
            date(1000, 1, 1),
            date(9999, 12, 31),
            "1 January 1000 – c. 31 December 9999?",
        ),
        ("9999-12~", date(9999, 11, 1), date(9999, 12, 31), "c. December 9999"),
        ("0001-01~", date(1, 1, 1), date(1, 2, 28), "c. January 1"),
        ("9999?", date(9998, 1, 1), date(9999, 12, 31), "9999?"),
    ],
)
def test_widening_stops_at_the_ends_of_the_calendar(
    text: str, earliest: date, latest: date, display: str
) -> None:
    parsed = parse_date(text)
    assert (parsed.earliest, parsed.latest, parsed.display) == (earliest, latest, display)


EDGES = [
    "0001",
    "0001-01",
    "0001-01-01",
    "0001-21",
    "0001-24",
    "9999",
    "9999-12",
    "9999-12-31",
    "9999-23",
    "9999-41",
]


@pytest.mark.parametrize("text", [e + q for e in EDGES for q in ("", "~", "?", "%")])
def test_every_edge_date_parses_or_is_refused_never_crashes(text: str) -> None:
    for candidate in (text, f"{text}/9999-12-31%", f"0001-01-01?/{text}"):
        try:
            parsed = parse_date(candidate)
        except InvalidDate:
            continue
        assert date(1, 1, 1) <= parsed.earliest <= parsed.latest <= date(9999, 12, 31), candidate
        assert parse_bound(candidate, upper=False) <= parse_bound(candidate, upper=True)


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "display"),
    [
        ("2020-21", date(2020, 3, 1), date(2020, 5, 31), "Spring 2020"),
        ("2020-24", date(2020, 12, 1), date(2021, 2, 28), "Winter 2020–2021"),
        ("2020-25", date(2020, 3, 1), date(2020, 5, 31), "Spring 2020 (Northern Hemisphere)"),
        ("2020-28", date(2020, 12, 1), date(2021, 2, 28), "Winter 2020–2021 (Northern Hemisphere)"),
        ("2020-29", date(2020, 9, 1), date(2020, 11, 30), "Spring 2020 (Southern Hemisphere)"),
        ("2020-30", date(2020, 12, 1), date(2021, 2, 28), "Summer 2020–2021 (Southern Hemisphere)"),
        ("2020-32", date(2020, 6, 1), date(2020, 8, 31), "Winter 2020 (Southern Hemisphere)"),
        ("2020-33", date(2020, 1, 1), date(2020, 3, 31), "First quarter of 2020"),
        ("2020-36", date(2020, 10, 1), date(2020, 12, 31), "Fourth quarter of 2020"),
        ("2020-37", date(2020, 1, 1), date(2020, 4, 30), "First third of 2020"),
        ("2020-39", date(2020, 9, 1), date(2020, 12, 31), "Last third of 2020"),
        ("2020-40", date(2020, 1, 1), date(2020, 6, 30), "First half of 2020"),
        ("2020-41", date(2020, 7, 1), date(2020, 12, 31), "Second half of 2020"),
        ("2019-XX-15", date(2019, 1, 15), date(2019, 12, 15), "15 (month unknown) 2019"),
        ("2019-XX", date(2019, 1, 1), date(2019, 12, 31), "2019"),
    ],
)
def test_seasons_and_unknown_months_read_as_what_they_mean(
    text: str, earliest: date, latest: date, display: str
) -> None:
    parsed = parse_date(text)
    assert (parsed.earliest, parsed.latest, parsed.display) == (earliest, latest, display)


@pytest.mark.parametrize(
    "text", ["2020-42", "2020-20", "9999-24", "9999-28", "9999-30", "2020-24~", "2019-1X"]
)
def test_groupings_the_service_cannot_place_are_refused(text: str) -> None:
    with pytest.raises(InvalidDate):
        parse_date(text)
