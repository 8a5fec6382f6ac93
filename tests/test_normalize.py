"""Every messy form of the templates (docs/data.md) reads as the value it means."""
from datetime import date, datetime

import pytest

from etl import normalize as n


@pytest.mark.parametrize("raw", ["2023-03", "2023/3", "202303", "2023年3月", "2023.03", " 2023-03 ",
                                 "２０２３-０３", datetime(2023, 3, 17), date(2023, 3, 1), 44999,
                                 "2023-03-15"])
def test_periods_all_mean_march_2023(raw):
    assert n.parse_period(raw) == date(2023, 3, 1)


@pytest.mark.parametrize("raw", ["2023-13", "March 2023", "2023", "", "abc"])
def test_bad_periods_are_rejected(raw):
    with pytest.raises(n.BadValue) as info:
        n.parse_period(raw)
    assert info.value.reason == "bad_period"


@pytest.mark.parametrize("raw", ["2023-03-15", "2023/3/15", "2023年3月15日", "2023.3.15", "20230315",
                                 datetime(2023, 3, 15), 45000, "2023-03-15 00:00:00"])
def test_dates_all_mean_15_march_2023(raw):
    assert n.parse_date(raw) == date(2023, 3, 15)


def test_impossible_date_is_rejected():
    with pytest.raises(n.BadValue):
        n.parse_date("2023-02-30")


@pytest.mark.parametrize("raw,expected", [("1,234", 1234), ("１２３", 123), (" 42 ", 42), (7.0, 7),
                                          ("1，234", 1234), ("0", 0), (15, 15)])
def test_counts(raw, expected):
    assert n.parse_count(raw) == expected


@pytest.mark.parametrize("raw,reason", [("-3", "negative"), ("12.5", "not_whole"), ("abc", "bad_number"),
                                        ("1,23", "bad_number"), ("12a", "bad_number")])
def test_bad_counts(raw, reason):
    with pytest.raises(n.BadValue) as info:
        n.parse_count(raw)
    assert info.value.reason == reason


@pytest.mark.parametrize("raw", ["是", "Y", "yes", "YES", "1", "✓", "√", True, 1])
def test_yes(raw):
    assert n.parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "0", "✗", "×", False, 0])
def test_no(raw):
    assert n.parse_bool(raw) is False


def test_codes_keep_leading_zeros_and_lose_excel_decimals():
    assert n.parse_code("0370902") == "0370902"
    assert n.parse_code(370902.0) == "370902"
    assert n.parse_code("３７０９０２") == "370902"
    with pytest.raises(n.BadValue):
        n.parse_code("37 09;02")


def test_header_keys_ignore_case_spaces_and_width():
    assert n.header_key(" 机构代码 ") == n.header_key("机构代码")
    assert n.header_key("Facility_Code") == n.header_key("facilitycode")
    assert n.header_key("（面积）") == n.header_key("面积")
