"""The facility profile's numbers on a fixture computed by hand: a CHC with a station, a station,
a THC, a third center for percentiles, and a closed station."""
import duckdb
import pytest

from warehouse.periods import parse_period
from warehouse.queries import facility
from warehouse.scope import Scope
from warehouse.store import current_version_file

from factory import FACILITY_HEADER, load, monthly_file, tiny_city, write_csv

EVERYTHING = Scope.everything()


def month(code, period, births, visits):
    return {"facility_code": code, "period": period, "submitted_on": period + "-28", "births": births,
            "newborn_visits": visits}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("profile")
    db = tiny_city(tmp_path)
    load(db, write_csv(tmp_path / "more.csv", FACILITY_HEADER, [
        ["F_CHC3", "丁社区卫生服务中心", "CHC", "", "110101001", "政府办", 116.41, 39.90, 2100, "旧城改造区", "2012-01-01", ""],
        ["F_CHS9", "旧服务站", "CHS", "F_CHC1", "110101001", "政府办", 116.40, 39.91, 120, "旧城改造区", "2010-01-01",
         "2025-12-31"],
    ]))
    results = load(db, monthly_file(tmp_path / "m.csv", [
        month("F_CHC1", "2026-03", 10, 9), month("F_CHC1", "2026-02", 10, 8), month("F_CHC1", "2025-03", 10, 7),
        month("F_CHC3", "2026-03", 10, 8), month("F_CHC2", "2026-03", 10, 6),
        month("F_CHS1", "2026-03", 4, 4), month("F_THC1", "2026-03", 5, 3), month("F_CHS9", "2025-03", 2, 1),
    ]))
    assert results[0].status == "accepted", [p.line() for p in results[0].problems]
    connection = duckdb.connect(str(current_version_file(db)), read_only=True)
    yield connection
    connection.close()


def newborn(con, code, period):
    table = facility.indicator_table(con, EVERYTHING, code, parse_period(period)).set_index("indicator_code")
    row = table.loc["newborn_visit_rate"]
    return {k: (None if row[k] != row[k] else round(float(row[k]), 6)) for k in (
        "value", "previous_value", "change_previous", "last_year_value", "change_last_year",
        "district_percentile", "city_percentile")}


def test_a_center_with_its_previous_month_last_year_and_peers(con):
    assert newborn(con, "F_CHC1", "2026-03") == {
        "value": 0.9, "previous_value": 0.8, "change_previous": 0.1, "last_year_value": 0.7,
        "change_last_year": 0.2, "district_percentile": 1.0, "city_percentile": 1.0}


def test_peers_are_facilities_of_the_same_type(con):
    # centers in 东城区: F_CHC1 0.9, F_CHC3 0.8; in the city also F_CHC2 0.6
    assert newborn(con, "F_CHC3", "2026-03")["district_percentile"] == 0.0
    assert newborn(con, "F_CHC3", "2026-03")["city_percentile"] == 0.5
    assert newborn(con, "F_CHC2", "2026-03")["city_percentile"] == 0.0
    assert newborn(con, "F_CHC2", "2026-03")["district_percentile"] is None   # alone in its district


def test_a_station_and_a_township_center(con):
    assert newborn(con, "F_CHS1", "2026-03")["value"] == 1.0
    assert newborn(con, "F_CHS1", "2026-03")["city_percentile"] is None        # no other station reported
    thc = newborn(con, "F_THC1", "2026-03")
    assert thc["value"] == 0.6 and thc["previous_value"] is None


def test_a_closed_station_keeps_its_history(con):
    record = facility.header(con, EVERYTHING, "F_CHS9")
    assert str(record["closed_on"])[:10] == "2025-12-31" and record["parent_name"] == "甲街道社区卫生服务中心"
    assert newborn(con, "F_CHS9", "2025-03")["value"] == 0.5
    assert newborn(con, "F_CHS9", "2026-03")["value"] is None
    months = facility.submission_calendar(con, EVERYTHING, "F_CHS9")
    assert months["period"].max() == "2025-12"             # not expected after it closed


def test_the_center_lists_its_stations(con):
    assert facility.stations(con, EVERYTHING, "F_CHC1")["facility_code"].tolist() == ["F_CHS1", "F_CHS9"]


def test_search_finds_chinese_fragments_within_scope(con):
    assert facility.search(con, EVERYTHING, "服务站")["facility_code"].tolist() == ["F_CHS9", "F_CHS1"]
    assert facility.search(con, EVERYTHING, "丙街道")["facility_code"].tolist() == ["F_CHC2"]
    west_only = Scope(frozenset({"110102"}))
    assert facility.search(con, west_only, "服务站").empty
    assert facility.header(con, west_only, "F_CHC1") is None
    assert facility.indicator_table(con, west_only, "F_CHC1", parse_period("2026-03")).empty


def test_trend_marks_missing_months(con):
    series = facility.indicator_series(con, EVERYTHING, "F_CHC1", "newborn_visit_rate").set_index("period")
    assert series.loc["2026-03", "value"] == pytest.approx(0.9)
    assert not series.loc["2025-04", "received"]            # expected, not sent
    # the district's value, summed over its facilities: (9 + 8 + 4 + 3) / (10 + 10 + 4 + 5) in
    # 2026-03; (7 + 1) / (10 + 2) in 2025-03 (with the station closed since)
    assert series.loc["2026-03", "district_value"] == pytest.approx(24 / 29)
    assert series.loc["2025-03", "district_value"] == pytest.approx(8 / 12)
