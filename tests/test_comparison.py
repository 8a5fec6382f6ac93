"""Township scorecard: values, colours, arrows, weighted scores and ranks, by hand, including a
township with a missing month and one with a zero denominator."""
import duckdb
import pytest

from warehouse.periods import parse_period
from warehouse.queries import areas, comparison
from warehouse.scope import Scope
from warehouse.store import current_version_file

from factory import load, monthly_file, tiny_city

EVERYTHING = Scope.everything()


def row(code, period, **values):
    return {"facility_code": code, "period": period, "submitted_on": period + "-25", **values}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cmp")
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m.csv", [
        row("F_CHC1", "2026-02", births=10, newborn_visits=10),
        row("F_CHS1", "2026-02", births=10, newborn_visits=10),
        row("F_CHC1", "2026-03", births=10, newborn_visits=9, records_total=9500, resident_population=10000),
        row("F_CHS1", "2026-03", births=10, newborn_visits=7, records_total=6000, resident_population=8000),
        row("F_THC1", "2026-02", births=4, newborn_visits=4),
        row("F_THC1", "2026-03", births=0, newborn_visits=0),            # zero denominator
        row("F_CHC2", "2026-02", births=5, newborn_visits=5),            # no March report: a missing month
    ]))
    connection = duckdb.connect(str(current_version_file(db)), read_only=True)
    yield connection
    connection.close()


def cells_of(con, period, weights=None):
    long = comparison.township_indicators(con, EVERYTHING, areas.CITY, parse_period(period))
    cells, totals = comparison.scorecard(long, 0.10, 0.005, weights or {})
    shown = cells[cells["indicator_code"].isin(["newborn_visit_rate", "records_rate"])]
    return ({(r.township_name, r.indicator_code): (r.value, r.state, r.arrow) for r in shown.itertuples()},
            totals.set_index("township_code"))


def test_month_values_colours_and_arrows(con):
    cells, _ = cells_of(con, "2026-03")
    assert cells["甲街道", "newborn_visit_rate"] == (pytest.approx(16 / 20), "near", "down")   # 0.80 vs 0.85; Feb 1.00
    assert cells["甲街道", "records_rate"] == (pytest.approx(15500 / 18000), "near", "none")
    value, state, arrow = cells["乙镇", "newborn_visit_rate"]
    assert value != value and (state, arrow) == ("none", "none")                               # 0 births
    value, state, arrow = cells["丙街道", "newborn_visit_rate"]
    assert value != value and state == "none"                                                 # not reported


def test_weighted_score_and_rank(con):
    _, totals = cells_of(con, "2026-03", {"newborn_visit_rate": 3})
    expected = 100 * (3 * (0.8 / 0.85) + (15500 / 18000) / 0.9) / 4
    assert totals.loc["110101001", "score"] == pytest.approx(expected)
    assert totals.loc["110101001", "rank"] == 1
    assert "110101002" not in totals.index and "110102001" not in totals.index               # nothing to score


def test_quarter_sums_the_months_present(con):
    cells, totals = cells_of(con, "2026Q1")
    assert cells["丙街道", "newborn_visit_rate"][:2] == (1.0, "met")                            # February only
    assert cells["甲街道", "newborn_visit_rate"][:2] == (pytest.approx(36 / 40), "met")
    assert cells["乙镇", "newborn_visit_rate"][:2] == (1.0, "met")                              # 4/4 + 0/0
    assert totals.loc["110102001", "rank"] == 1 and totals.loc["110101002", "rank"] == 1     # ties share a rank
    assert totals.loc["110101001", "rank"] == 3
    assert totals.loc["110101001", "score"] == pytest.approx(100 * (1 + (15500 / 18000) / 0.9) / 2)


def test_far_below_is_red():
    import pandas as pd
    frame = pd.DataFrame([{"township_code": "t", "township_name": "t", "indicator_code": "x", "direction": "higher",
                           "is_count": False, "target": 0.9, "value": 0.75, "previous_value": 0.7,
                           "numerator": 75, "denominator": 100}])
    cells, _ = comparison.scorecard(frame, 0.10, 0.005, {})
    assert cells.iloc[0][["state", "arrow"]].tolist() == ["far", "up"]


