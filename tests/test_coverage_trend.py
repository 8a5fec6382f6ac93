"""Coverage month by month (docs/domain.md section 6): openings, closings and planned facilities,
on a district small enough to check by hand."""
import math
from datetime import date

import duckdb
import pandas as pd
import pytest

from warehouse.queries import coverage, overview
from warehouse.queries.areas import resolve_area
from warehouse.scope import Scope
from warehouse.store import current_version_file

from factory import FACILITY_HEADER, TODAY, load, tiny_city, write_csv

EVERYTHING = Scope.everything()
KM_LON = 1 / (111.195 * math.cos(math.radians(40.0)))     # one kilometre east at latitude 40


@pytest.fixture()
def changing_district(tmp_path):
    """北镇 (a town of 10,500) with four villages on a line: A (1,000) at 0 km, B (3,000) at 1 km,
    C (2,500) at 2 km, D (4,000) at 3.5 km. Its THC at D operated 2020-01-01 until its closing on
    2025-06-30; a village clinic at B opened 2024-03-10; a new THC at D opens 2026-11-28, three days
    after today (2026-11-25). At 1,200 m a facility at B covers A, B and C; one at D covers D."""
    db = tiny_city(tmp_path)
    villages = [("A", 1000, 0.0), ("B", 3000, 1.0), ("C", 2500, 2.0), ("D", 4000, 3.5)]
    rows = [["120101", "北区", "区", "", 10500, "", ""], ["120101001", "北镇", "镇", "120101", 10500, "", ""]]
    rows += [[f"12010100100{n}", f"{name}村", "村", "120101001", pop, 117.0 + km * KM_LON, 40.0]
             for n, (name, pop, km) in enumerate(villages, start=1)]
    at = {name: 117.0 + km * KM_LON for name, _, km in villages}
    facilities = [
        ["N_THC_OLD", "北镇老卫生院", "乡镇卫生院", "", "120101001", "政府办", at["D"], 40.0, 900, "农村",
         "2020-01-01", "2025-06-30"],
        ["N_VC_B", "B村卫生室", "村卫生室", "", "120101001", "政府办", at["B"], 40.0, 80, "农村", "2024-03-10", ""],
        ["N_THC_NEW", "北镇新卫生院", "乡镇卫生院", "", "120101001", "政府办", at["D"], 40.0, 1500, "农村",
         "2026-11-28", ""],
    ]
    header = ["区划代码", "名称", "级别", "上级代码", "常住人口", "经度", "纬度"]
    results = load(db, write_csv(tmp_path / "north.csv", header, rows),
                   write_csv(tmp_path / "north_facilities.csv", FACILITY_HEADER, facilities))
    assert [r.status for r in results] == ["accepted", "accepted"], [p.line() for r in results for p in r.problems]
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    yield con
    con.close()


def month_row(trend, month, scenario="actual"):
    rows = trend[(trend["month"] == month) & (trend["scenario"] == scenario)]
    assert len(rows) == 1, (month, scenario)
    row = rows.iloc[0]
    per_center = row["residents_per_center"]
    return (row["covered_population"], round(row["covered_share"], 4), row["streets_covered"], row["centers"],
            None if per_center is None or math.isnan(per_center) else round(per_center))


def test_coverage_by_month_follows_openings_and_closings(changing_district):
    north = resolve_area(changing_district, EVERYTHING, "120101")
    trend = coverage.coverage_trend(changing_district, EVERYTHING, north, 1200, TODAY)
    assert trend["month"].iloc[0] == date(2020, 1, 1)
    # the old THC alone: D (4,000) of 10,500; the town has its THC; 10,500 residents per center
    assert month_row(trend, date(2020, 1, 1)) == (4000, 0.381, 1, 1, 10500)
    assert month_row(trend, date(2024, 2, 1)) == (4000, 0.381, 1, 1, 10500)
    # the clinic at B opened 2024-03-10: A, B and C too; a clinic is no center
    assert month_row(trend, date(2024, 3, 1)) == (10500, 1.0, 1, 1, 10500)
    assert month_row(trend, date(2025, 5, 1)) == (10500, 1.0, 1, 1, 10500)
    # closed 2025-06-30, so not operating on June's last day: D uncovered, no center
    assert month_row(trend, date(2025, 6, 1)) == (6500, 0.619, 0, 0, None)
    # the new THC opens three days after today: not in this month's actual figures
    assert month_row(trend, date(2026, 11, 1)) == (6500, 0.619, 0, 0, None)
    assert trend[trend["scenario"] == "actual"]["month"].iloc[-1] == date(2026, 11, 1)
    assert len(trend[trend["scenario"] == "actual"]) == 83          # 2020-01 … 2026-11


def test_planned_facilities_are_a_scenario_of_their_own(changing_district):
    north = resolve_area(changing_district, EVERYTHING, "120101")
    trend = coverage.coverage_trend(changing_district, EVERYTHING, north, 1200, TODAY)
    planned = trend[trend["scenario"] == "planned"]
    assert planned["month"].tolist() == [date(2026, 11, 1), date(2026, 12, 1)]
    assert month_row(trend, date(2026, 11, 1), "planned") == (6500, 0.619, 0, 0, None)
    assert month_row(trend, date(2026, 12, 1), "planned") == (10500, 1.0, 1, 1, 10500)
    assert trend[trend["scenario"] == "actual"]["month"].max() == date(2026, 11, 1)


