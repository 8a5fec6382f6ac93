"""Targeted site planning (docs/domain.md section 6): area kind, candidate sites, the plan against
the urban and rural targets; on a district small enough to check by hand, and on the sample city."""
import math

import duckdb
import pytest

from warehouse.queries import coverage
from warehouse.scope import Scope
from warehouse.store import current_version_file

from factory import FACILITY_HEADER, load, tiny_city, write_csv

EVERYTHING = Scope.everything()


def east(km: float, lat: float) -> float:
    """The longitude `km` kilometres east of 118.0 at the latitude."""
    return 118.0 + km / (111.195 * math.cos(math.radians(lat)))


@pytest.fixture(scope="module")
def south_district(tmp_path_factory):
    """南区 (130101), at 1,200 m. 南街道 (urban) on latitude 40.0: 东社区 6,000 at 0 km (its CHC
    there), 南社区 2,000 at 3 km, 西社区 3,000 at 2 km; and 六村 (600), a village of 南镇 at 3.5 km.
    南镇 (rural) on latitude 40.1, 11 km north: 一村 1,500 at 0 km (its THC there), 二村 1,000 at
    2 km (a village clinic there), 三村 2,500 at 4 km, 四村 2,000 at 5 km, 五村 800 at 8 km.
    Covered today: 东社区, 一村, 二村. Urban 6,000 / 11,000; rural 2,500 / 8,400.
    Within 1,200 m of a site, uncovered: 南社区 → 西社区, 南社区, 六村 (5,000 urban + 600 rural);
    西社区 → 西社区, 南社区; 六村 → 南社区, 六村; 三村 and 四村 → 三村, 四村 (4,500); 五村 → 五村;
    the clinic at 二村 → nothing (三村 is 2 km away)."""
    tmp_path = tmp_path_factory.mktemp("south")
    db = tiny_city(tmp_path)
    street, town = "130101001", "130101002"
    points = [(f"{street}001", "东社区", "社区", street, 6000, 0, 40.0),
              (f"{street}002", "南社区", "社区", street, 2000, 3, 40.0),
              (f"{street}003", "西社区", "社区", street, 3000, 2, 40.0),
              (f"{town}001", "一村", "村", town, 1500, 0, 40.1), (f"{town}002", "二村", "村", town, 1000, 2, 40.1),
              (f"{town}003", "三村", "村", town, 2500, 4, 40.1), (f"{town}004", "四村", "村", town, 2000, 5, 40.1),
              (f"{town}005", "五村", "村", town, 800, 8, 40.1), (f"{town}006", "六村", "村", town, 600, 3.5, 40.0)]
    rows = [["130101", "南区", "区", "", 19400, "", ""], [street, "南街道", "街道", "130101", 11000, "", ""],
            [town, "南镇", "镇", "130101", 8400, "", ""]]
    rows += [[code, name, level, parent, population, east(km, lat), lat]
             for code, name, level, parent, population, km, lat in points]
    facilities = [
        ["S_CHC", "南街道社区卫生服务中心", "社区卫生服务中心", "", street, "政府办", east(0, 40.0), 40.0, 3000,
         "新建城区", "2015-01-01", ""],
        ["S_THC", "南镇卫生院", "乡镇卫生院", "", town, "政府办", east(0, 40.1), 40.1, 2000, "农村", "2005-01-01", ""],
        ["S_VC", "二村卫生室", "村卫生室", "", town, "政府办", east(2, 40.1), 40.1, 60, "农村", "2010-01-01", ""],
    ]
    header = ["区划代码", "名称", "级别", "上级代码", "常住人口", "经度", "纬度"]
    results = load(db, write_csv(tmp_path / "south.csv", header, rows),
                   write_csv(tmp_path / "south_facilities.csv", FACILITY_HEADER, facilities))
    assert [r.status for r in results] == ["accepted", "accepted"], [p.line() for r in results for p in r.problems]
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    yield con
    con.close()