def test_the_scorecard_is_one_call_that_reads_its_own_rules(sample_db):
    """The sample city, 2026Q3: its 32 townships; 科创街道's record coverage meets its target."""
    import duckdb

    from warehouse.periods import parse_period
    from warehouse.queries.areas import CITY
    from warehouse.scope import Scope
    from warehouse.store import current_version_file
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    cells, totals = comparison.township_scorecard(con, Scope.everything(), CITY, parse_period("2026Q3"))
    con.close()
    assert len(totals) == 32
    cell = cells[(cells["township_code"] == "990104004") & (cells["indicator_code"] == "records_rate")].iloc[0]
    assert (cell["state"], cell["arrow"]) == ("met", "steady")


def test_side_by_side_keeps_the_order_asked_and_divides_counts_per_10000(con):
    """甲街道 (20,000 residents, a centre and a station) and 丙街道 (10,000, one centre), March
    2026; an unknown code and a repeat are dropped. Per 10,000 residents: 2 facilities → 1.0 and
    1 → 1.0; rates are not divided: 甲街道's newborn visits 16/20, 丙街道 sent no March report."""
    from datetime import date
    answer = comparison.side_by_side(con, EVERYTHING, areas.CITY, parse_period("2026-03"), date(2026, 3, 31), 1200,
                                     ["110101001", "110102001", "nope", "110101001"], per10k=True)
    assert answer.townships.values.tolist() == [["110101001", "甲街道"], ["110102001", "丙街道"]]
    rows = answer.rows.set_index("key")
    assert rows.loc["population", ["kind", "per10k", "110101001", "110102001"]].tolist() == ["int", False, 20000, 10000]
    assert rows.loc["facilities", ["kind", "per10k", "110101001", "110102001"]].tolist() == ["dec", True, 1.0, 1.0]
    newborn = rows.loc["newborn_visit_rate"]
    assert (newborn["kind"], newborn["per10k"], newborn["110101001"]) == ("pct", False, pytest.approx(0.8))
    assert newborn["110102001"] != newborn["110102001"]                       # no March report: no value
    assert list(rows.index[:7]) == [key for key, _, _ in comparison.SIDE_RESOURCES]
    assert rows.loc["newborn_visit_rate", "name_zh"] == "新生儿访视率"
    plain = comparison.side_by_side(con, EVERYTHING, areas.CITY, parse_period("2026-03"), date(2026, 3, 31), 1200,
                                    ["110101001"], per10k=False).rows.set_index("key")
    assert plain.loc["facilities", ["kind", "per10k", "110101001"]].tolist() == ["int", False, 2]


def test_the_overviews_indicator_table_puts_the_furthest_below_target_first(con):
    """March 2026, the whole tiny city: newborn visits 16/20 = 0.80 against 0.85 (5.9 % short)
    before record coverage 15,500/18,000 = 0.861 against 0.90 (4.3 % short); nothing only watched."""
    from warehouse.queries import overview
    frame = overview.judged_indicators(con, EVERYTHING, areas.CITY, parse_period("2026-03"))
    valued = frame[frame["value"].notna()]
    assert valued["indicator_code"].tolist()[:2] == ["newborn_visit_rate", "records_rate"]
    first = valued.iloc[0]
    assert (first["gap"], first["relative_gap"], first["is_count"]) == (
        pytest.approx(-0.05), pytest.approx(-0.05 / 0.85), False)
    assert "watch" not in set(frame["direction"])


