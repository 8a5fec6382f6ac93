"""Supervision: risk parts and order by hand, the route against brute force, and a real PDF."""
import io
import itertools
from datetime import date

import duckdb
import pandas as pd
import pytest

from warehouse.periods import parse_period
from warehouse.queries import areas, supervision
from warehouse.scope import Scope
from warehouse.store import current_version_file

from factory import load, monthly_file, tiny_city, write_csv

EVERYTHING = Scope.everything()


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("sup")
    db = tiny_city(tmp_path)
    rows = [{"facility_code": code, "period": f"2026-{m:02d}", "submitted_on": f"2026-{m:02d}-28", "births": 10,
             "newborn_visits": visits} for code, visits in (("F_CHC1", 6), ("F_CHC2", 10)) for m in range(1, 7)]
    load(db, monthly_file(tmp_path / "m.csv", rows),
         write_csv(tmp_path / "i.csv", ["机构代码", "检查日期", "得分", "发现问题", "整改期限", "整改完成日期"], [
             ["F_CHC1", "2026-04-10", 70, "随访记录不完整", "2026-05-10", ""],        # overdue, low score
             ["F_CHC2", "2026-04-10", 95, "", "", ""],
             ["F_THC1", "2025-01-10", 85, "", "", ""]]),                           # last visit long ago
         write_csv(tmp_path / "s.csv", ["机构代码", "评估日期", "政府提供业务用房", "政府配置设备", "达到标准化建设要求"], [
             ["F_CHC1", "2025-03-31", "是", "是", "是"], ["F_CHC1", "2026-03-31", "是", "是", "否"],   # lost it
             ["F_CHC2", "2025-03-31", "是", "是", "是"]]))
    connection = duckdb.connect(str(current_version_file(db)), read_only=True)
    yield connection
    connection.close()


def test_risk_parts_by_hand(con):
    parts = supervision.risk_parts(con, EVERYTHING, areas.CITY, parse_period("2026Q2"), date(2026, 11, 25))
    chc1 = parts.set_index("facility_code").loc["F_CHC1"]
    assert chc1["below_target"] == 1 and chc1["shortfall"] == pytest.approx(0.85 - 0.6)     # newborn 18/30 in Q2
    assert chc1["overdue_rectifications"] == 1 and chc1["open_rectifications"] == 0
    assert chc1["low_score"] == pytest.approx(10)                                            # 80 - 70
    assert chc1["months_since_visit"] == 1                                                   # 7 months, interval 6
    assert chc1["standardization"] == 1 and chc1["lost_standardization"]
    thc = parts.set_index("facility_code").loc["F_THC1"]
    assert thc["months_since_visit"] == 22 - 6
    chs = parts.set_index("facility_code").loc["F_CHS1"]
    assert chs["months_since_visit"] == 6 and chs["data_quality"] == 6                     # never visited, never reported


def test_ranking_is_the_weighted_sum(con):
    parts = supervision.risk_parts(con, EVERYTHING, areas.CITY, parse_period("2026Q2"), date(2026, 11, 25))
    ranked = supervision.risk_ranking(parts, {"overdue_rectifications": 4, "standardization": 5, "low_score": 0.2})
    top = ranked.iloc[0]
    assert top["facility_code"] == "F_CHC1" and top["score"] == pytest.approx(4 + 5 + 0.2 * 10)
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))


def test_route_heuristic_for_many_stops_is_a_valid_tour_no_longer_than_nearest_neighbour():
    import random
    rng = random.Random(42)
    start = (117.0, 36.6)
    points = [(117 + rng.uniform(-0.1, 0.1), 36.6 + rng.uniform(-0.1, 0.1)) for _ in range(12)]
    order = supervision.visiting_order(start, points)
    assert sorted(order) == list(range(12))
    for i in range(len(order) - 1):        # 2-opt leaves no improving swap
        for j in range(i + 1, len(order)):
            swapped = order[:i] + order[i:j + 1][::-1] + order[j + 1:]
            assert supervision.tour_length(start, points, swapped) >= supervision.tour_length(start, points, order) - 1e-6


def test_route_is_optimal_on_a_small_fixture():
    start = (117.0, 36.6)
    points = [(117.05, 36.61), (117.01, 36.7), (117.08, 36.65), (116.97, 36.63), (117.03, 36.66), (117.06, 36.7)]
    order = supervision.visiting_order(start, points)
    best = min(supervision.tour_length(start, points, list(p)) for p in itertools.permutations(range(len(points))))
    assert sorted(order) == list(range(len(points)))
    assert supervision.tour_length(start, points, order) == pytest.approx(best)