def picks(sites):
    return sites[["rank", "name", "residents_gained", "communities_gained", "cumulative_gained"]].values.tolist()


def shares(sites):
    return [(round(u, 6), round(r, 6)) for u, r in zip(sites["urban_share"], sites["rural_share"])]


def test_all_residents_picks_the_street_site_first_and_counts_every_point_it_covers(south_district):
    sites = coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 20)
    # 南社区 covers 西社区, 南社区 and 六村: 5,600; then 三村 (4,500; 四村 ties, the lower code wins); then 五村
    assert picks(sites) == [[1, "南社区", 5600, 3, 5600], [2, "三村", 4500, 2, 10100], [3, "五村", 800, 1, 10900]]
    # urban 11,000 / 11,000; rural (2,500 + 600) / 8,400, then 7,600 / 8,400, then all
    assert shares(sites) == [(1.0, 0.369048), (1.0, 0.904762), (1.0, 1.0)]


def test_rural_residents_count_only_villages_and_place_sites_only_at_villages(south_district):
    sites = coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 20, "rural")
    # 三村 4,500; 五村 800; then 六村 600 (南社区 would gain as much but is no village): it covers
    # 南社区 as well, so the urban share moves though no urban resident was counted
    assert picks(sites) == [[1, "三村", 4500, 2, 4500], [2, "五村", 800, 1, 5300], [3, "六村", 600, 1, 5900]]
    assert shares(sites) == [(0.545455, 0.833333), (0.545455, 0.928571), (0.727273, 1.0)]


def test_urban_residents_ties_go_to_the_lower_code_and_its_village_is_covered_too(south_district):
    sites = coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 20, "urban")
    # 南社区 (…001002) and 西社区 (…001003) each gain 5,000 urban residents; 南社区 also covers 六村
    assert picks(sites) == [[1, "南社区", 5000, 2, 5000]]
    assert shares(sites) == [(1.0, 0.369048)]


def test_the_count_takes_the_first_sites_of_the_same_order(south_district):
    assert picks(coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 1, "rural")) == [
        [1, "三村", 4500, 2, 4500]]


def test_a_village_clinic_upgraded_covers_no_one_more_it_already_counts(south_district):
    """Every facility counts for the circle (section 6), a village clinic too: its own place
    covers nobody who is not covered already."""
    assert coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 5, "rural", "clinics").empty
    plan = coverage.site_plan(south_district, EVERYTHING, "130101", 1200, 5, "rural", "clinics")
    assert (plan["sites"], plan["residents_gained"], plan["judged"], plan["needed"]) == (0, 0, ("rural",), None)
    assert plan["reached"] == {"rural": pytest.approx(2500 / 8400)}
    assert plan["rural"] == {"before": pytest.approx(2500 / 8400), "after": pytest.approx(2500 / 8400),
                             "target": 0.85, "met": False}


def test_the_plan_against_both_targets_and_how_many_sites_they_need(south_district):
    plan = coverage.site_plan(south_district, EVERYTHING, "130101", 1200, 1)
    assert (plan["sites"], plan["residents_gained"]) == (1, 5600)
    assert plan["urban"] == {"before": pytest.approx(6000 / 11000), "after": 1.0, "target": 0.95, "met": True}
    assert plan["rural"] == {"before": pytest.approx(2500 / 8400), "after": pytest.approx(3100 / 8400),
                             "target": 0.85, "met": False}
    # both targets: after 2 sites urban 100 %, rural 7,600 / 8,400 = 90.5 % ≥ 85 %
    assert (plan["judged"], plan["needed"]) == (("urban", "rural"), 2)
    assert plan["reached"] == {"urban": 1.0, "rural": pytest.approx(7600 / 8400)}