def test_ranking_bars_are_judged_by_the_warehouse_as_the_scorecard_is(con, tmp_path):
    """March 2026: 甲街道's newborn visits 16/20 = 0.80 miss 0.85; in the first quarter 36/40 = 0.90
    meet it. A rate above 100 % (丙街道, 7 visits for 5 births in April) is never met: nothing to
    judge, as the scorecard's `implausible`."""
    import pandas as pd

    from warehouse.queries import overview
    march = comparison.township_indicators(con, EVERYTHING, areas.CITY, parse_period("2026-03"))
    newborn = march[march["indicator_code"] == "newborn_visit_rate"].set_index("township_name")["meets_target"]
    assert newborn["甲街道"] == False   # noqa: E712 (numpy boolean)
    first = overview.subarea_indicator(con, EVERYTHING, areas.resolve_area(con, EVERYTHING, "110101"),
                                       parse_period("2026Q1"), "newborn_visit_rate").set_index("name")
    assert first.loc["甲街道", "meets_target"] == True   # noqa: E712
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m.csv", [row("F_CHC2", "2026-04", births=5, newborn_visits=7)]))
    other = duckdb.connect(str(current_version_file(db)), read_only=True)
    april = overview.subarea_indicator(other, EVERYTHING, areas.CITY, parse_period("2026-04"), "newborn_visit_rate")
    other.close()
    judged = april.set_index("code").loc["110102"]
    assert judged["value"] == pytest.approx(1.4) and judged["meets_target"] is pd.NA


def test_a_ranking_is_one_call_with_the_indicator_its_target_and_the_areas_value(con):
    """March 2026, newborn visits: the city's 16/20 = 0.80 against 0.85, over its three townships
    (and by district on the overview); an unknown code ranks nothing."""
    from warehouse.queries import overview
    period = parse_period("2026-03")
    ranking = comparison.township_ranking(con, EVERYTHING, areas.CITY, period, "newborn_visit_rate")
    assert {k: ranking.indicator[k] for k in ("name_zh", "is_rate", "target")} == {
        "name_zh": "新生儿访视率", "is_rate": True, "target": 0.85}
    assert ranking.indicator["value"] == pytest.approx(0.8)
    assert sorted(ranking.parts["township_name"]) == sorted(["甲街道", "乙镇", "丙街道"])
    districts = overview.indicator_ranking(con, EVERYTHING, areas.CITY, period, "newborn_visit_rate").parts
    assert districts.set_index("code").loc["110101", "value"] == pytest.approx(0.8)
    assert comparison.township_ranking(con, EVERYTHING, areas.CITY, period, "nope") is None
    assert overview.indicator_ranking(con, EVERYTHING, areas.CITY, period, "nope") is None


def test_resources_against_an_outcome_is_one_call(con):
    """Per 10,000 residents 甲街道 has 1.0 facility (2 for 20,000) and its March newborn visits are
    0.80; a resource the page does not offer answers nothing."""
    from datetime import date
    period = parse_period("2026-03")
    answer = comparison.resources_against_outcome(con, EVERYTHING, areas.CITY, period, date(2026, 3, 31),
                                                  "facilities_per_10k", "newborn_visit_rate")
    jia = answer.parts.set_index("township_name").loc["甲街道"]
    assert (jia["facilities_per_10k"], jia["value"], jia["population"]) == (pytest.approx(1.0), pytest.approx(0.8), 20000)
    assert answer.indicator["is_rate"] is True
    assert comparison.resources_against_outcome(con, EVERYTHING, areas.CITY, period, date(2026, 3, 31),
                                                "nurses", "newborn_visit_rate") is None


def test_a_count_target_is_per_facility_so_an_areas_is_times_its_reporting_facilities(tmp_path):
    """健康教育讲座次数: 12 a year per facility, 3 a quarter. 2026Q1: 甲街道's centre held 3, its station
    1 (4 against 2 × 3 = 6: missed, although 4 ≥ 3); 丙街道's centre 5 (against 3: met); 乙镇 sent no
    lecture count (no target to judge). The city: 9 against 3 × 3 = 9, met."""
    from warehouse.queries import overview
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m.csv", [
        row("F_CHC1", "2026-01", edu_lectures=1), row("F_CHC1", "2026-02", edu_lectures=1),
        row("F_CHC1", "2026-03", edu_lectures=1), row("F_CHS1", "2026-02", edu_lectures=1),
        row("F_CHC2", "2026-03", edu_lectures=5), row("F_THC1", "2026-03", births=2)]))
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    quarter = parse_period("2026Q1")
    towns = comparison.township_indicators(con, EVERYTHING, areas.CITY, quarter)
    lectures = towns[towns["indicator_code"] == "health_lectures"].set_index("township_name")
    assert lectures.loc["甲街道", ["value", "target", "meets_target"]].tolist() == [4, 6, False]
    assert lectures.loc["丙街道", ["value", "target", "meets_target"]].tolist() == [5, 3, True]
    assert lectures.loc[["乙镇"], ["value", "target", "meets_target"]].isna().all(axis=None)
    city = overview.area_indicator_values(con, EVERYTHING, areas.CITY, quarter).set_index("indicator_code")
    assert city.loc["health_lectures", ["value", "target", "meets_target"]].tolist() == [9, 9, True]
    districts = overview.subarea_indicator(con, EVERYTHING, areas.CITY, quarter, "health_lectures").set_index("code")
    assert districts.loc["110101", ["value", "target", "meets_target"]].tolist() == [4, 6, False]
    view = con.execute("SELECT value, target, meets_target FROM v_area_indicator_value WHERE indicator_code = "
                       "'health_lectures' AND area_code = '110102001' AND period = '2026Q1'").fetchall()
    assert view == [(5, 3, True)]
    con.close()


