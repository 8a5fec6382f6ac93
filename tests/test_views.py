"""The stable v_* views reproduce docs/domain.md's rules exactly on a tiny hand-checked city."""
from datetime import date

import pytest

from factory import load, monthly_file, query, tiny_city, write_csv

MONTHS = [
    {"facility_code": "F_CHC1", "period": "2026-01", "submitted_on": "2026-02-10", "resident_population": 12000,
     "records_total": 10000, "births": 3, "newborn_visits": 3, "edu_lectures": 1},
    {"facility_code": "F_CHC1", "period": "2026-02", "submitted_on": "2026-03-11", "resident_population": 12100,
     "records_total": 10500, "births": 4, "newborn_visits": 3, "edu_lectures": 2},
    {"facility_code": "F_CHC1", "period": "2026-03", "submitted_on": "2026-04-01", "resident_population": 12200,
     "records_total": "", "births": 5, "newborn_visits": 4, "edu_lectures": 0},
    {"facility_code": "F_CHS1", "period": "2026-01", "submitted_on": "2026-02-05", "resident_population": 8000,
     "records_total": 7000, "births": 2, "newborn_visits": 2},
    {"facility_code": "F_CHC2", "period": "2026-02", "submitted_on": "2026-03-09", "resident_population": 10000,
     "records_total": 9000, "births": 6, "newborn_visits": 6},
    {"facility_code": "F_THC1", "period": "2026-04", "submitted_on": "2026-05-08", "births": 0, "newborn_visits": 0},
]
STANDARDIZATION = [
    ["F_CHC1", "2023-06-30", "是", "是", "是"],
    ["F_CHC1", "2025-06-30", "是", "是", "否"],    # loses its standardization: stops counting
    ["F_CHC2", "2024-06-30", "是", "是", "是"],
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("views")
    db = tiny_city(tmp_path)
    results = load(db, monthly_file(tmp_path / "m.csv", MONTHS),
                   write_csv(tmp_path / "s.csv", ["机构代码", "评估日期", "政府提供业务用房", "政府配置设备",
                                                   "达到标准化建设要求"], STANDARDIZATION))
    assert all(r.status == "accepted" for r in results), [p.line() for r in results for p in r.problems]
    return db


def indicator(db, code, facility, kind, period):
    return query(db, """SELECT numerator, denominator, value, target, meets_target FROM v_indicator_value
                        WHERE indicator_code = ? AND facility_code = ? AND period_kind = ? AND period = ?""",
                 [code, facility, kind, period])


def area(db, code, area_code, kind, period):
    return query(db, """SELECT numerator, denominator, value FROM v_area_indicator_value
                        WHERE indicator_code = ? AND area_code = ? AND period_kind = ? AND period = ?""",
                 [code, area_code, kind, period])


def test_stock_takes_the_last_reported_month_and_flow_is_summed(db):
    # records_total (stock) was not reported in March: February's value stands for the quarter.
    assert indicator(db, "records_rate", "F_CHC1", "quarter", "2026Q1") == [(10500, 12200, 10500 / 12200, 0.9, False)]
    assert indicator(db, "newborn_visit_rate", "F_CHC1", "quarter", "2026Q1") == [(10, 12, 10 / 12, 0.85, False)]
    assert indicator(db, "newborn_visit_rate", "F_CHC1", "year", "2026") == [(10, 12, 10 / 12, 0.85, False)]
    assert indicator(db, "newborn_visit_rate", "F_CHC1", "month", "2026-01") == [(3, 3, 1.0, 0.85, True)]


def test_counts_have_no_denominator_and_a_target_scaled_to_the_period(db):
    assert indicator(db, "health_lectures", "F_CHC1", "quarter", "2026Q1") == [(3, None, 3, 3, True)]
    assert indicator(db, "health_lectures", "F_CHC1", "year", "2026") == [(3, None, 3, 12, False)]
    assert indicator(db, "health_lectures", "F_CHC1", "month", "2026-02") == [(2, None, 2, 1, True)]


def test_zero_denominator_gives_no_value(db):
    assert indicator(db, "newborn_visit_rate", "F_THC1", "month", "2026-04") == [(0, 0, None, 0.85, None)]


def test_areas_divide_summed_numerators_by_summed_denominators(db):
    # 甲街道: F_CHC1 (10500/12200) + F_CHS1 (7000/8000); not the mean of the two rates.
    assert area(db, "records_rate", "110101001", "quarter", "2026Q1") == [(17500, 20200, 17500 / 20200)]
    assert area(db, "newborn_visit_rate", "110101001", "quarter", "2026Q1") == [(12, 14, 12 / 14)]
    assert area(db, "newborn_visit_rate", "110101", "year", "2026") == [(12, 14, 12 / 14)]
    assert area(db, "newborn_visit_rate", "all", "year", "2026") == [(18, 20, 18 / 20)]
    assert query(db, "SELECT DISTINCT area_level FROM v_area_indicator_value WHERE area_code = 'all'") == [("city",)]


def test_milestones_count_chcs_with_premises_equipment_and_standardization(db):
    rows = query(db, """SELECT area_code, year, counted, total, share, target_share, on_track
                        FROM v_milestone_progress ORDER BY area_level, area_code, year""")
    by_area = {}
    for area_code, *rest in rows:
        by_area.setdefault(area_code, []).append(tuple(rest))
    assert by_area["all"] == [(2023, 1, 2, 0.5, 0.2, True), (2024, 2, 2, 1.0, 0.4, True),
                              (2025, 1, 2, 0.5, 0.6, False), (2026, 1, 2, 0.5, 0.9, False)]
    assert by_area["110101"] == [(2023, 1, 1, 1.0, 0.2, True), (2024, 1, 1, 1.0, 0.4, True),
                                 (2025, 0, 1, 0.0, 0.6, False), (2026, 0, 1, 0.0, 0.9, False)]
    assert by_area["110102"] == [(2023, 0, 1, 0.0, 0.2, False), (2024, 1, 1, 1.0, 0.4, True),
                                 (2025, 1, 1, 1.0, 0.6, True), (2026, 1, 1, 1.0, 0.9, True)]


def test_standardization_status_is_one_row_per_month_end_from_the_first_assessment(db):
    rows = query(db, """SELECT as_of, counts_for_milestone FROM v_standardization_status
                        WHERE facility_code = 'F_CHC1' ORDER BY as_of""")
    assert rows[0] == (date(2023, 6, 30), True)
    assert rows[-1] == (date(2026, 4, 30), False)          # the horizon: the latest loaded month
    assert len(rows) == 35
    assert dict(rows)[date(2025, 5, 31)] is True and dict(rows)[date(2025, 6, 30)] is False


def test_coverage_counts_residents_within_the_radius(db):
    rows = {r[0]: r[1:] for r in query(db, """SELECT area_code, population, covered_population, covered_share,
                                                     facilities, radius_m FROM v_coverage""")}
    assert rows["110101001"] == (20000, 12000, 0.6, 2, 1200)       # 二社区 is 1,668 m from its station
    assert rows["110101"] == (25000, 17000, 0.68, 3, 1200)
    assert rows["all"] == (35000, 27000, 27000 / 35000, 4, 1200)


def test_coverage_at_a_wider_radius_reaches_the_far_community(db):
    rows = dict(query(db, "SELECT area_code, covered_population FROM area_coverage(1700)"))
    assert rows["110101001"] == 20000
    rows = dict(query(db, "SELECT area_code, covered_population FROM area_coverage(1600)"))
    assert rows["110101001"] == 12000


def test_submission_status_and_timeliness_against_the_deadline_day(db):
    rows = query(db, """SELECT facility_code, period, received, timely FROM v_submission_status
                        ORDER BY facility_code, period""")
    status = {(f, p): (r, t) for f, p, r, t in rows}
    assert len(rows) == 4 * 4                                    # 4 facilities × 2026-01..2026-04
    assert status["F_CHC1", "2026-01"] == (True, True)           # the 10th is still on time
    assert status["F_CHC1", "2026-02"] == (True, False)          # the 11th is late
    assert status["F_CHS1", "2026-02"] == (False, False)
    received = sum(r for r, _ in status.values())
    timely = sum(t for _, t in status.values())
    assert (received, timely) == (6, 5)


def test_v_facility_joins_township_and_district(db):
    assert query(db, """SELECT township_name, district_code, district_name FROM v_facility
                        WHERE facility_code = 'F_THC1'""") == [("乙镇", "110101", "东城区")]




def test_the_reporting_tile_states_its_targets_and_whether_both_are_met(db):
    """2026-03 in the tiny city: four facilities expected, only 甲街道's center reported (on time)."""
    import duckdb

    from warehouse.queries import overview
    from warehouse.queries.areas import CITY
    from warehouse.scope import Scope
    from warehouse.store import current_version_file
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    status = overview.reporting_status(con, Scope.everything(), CITY, "2026-03")
    con.close()
    assert status == {"expected": 4, "received": 1, "timely": 1, "completeness": 0.25, "timeliness": 0.25,
                      "completeness_target": 0.90, "timeliness_target": 0.75, "ok": False}


def test_the_street_and_indicator_tiles_come_with_their_state(db):
    """The tiny city: 甲街道 (CHC), 乙镇 (THC) and 丙街道 (CHC) each have their center; 2026Q1."""
    from datetime import date

    import duckdb

    from warehouse.periods import parse_period
    from warehouse.queries import overview
    from warehouse.queries.areas import CITY
    from warehouse.scope import Scope
    from warehouse.store import current_version_file
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    streets = overview.street_coverage(con, Scope.everything(), CITY, date(2026, 3, 31))
    indicators = overview.indicators_met(con, Scope.everything(), CITY, parse_period("2026Q1"))
    con.close()
    assert streets == {"covered": 3, "total": 3, "share": 1.0, "ok": True}
    # judged, city-wide: records_rate 26,500 / 30,200 (below 90 %), newborn_visit_rate 18 / 20 (met)
    # and health_lectures 3 against 3 a quarter (met); the others have no values in the quarter
    assert indicators == {"met": 2, "judged": 3, "ok": False}
