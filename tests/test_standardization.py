"""Standardization page numbers: milestones, centers still needed, projections in time, gap reasons,
and a milestone schedule changed in the settings file alone."""
from datetime import date

import duckdb
import pytest

from etl.loader import apply_settings
from warehouse.queries import areas, standardization
from warehouse.scope import Scope
from warehouse.settings import DEFAULT_SETTINGS_PATH, load_settings
from warehouse.store import current_version_file

from factory import load, monthly_file, query, tiny_city, write_csv

EVERYTHING = Scope.everything()
STANDARDIZATION = [
    ["F_CHC1", "2023-06-30", "是", "是", "是", ""],
    ["F_CHC1", "2025-06-30", "是", "是", "否", ""],      # loses its standardization: stops counting
    ["F_CHC2", "2024-06-30", "是", "是", "是", "是"],
]


@pytest.fixture()
def db(tmp_path):
    db = tiny_city(tmp_path)
    results = load(db,
                   write_csv(tmp_path / "s.csv", ["机构代码", "评估日期", "政府提供业务用房", "政府配置设备",
                                                   "达到标准化建设要求", "优质服务示范"], STANDARDIZATION),
                   write_csv(tmp_path / "staff.csv", ["机构代码", "统计日期", "执业医师", "全科医生", "中医类别医师", "执业护士"],
                             [["F_CHC1", "2025-12-31", 10, 4, 1, 12], ["F_CHC2", "2025-12-31", 10, 4, 3, 12]]),
                   monthly_file(tmp_path / "m.csv", [{"facility_code": "F_THC1", "period": "2026-04", "births": 1}]))
    assert all(r.status == "accepted" for r in results), [p.line() for r in results for p in r.problems]
    return db


def connect(db):
    return duckdb.connect(str(current_version_file(db)), read_only=True)


def test_milestones_and_centers_needed(db):
    con = connect(db)
    frame = standardization.milestones(con, EVERYTHING, areas.CITY)
    assert frame[["year", "counted", "total", "met", "needed", "over"]].values.tolist() == [
        [2023, 1, 2, True, 0, True], [2024, 2, 2, True, 0, True], [2025, 1, 2, False, 1, True],
        [2026, 1, 2, False, 1, False]]
    assert frame["as_of"].tolist()[-1] == date(2026, 4, 30)       # a year not over: now (the horizon)
    current = standardization.current_milestone(frame, standardization.horizon(con))
    assert current["year"] == 2026
    assert standardization.current_status(con, EVERYTHING, areas.CITY) == current


def test_projection_at_the_pace_of_the_last_twelve_months(db):
    con = connect(db)
    by_name = {p.name: p for p in standardization.projections(con, EVERYTHING, areas.CITY)}
    east, west = by_name["东城区"], by_name["西城区"]
    # 东城区: its one center counted a year ago (2025-04-30) and not now: the pace is -1, it never gets there
    assert (east.counted, east.counted_year_ago, east.pace_per_year, east.needed) == (0, 1, -1.0, 1)
    assert east.reached_on is None and east.quarters_late is None
    assert (west.counted, west.needed, west.reached_on) == (1, 0, date(2026, 4, 30))


def test_projection_date_and_quarters_late():
    p = standardization.Projection("x", "某区", 4, 7, 3, 1.0, 2026, 0.9, 3, standardization._reach(date(2026, 10, 31), 3, 1.0),
                                   date(2026, 12, 31), 0.9, 3, None, date(2026, 12, 31))
    assert p.reached_on == date(2029, 10, 1) and p.quarters_late == 11
    assert standardization._reach(date(2026, 10, 31), 2, 4.0) == date(2027, 4, 1)


def test_gap_list_says_exactly_what_each_center_lacks(db):
    con = connect(db)
    gaps = standardization.gap_list(con, EVERYTHING, areas.CITY)
    assert gaps["facility_code"].tolist() == ["F_CHC1"]
    row = gaps.iloc[0]
    assert (bool(row.lacks_premises), bool(row.lacks_equipment), bool(row.lacks_standardization)) == (False, False, True)
    assert not row.lacks_area                       # 2,500 m² in an old-town area: at least 2,000
    assert row.lacks_tcm and row.tcm_share == pytest.approx(0.1)
    assert row.lacks_quality_demo


def test_quality_demo_share(db):
    assert standardization.quality_demo(connect(db), EVERYTHING, areas.CITY) == {"demo": 1, "total": 2, "share": 0.5}


def test_a_new_milestone_schedule_in_the_settings_file_changes_the_numbers(db, tmp_path):
    text = DEFAULT_SETTINGS_PATH.read_text(encoding="utf-8")
    text = text.replace("year = 2026\nshare = 0.90", "year = 2026\nshare = 0.50")
    custom = tmp_path / "settings.toml"
    custom.write_text(text, encoding="utf-8")
    assert apply_settings(db, load_settings(custom))
    frame = standardization.milestones(connect(db), EVERYTHING, areas.CITY)
    assert frame.set_index("year").loc[2026, ["target_share", "met", "needed"]].tolist() == [0.5, True, 0]
    assert query(db, "SELECT on_track FROM v_milestone_progress WHERE area_code = 'all' AND year = 2026") == [(True,)]