def test_the_percentile_score_separates_townships_that_meet_their_targets(con):
    """2026Q1, all three townships meet the newborn-visit target (甲街道 36/40 = 0.90, 乙镇 4/4 and
    丙街道 5/5 = 1.00): by attainment they score alike; by percentile 甲街道 is the worst of the three
    on it (0), the others share the best two places (75 each). 甲街道's record coverage, the only
    one reported, is 100: its score (0 + 100) / 2 = 50, third."""
    long = comparison.township_indicators(con, EVERYTHING, areas.CITY, parse_period("2026Q1"))
    cells, totals = comparison.scorecard(long, 0.10, 0.005, {}, "percentile")
    newborn = cells[cells["indicator_code"] == "newborn_visit_rate"].set_index("township_name")["percentile"]
    assert newborn.to_dict() == {"甲街道": 0.0, "乙镇": 75.0, "丙街道": 75.0}
    totals = totals.set_index("township_code")
    assert totals.loc["110101001", ["score", "rank"]].tolist() == [50.0, 3]
    assert totals.loc[["110101002", "110102001"], "rank"].tolist() == [1, 1]
    # the shipped settings score by percentile
    _, shipped = comparison.township_scorecard(con, EVERYTHING, areas.CITY, parse_period("2026Q1"))
    assert shipped.set_index("township_code").loc["110101001", "score"] == 50.0


def test_a_long_ranking_draws_its_ends_and_the_chosen_with_a_gap_for_the_rest():
    import pandas as pd

    from dashboard.figures.comparison import shown_ends
    frame = pd.DataFrame({"township_code": [f"T{n:02d}" for n in range(45)], "label": [f"镇{n}" for n in range(45)],
                          "value": [n / 100 for n in range(45)], "meets_target": True,
                          "numerator": 1, "denominator": 1, "district_name": "区"})
    shown, hidden = shown_ends(frame, {"T22"})
    labels = list(shown["label"])
    assert hidden == 4                                   # T20, T21, T23, T24
    assert labels[:20] == [f"镇{n}" for n in range(20)] and labels[-20:] == [f"镇{n}" for n in range(25, 45)]
    assert labels[20:23] == ["⋯", "镇22", "⋯⋯"]          # each gap its own category, so they stay apart
    assert shown_ends(frame.head(40), set())[1] == 0


def test_show_all_draws_every_township_of_a_long_ranking():
    import pandas as pd

    from dashboard.figures.comparison import ranking
    frame = pd.DataFrame({"township_code": [f"T{n:02d}" for n in range(45)], "township_name": [f"镇{n}" for n in range(45)],
                          "value": [n / 100 for n in range(45)], "meets_target": True,
                          "numerator": 1, "denominator": 1, "district_name": "区"})
    ends, hidden = ranking(frame, False, 0.8, [], set(), "—")
    assert hidden == 5 and len(ends.data[0].y) == 41                 # 20 + "⋯" + 20
    every, hidden = ranking(frame, False, 0.8, [], set(), "—", every=True)
    assert hidden == 0 and len(every.data[0].y) == 45 and "⋯" not in every.data[0].y