def test_brief_pdf_has_the_names_and_numbers_in_chinese(sample_db):
    from pypdf import PdfReader

    from dashboard import data
    from dashboard.callbacks.supervision import make_brief
    data.configure(sample_db)
    con = data.cursor()
    filters = data.read_filters(con, None, "2026Q3", "zh")
    codes = ["990104004C1", "990102001S01", "990121003T1"]
    content, name = make_brief(con, filters, codes, "pdf")
    assert content[:4] == b"%PDF" and name.endswith(".pdf")
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    from warehouse.queries import facility
    for code in codes:
        record = facility.header(con, EVERYTHING, code)
        assert record["name"] in text and code in text
    assert "未达标指标" in text and "现场核查清单" in text and "总里程" in text
    assert b"/FontFile2" in content                               # the CJK font travels inside the file
    xlsx, _ = make_brief(con, filters, codes, "xlsx")
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert len(sheets) == 5 and "科创社区卫生服务中心" in sheets["督导路线（从卫健局出发并返回，直线距离）"].to_string()


def test_a_visit_with_findings_too_long_or_values_of_the_wrong_kind_is_refused_and_leaves_nothing(tmp_path):
    import flask

    from dashboard import data
    from dashboard.app import app
    from dashboard.callbacks.supervision import record_visit
    from warehouse.accounts import User
    from warehouse.store import current_version_file

    from factory import query, tiny_city
    db = tiny_city(tmp_path)
    version = current_version_file(db).name
    data.configure(db)
    try:
        with app.server.test_request_context("/supervision"):
            flask.g.user = User("wang", "王", "inspector", ("110101",), False)
            too_long = str(record_visit(1, "F_CHC1", "2026-05-01", "常规督导", 90, "问" * 1_000_000, None, "en"))
            assert "at most 2,000 characters" in too_long
            wrong = str(record_visit(1, ["F_CHC1"], {"a": 1}, "常规督导", 90, "ok", None, "zh"))
            assert "无法识别" in wrong
            saved = str(record_visit(1, "F_CHC1", "2026-05-01", "常规督导", 90, "药品效期管理不规范", None, "zh"))
            assert "danger" not in saved
    finally:
        data.configure(None)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("visit-")] == []
    assert current_version_file(db).name != version
    assert query(db, "SELECT findings FROM inspection") == [("药品效期管理不规范",)]


def test_the_visit_ranking_is_one_call_that_reads_its_own_weights(sample_db):
    """The sample city on 2026-11-25, 2026Q3: 科创社区卫生服务中心 first, 144.9 points."""
    from datetime import date

    import duckdb

    from warehouse.periods import parse_period
    from warehouse.queries import supervision
    from warehouse.queries.areas import CITY
    from warehouse.scope import Scope
    from warehouse.store import current_version_file
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    ranked = supervision.ranked(con, Scope.everything(), CITY, parse_period("2026Q3"), date(2026, 11, 25))
    con.close()
    first = ranked.iloc[0]
    assert (first["facility_code"], round(first["score"], 1), first["rank"]) == ("990104004C1", 144.9, 1)


def test_rectification_status_and_the_overdue_tile_are_judged_on_the_day_asked(con):
    """F_CHC1's finding of 2026-04-10 is to be rectified by 2026-05-10 and never was: open on
    2026-05-01, overdue on 2026-11-25; F_CHC2's visit found nothing to rectify."""
    from warehouse.queries import facility, overview
    assert facility.inspections(con, EVERYTHING, "F_CHC1", date(2026, 5, 1))["status"].tolist() == ["open"]
    assert facility.inspections(con, EVERYTHING, "F_CHC1", date(2026, 11, 25))["status"].tolist() == ["overdue"]
    assert facility.inspections(con, EVERYTHING, "F_CHC2", date(2026, 11, 25))["status"].tolist() == [None]
    assert overview.overdue_status(con, EVERYTHING, areas.CITY, date(2026, 5, 1)) == {"overdue": 0, "ok": True}
    assert overview.overdue_status(con, EVERYTHING, areas.CITY, date(2026, 11, 25)) == {"overdue": 1, "ok": False}


