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
        "../2020",
        "2020/..",
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