def test_shares_are_urban_and_rural_apart(changing_district):
    north = resolve_area(changing_district, EVERYTHING, "120101")
    trend = coverage.coverage_trend(changing_district, EVERYTHING, north, 1200, TODAY)
    june = trend[(trend["month"] == date(2025, 6, 1))].iloc[0]
    assert june["rural_share"] == pytest.approx(6500 / 10500)
    assert june["urban_share"] is None or math.isnan(june["urban_share"])     # no urban residents to judge


def test_overlapping_facilities_count_a_village_once(changing_district):
    """At 2,200 m the old THC at D also reaches C (1.5 km) and the clinic at B reaches A and C (not
    D, 2.5 km away): C is covered by both in 2024-03 … 2025-05 and counted once."""
    north = resolve_area(changing_district, EVERYTHING, "120101")
    trend = coverage.coverage_trend(changing_district, EVERYTHING, north, 2200, TODAY)
    assert month_row(trend, date(2024, 2, 1))[0] == 6500           # D and C by the old THC
    assert month_row(trend, date(2024, 3, 1))[0] == 10500          # every village, C once
    assert month_row(trend, date(2025, 6, 1))[0] == 6500           # A, B, C by the clinic


def test_this_months_actual_figures_are_todays_tiles(changing_district):
    """The last actual month is the coverage page's and the overview's figures of today."""
    for code in ("120101", "all"):
        area = resolve_area(changing_district, EVERYTHING, code)
        trend = coverage.coverage_trend(changing_district, EVERYTHING, area, 1200, TODAY)
        now = trend[trend["scenario"] == "actual"].iloc[-1]
        circle = coverage.circle_status(changing_district, EVERYTHING, area, 1200)
        streets = overview.street_coverage(changing_district, EVERYTHING, area, TODAY)
        centers = overview.residents_per_center(changing_district, EVERYTHING, area, TODAY)
        assert (now["covered_population"], now["streets_covered"], now["centers"]) == (
            circle["covered_population"], streets["covered"], centers["centers"])


def test_the_whole_city_before_any_facility_opened_and_scope(changing_district):
    trend = coverage.coverage_trend(changing_district, EVERYTHING, resolve_area(changing_district, EVERYTHING, "all"),
                                    1200, TODAY)
    # the tiny city's first facility (乙镇卫生院) opened 2000-01-01
    assert trend["month"].iloc[0] == date(2000, 1, 1)
    only_north = Scope(frozenset({"120101"}))
    city_of_north = coverage.coverage_trend(changing_district, only_north, resolve_area(changing_district, only_north, "all"),
                                            1200, TODAY)
    assert city_of_north["month"].iloc[0] == date(2020, 1, 1)
    assert month_row(city_of_north, date(2025, 6, 1)) == (6500, 0.619, 0, 0, None)


def test_the_sample_citys_station_under_construction_is_only_in_the_planned_line(sample_db):
    """花园社区卫生服务站 (科创街道, 新城区) opens 2027-06-01: today (2026-11-26) 新城区 covers
    297,506 of 315,896 residents; with the station, from June 2027, 309,796 (花园社区 5,863, 海棠社区
    4,741 and 1,686 more of 科创街道's, which then is wholly covered: 54,264)."""
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    today = date(2026, 11, 26)
    new_town = coverage.coverage_trend(con, EVERYTHING, resolve_area(con, EVERYTHING, "990104"), 1200, today)
    assert month_row(new_town, date(2026, 11, 1)) == (297506, 0.9418, 6, 7, 45128)
    assert month_row(new_town, date(2027, 5, 1), "planned") == (297506, 0.9418, 6, 7, 45128)
    assert month_row(new_town, date(2027, 6, 1), "planned") == (309796, 0.9807, 6, 7, 45128)
    assert new_town["month"].max() == date(2027, 6, 1)
    kechuang = coverage.coverage_trend(con, EVERYTHING, resolve_area(con, EVERYTHING, "990104004"), 1200, today)
    assert month_row(kechuang, date(2027, 6, 1), "planned")[:2] == (54264, 1.0)
    # the center opening 2023-07 (滨河第二, government-run) gave 滨河街道 its center that month
    binhe = coverage.coverage_trend(con, EVERYTHING, resolve_area(con, EVERYTHING, "990104002"), 1200, today)
    assert month_row(binhe, date(2023, 6, 1))[2:4] == (0, 1) and month_row(binhe, date(2023, 7, 1))[2:4] == (1, 2)
    con.close()


def test_the_chart_draws_the_planned_scenario_dashed_beside_the_actual_lines(changing_district):
    from dashboard.figures.coverage import coverage_trend as chart
    north = resolve_area(changing_district, EVERYTHING, "120101")
    figure = chart(coverage.coverage_over_time(changing_district, EVERYTHING, north, 1200, TODAY), "zh", "—",
                   date(2024, 1, 1))
    lines = {trace.name: trace.line.dash for trace in figure.data}
    assert lines["全部居民覆盖"] == "solid" and lines["全部居民覆盖（规划）"] == "dash"
    assert lines["农村居民覆盖目标 85%"] == "dot" and not any(name.startswith("城镇") for name in lines)   # no urban residents
    assert tuple(figure.layout.yaxis.range) == (0.0, 1.02)      # the streets' line falls to 0 in 2025-06
    assert figure.layout.xaxis.range[0] == pd.Timestamp(2024, 1, 1)