def test_the_brief_says_a_finding_is_overdue_as_the_profile_does(con):
    """F_CHC1's finding of 2026-04-10, due 2026-05-10, not rectified: open on 2026-05-01, overdue on
    2026-11-25 (the brief used to call every unrectified finding open)."""
    from dashboard import brief
    from dashboard.i18n import t
    for day, key in ((date(2026, 5, 1), "fac.open"), (date(2026, 11, 25), "fac.overdue")):
        [made] = brief.build(con, EVERYTHING, ["F_CHC1"], parse_period("2026Q2"), pd.DataFrame(), "zh", day)
        assert [f["state"] for f in made.findings] == [t(key, "zh")]


def test_ranks_run_over_exactly_the_types_and_area_asked(con):
    """Only the stations: F_CHS1 is first of one (not 4th of the city's four). In 西城区 alone,
    F_CHC2 is first; unknown types fall back to all visited types."""
    period, day = parse_period("2026Q2"), date(2026, 11, 25)
    stations = supervision.ranked(con, EVERYTHING, areas.CITY, period, day, ["CHS"])
    assert stations[["facility_code", "rank"]].values.tolist() == [["F_CHS1", 1]]
    west = supervision.ranked(con, EVERYTHING, areas.resolve_area(con, EVERYTHING, "110102"), period, day)
    assert west[["facility_code", "rank"]].values.tolist() == [["F_CHC2", 1]]
    assert len(supervision.ranked(con, EVERYTHING, areas.CITY, period, day, ["VC"])) == 4


def test_changes_of_rates_are_written_in_percentage_points():
    from dashboard.brief import _change
    assert _change({"change": 0.032, "is_count": False}, "zh") == "↑ 3.2 个百分点"
    assert _change({"change": -0.069, "is_count": False}, "en") == "↓ 6.9 pp"
    assert _change({"change": -2.0, "is_count": True}, "zh") == "↓ 2"


def test_a_reason_never_counts_zero_late_reports():
    from dashboard.brief import reasons
    row = {"below_target": 0, "shortfall": 0, "worsening": 0, "data_quality": 3, "late_or_missing": 0, "warnings": 3,
           "overdue_rectifications": 0, "open_rectifications": 0, "low_score": 0, "last_score": None,
           "months_since_visit": 0, "standardization": 0, "lost_standardization": False}
    assert reasons(row, "zh") == ["近 6 个月 3 条数据警告"]


def test_the_print_view_never_prints_an_empty_heading(con):
    """F_CHC2 has no warnings and its visit found nothing: those headings say 无 instead of standing empty."""
    from dashboard import brief
    [made] = brief.build(con, EVERYTHING, ["F_CHC2"], parse_period("2026Q2"), pd.DataFrame(), "zh", date(2026, 11, 25))
    made.questions = []
    page = brief.html([made], [], "zh", "简报")
    assert "<ul></ul>" not in page and "<table></table>" not in page
    assert page.count("<p>无</p>") >= 1


def test_the_route_is_planned_through_the_users_own_chosen_facilities_only(sample_db):
    from warehouse.queries import supervision as queries
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    codes = ["990102001C1", "990102002C1", "990102004C1", "990121004T1"]
    stops, legs = queries.planned_route(con, Scope(frozenset({"990102"})), codes)
    assert stops["facility_code"].tolist() == ["990102001C1", "990102002C1", "990102004C1"]   # not 青山县's
    assert [round(leg) for leg in legs] == [1460, 1496, 2400, 4819]       # from the bureau and back
    assert queries.planned_route(con, Scope(frozenset({"990103"})), codes)[1] == []


def test_route_figure_numbers_its_stops_and_names_them():
    """The route is a plan anyone reads offline: a number in each stop's circle, in visiting order,
    its name beside it, the bureau at both ends; a degree of longitude drawn cos(latitude) as
    long as a degree of latitude (here at 30.075°N)."""
    import pandas as pd

    from dashboard.figures.supervision import route_figure
    ordered = pd.DataFrame({"lon": [120.1, 120.2], "lat": [30.1, 30.2], "name": ["南湖站", "科创中心"]})
    fig = route_figure(ordered, (120.0, 30.0), "zh")
    line, bureau, stops, names = fig.data
    assert list(line.x) == [120.0, 120.1, 120.2, 120.0] and list(line.y) == [30.0, 30.1, 30.2, 30.0]
    assert list(bureau.text) == ["卫健局"] and list(stops.text) == ["1", "2"]
    assert list(stops.hovertext) == ["1. 南湖站", "2. 科创中心"]
    assert list(names.text) == ["南湖站", "科创中心"]
    assert round(fig.layout.yaxis.scaleratio, 4) == 1.1556 and fig.layout.yaxis.scaleanchor == "x"
    assert list(route_figure(ordered, (120.0, 30.0), "en").data[1].text) == ["Bureau"]