def test_page_numbers_equal_the_stable_view_on_the_sample(sample_db):
    con = connect(sample_db)
    view = con.execute("SELECT area_code, year, counted, total FROM v_milestone_progress WHERE area_level = 'district'").fetchall()
    for area_code, year, counted, total in view:
        frame = standardization.milestones(con, EVERYTHING, areas.resolve_area(con, EVERYTHING, area_code))
        assert frame.set_index("year").loc[year, ["counted", "total"]].tolist() == [counted, total]
    compare = standardization.comparison(con, EVERYTHING, areas.CITY, 0.9).set_index("name")
    assert compare.loc["新城区", "needed"] == 3 and compare.loc["城西区", "needed"] == 1


def test_the_comparison_and_the_quality_tile_read_their_own_targets(db):
    """Now (2026-04-30) the current milestone is 2026's 90 %: 东城区 (110101) has F_CHC1, which lost
    its standardization in 2025 (0 of 1, 1 needed); 西城区 (110102) has F_CHC2, counted (1 of 1).
    One of the two CHCs is a quality-service demonstration, against the settings' 60 %; the TCM
    norm every gap is judged against is the settings' 20 %."""
    con = connect(db)
    compare = standardization.comparison_to_milestone(con, EVERYTHING, areas.CITY)
    assert compare[["code", "counted", "total", "share", "target_share", "needed"]].values.tolist() == [
        ["110101", 0, 1, 0.0, 0.9, 1], ["110102", 1, 1, 1.0, 0.9, 0]]
    assert standardization.quality_demo_status(con, EVERYTHING, areas.CITY) == {
        "demo": 1, "total": 2, "share": 0.5, "target": 0.6, "ok": False}
    assert standardization.gap_list(con, EVERYTHING, areas.CITY)["tcm_norm"].tolist() == [0.2]


def test_the_profile_judges_area_and_staff_against_the_standards_in_the_warehouse(db):
    """甲街道's centre (old town, 2,500 m² against 2,000) with 1 TCM physician of 10 (norm 20 %);
    丙街道's (new urban, 3,100 m² against 3,000), 3 of 10; the station 160 m² against 150 and its
    minimum staff (2 physicians, 2 nurses); a township centre has no area standard here."""
    from warehouse.queries import facility
    con = connect(db)

    def judged(code):
        record = facility.header(con, EVERYTHING, code)
        return [record[k] for k in ("area_standard", "meets_area_standard", "tcm_share", "tcm_norm")]
    assert judged("F_CHC1") == [2000, True, 0.1, 0.2]
    assert judged("F_CHC2") == [3000, True, 0.3, 0.2]
    station = facility.header(con, EVERYTHING, "F_CHS1")
    assert [station[k] for k in ("area_standard", "meets_area_standard", "chs_min_physicians", "chs_min_nurses")] == [
        150, True, 2, 2]
    assert judged("F_THC1")[:2] == [None, None]


def test_the_milestone_a_period_is_judged_against(db):
    """The schedule runs 2023–2026: a period is judged against its own year's milestone, one past
    the schedule against the last; no rating went down in this city."""
    from warehouse.periods import parse_period
    from warehouse.queries import overview
    con = connect(db)
    assert [overview.milestone_year(con, parse_period(p)) for p in ("2023-05", "2025Q4", "2026", "2027")] == [
        2023, 2025, 2026, 2026]
    milestone = overview.milestone_for_period(con, EVERYTHING, areas.CITY, parse_period("2025Q4"))
    assert [milestone[k] for k in ("year", "counted", "total", "needed")] == [2025, 1, 2, 1]
    assert standardization.lost_stars_status(con, EVERYTHING, areas.CITY) == {"lost": 0, "ok": True}


def test_the_trend_marks_each_milestone_as_the_warehouse_judges_it(db):
    """Month-end shares: 1 of 2 counted at the end of 2023 (20 % met), 2 of 2 at the end of 2024
    (40 % met), 1 of 2 at the end of 2025 (60 % missed) and at 2026-04-30, the latest (90 % missed)."""
    from warehouse.queries import overview
    trend = overview.milestone_trend_marked(connect(db), EVERYTHING, areas.CITY)
    marks = trend.marks
    assert marks[["year", "target_share", "share", "met"]].values.tolist() == [
        [2023, 0.2, 0.5, True], [2024, 0.4, 1.0, True], [2025, 0.6, 0.5, False], [2026, 0.9, 0.5, False]]
    assert str(marks["as_of"].iloc[-1])[:10] == "2026-04-30"


def test_the_overviews_milestone_stands_as_at_the_end_of_the_period_selected(db):
    """2025's milestone (60 %): on 2025-03-31 both centres counted (met); on 2025-09-30 甲街道's had
    lost its standardization (2025-06-30): 1 of 2, one more needed, not over yet."""
    from warehouse.periods import parse_period
    from warehouse.queries import overview
    con = connect(db)

    def at(period):
        status = overview.milestone_for_period(con, EVERYTHING, areas.CITY, parse_period(period))
        return [status[k] for k in ("year", "as_of", "counted", "total", "met", "needed", "over")]
    assert at("2025Q1") == [2025, date(2025, 3, 31), 2, 2, True, 0, False]
    assert at("2025Q3") == [2025, date(2025, 9, 30), 1, 2, False, 1, False]
    assert at("2026") == [2026, date(2026, 4, 30), 1, 2, False, 1, False]        # the data end in April