def test_the_rural_plan_needs_a_second_site_for_the_rural_target(south_district):
    plan = coverage.site_plan(south_district, EVERYTHING, "130101", 1200, 1, "rural")
    # 三村 alone reaches 7,000 / 8,400 = 83.3 % < 85 %; with 五村 7,800 / 8,400 = 92.9 %
    assert plan["rural"]["after"] == pytest.approx(7000 / 8400) and plan["rural"]["met"] is False
    assert plan["urban"] == {"before": pytest.approx(6000 / 11000), "after": pytest.approx(6000 / 11000),
                             "target": 0.95, "met": False}
    assert (plan["judged"], plan["needed"], plan["reached"]) == (("rural",), 2, {"rural": pytest.approx(7800 / 8400)})


def test_a_target_met_today_needs_no_site_and_a_missing_kind_is_not_judged(south_district):
    """The tiny city's 西城区 (110102): one community, 丙社区 (10,000), covered by its CHC."""
    urban = coverage.site_plan(south_district, EVERYTHING, "110102", 1200, 3, "urban")
    assert (urban["sites"], urban["judged"], urban["needed"], urban["reached"]) == (0, ("urban",), 0, {"urban": 1.0})
    rural = coverage.site_plan(south_district, EVERYTHING, "110102", 1200, 3, "rural")
    assert (rural["rural"], rural["judged"], rural["needed"], rural["reached"]) == (None, (), None, {})


def test_a_district_outside_the_scope_has_no_plan(south_district):
    only_tiny = Scope(frozenset({"110101"}))
    assert coverage.suggest_sites(south_district, only_tiny, "130101", 1200, 5, "rural").empty
    plan = coverage.site_plan(south_district, only_tiny, "130101", 1200, 5, "all", "clinics")
    assert (plan["urban"], plan["rural"], plan["needed"]) == (None, None, None)


def test_an_unknown_option_is_refused(south_district):
    with pytest.raises(ValueError):
        coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 5, "suburban")


# -- the sample city: 青山县 (990121), at 1,200 m ---------------------------------------------------

@pytest.fixture(scope="module")
def sample(sample_db):
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    yield con
    con.close()


def test_qingshan_all_residents_suggests_only_urban_communities(sample):
    """The issue's case: rural 96,436 / 181,181 = 53.2 % against 85 %, yet all five sites are
    streets' communities."""
    sites = coverage.suggest_sites(sample, EVERYTHING, "990121", 1200, 5)
    assert sites[["name", "township_name", "residents_gained"]].values.tolist() == [
        ["星河社区", "北园街道", 12319], ["南湖社区", "南苑街道", 6538], ["阳光社区", "北园街道", 6176],
        ["怡景社区", "南苑街道", 5858], ["阳光社区", "南苑街道", 5506]]


def test_qingshan_rural_suggests_villages_and_raises_the_rural_share(sample):
    sites = coverage.suggest_sites(sample, EVERYTHING, "990121", 1200, 5, "rural")
    assert sites[["name", "township_name", "residents_gained", "communities_gained"]].values.tolist() == [
        ["黄营村", "石门镇", 4793, 2], ["梁湾村", "石门镇", 4626, 2], ["宋营村", "大石桥镇", 4329, 2],
        ["谢屯村", "龙泉镇", 4192, 2], ["林集村", "桃园乡", 4066, 2]]
    plan = coverage.site_plan(sample, EVERYTHING, "990121", 1200, 5, "rural")
    assert plan["residents_gained"] == 22006
    assert plan["rural"] == {"before": pytest.approx(96436 / 181181), "after": pytest.approx(118442 / 181181),
                             "target": 0.85, "met": False}
    # 20 village sites reach the rural target (86.1 %)
    assert (plan["needed"], round(plan["reached"]["rural"], 4)) == (20, 0.861)


def test_qingshan_village_clinics_cannot_reach_the_rural_target(sample):
    plan = coverage.site_plan(sample, EVERYTHING, "990121", 1200, 5, "rural", "clinics")
    assert (plan["sites"], plan["needed"], plan["reached"]) == (0, None, {"rural": pytest.approx(96436 / 181181)})
