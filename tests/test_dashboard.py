"""The dashboard without a browser: layouts, filters, callbacks and exports against the sample warehouse."""
import io
import json
import re

import duckdb
import pandas as pd
import pytest

from dashboard import data, tables
from dashboard.i18n import TEXT, count, pct
from warehouse.periods import parse_period
from warehouse.queries import areas, coverage, overview
from warehouse.scope import Scope
from warehouse.store import current_version_file

EVERYTHING = Scope.everything()


@pytest.fixture(scope="module")
def app(sample_db):
    from dashboard.app import app
    data.configure(sample_db)
    return app


@pytest.fixture()
def con(sample_db):
    connection = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    yield connection
    connection.close()


def collect_ids(component, found):
    if isinstance(component, (list, tuple)):
        for child in component:
            collect_ids(child, found)
        return
    if not hasattr(component, "to_plotly_json"):
        return
    component_id = getattr(component, "id", None)
    if component_id is not None:
        found.append(str(component_id))
    collect_ids(getattr(component, "children", None), found)


def test_every_page_lays_out_and_ids_are_unique_across_pages(app):
    import dash
    found = []
    collect_ids(app.layout, found)
    for page in dash.page_registry.values():
        for lang in ("zh", "en"):
            layout = page["layout"](lang=lang)
            page_ids = []
            collect_ids(layout, page_ids)
            if lang == "zh":
                found.extend(page_ids)
    assert len(found) == len(set(found)), [i for i in found if found.count(i) > 1]


def test_every_text_has_both_languages():
    assert all(zh and en for zh, en in TEXT.values())


def test_unknown_or_forged_filters_fall_back_to_safe_defaults(app, con):
    filters = data.read_filters(con, "999999", "1999Q1", "fr")
    assert filters.area.code == "all" and filters.area_fallback
    assert filters.period.label == "2026Q3"          # the latest complete quarter of the sample
    assert filters.lang == "zh"
    assert data.read_filters(con, "990104", "2025", "en").period.label == "2025"


@pytest.mark.parametrize("area_code", ["all", "990102", "990121", "990104005"])
@pytest.mark.parametrize("period", ["2026Q3", "2025", "2026-10"])
def test_dashboard_area_rates_equal_the_stable_view(con, area_code, period):
    area = areas.resolve_area(con, EVERYTHING, area_code)
    mine = overview.area_indicator_values(con, EVERYTHING, area, parse_period(period))
    mine = mine.dropna(subset=["numerator"]).set_index("indicator_code")
    view = con.execute("""SELECT indicator_code, numerator, denominator, value FROM v_area_indicator_value
                          WHERE area_code = ? AND period = ?""", [area_code, period]).df().set_index("indicator_code")
    assert sorted(mine.index) == sorted(view.index)
    for code in view.index:
        assert mine.loc[code, "numerator"] == view.loc[code, "numerator"]
        assert mine.loc[code, "value"] == pytest.approx(view.loc[code, "value"], nan_ok=True)


def test_dashboard_milestones_equal_the_stable_view(con):
    view = con.execute("SELECT area_code, year, counted, total FROM v_milestone_progress WHERE area_level != 'township'").fetchall()
    for area_code, year, counted, total in view:
        status = overview.milestone_status(con, EVERYTHING, areas.resolve_area(con, EVERYTHING, area_code), year)
        assert (status["counted"], status["total"]) == (counted, total), (area_code, year)


def test_dashboard_coverage_equals_the_stable_view(con):
    view = dict(con.execute("SELECT area_code, covered_population FROM v_coverage WHERE area_level != 'township'").fetchall())
    table = coverage.coverage_table(con, EVERYTHING, areas.CITY, 1200).set_index("code")
    assert {code: table.loc[code, "covered_population"] for code in view} == view


def test_overview_tiles_show_the_warehouse_numbers(app, con):
    from dashboard.callbacks.overview import update_tiles
    header, tiles = update_tiles("990104", "2026Q3", "zh")
    text = str(tiles)
    area = areas.resolve_area(con, EVERYTHING, "990104")
    assert count(overview.residents(con, EVERYTHING, area), "zh") in text
    status = overview.milestone_for_period(con, EVERYTHING, area, parse_period("2026Q3"))
    assert pct(status["share"]) in text and f"还需 {status['needed']} 个中心达标" in text
    assert "新城区" in str(header)


def test_the_overview_tiles_follow_the_period_selected(app):
    """The sample city, 2026Q3 selected (data to October): the milestone as it stood on 2026-09-30
    and September's reports, not October's; with 2026-10 selected, October's."""
    from dashboard.callbacks.overview import update_tiles
    text = str(update_tiles("all", "2026Q3", "zh")[1])
    assert "截至 2026-09-30：21/25 个中心达标，目标 90%" in text
    assert "2026年9月 月报" in text and "完整率 100.0% · 及时率 95.5%（应报 154）" in text
    october = str(update_tiles("all", "2026-10", "zh")[1])
    assert "2026年10月 月报" in october and "完整率 96.1% · 及时率 90.3%（应报 154）" in october


@pytest.mark.parametrize("table", ["overview-indicators", "overview-overdue", "coverage-areas",
                                   "coverage-uncovered", "coverage-sites"])
def test_exports_hold_the_rows_on_screen(app, con, table):
    from dashboard.callbacks.exports import TABLES
    filters = data.read_filters(con, "990121", "2026Q3", "en", {"radius": "1500", "sites": "2"})
    columns, frame = TABLES[table].build(con, filters)
    rows = tables.grid_rows(columns, frame)
    csv = pd.read_csv(io.BytesIO(tables.to_file(columns, frame, "csv")), encoding="utf-8-sig", dtype=str)
    xlsx = pd.read_excel(io.BytesIO(tables.to_file(columns, frame, "xlsx")), dtype=str)
    assert list(csv.columns) == [c[1] for c in columns] == list(xlsx.columns)
    assert len(csv) == len(xlsx) == len(rows)
    if table == "coverage-sites":
        assert len(rows) == 2


def test_wider_radius_in_the_url_covers_more(app, con):
    from dashboard.callbacks.coverage import TABLES
    narrow = TABLES["coverage-areas"].build(con, data.read_filters(con, "all", None, "zh", {"radius": "800"}))[1]
    wide = TABLES["coverage-areas"].build(con, data.read_filters(con, "all", None, "zh", {"radius": "2000"}))[1]
    assert narrow.iloc[0]["covered_population"] < wide.iloc[0]["covered_population"]
    at_2000 = con.execute("SELECT covered_population FROM area_coverage(2000) WHERE area_code = 'all'").fetchall()[0][0]
    assert wide.iloc[0]["covered_population"] == at_2000


def test_flask_serves_every_asset_locally(app, sample_users):
    from conftest import login
    client = login(app.server.test_client(), "root")
    page = client.get("/coverage?lang=en").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert client.get("/assets/0_bootstrap.min.css").status_code == 200


def test_before_the_first_load_every_page_says_there_is_no_data(tmp_path, sample_db):
    from dashboard.callbacks.coverage import update_summary
    from dashboard.callbacks.overview import update_indicator_table, update_tiles
    data.configure(tmp_path / "nothing.duckdb")
    try:
        assert "尚未载入" in str(update_tiles(None, None, "zh")[1])
        assert update_indicator_table(None, None, "en")[2].startswith("No data yet")
        assert "No data yet" in str(update_summary(None, None, "en", None)[1])
    finally:
        data.configure(sample_db)


def test_a_configured_tile_server_becomes_a_raster_layer_and_none_means_offline():
    from dashboard.figures.coverage import basemap
    assert basemap("", None) == {"style": "white-bg"}
    layer = basemap("https://tiles.example/{z}/{x}/{y}.png", "© bureau")["layers"][0]
    assert layer["sourcetype"] == "raster" and layer["source"] == ["https://tiles.example/{z}/{x}/{y}.png"]


def test_every_overview_tile_links_to_the_page_that_explains_it_with_the_same_filters(app):
    from dashboard.callbacks.overview import update_tiles
    _, tiles = update_tiles("990104", "2025", "en")
    links = {}
    for column in tiles:
        card = column.children
        body = card.children.children
        if hasattr(body, "href"):
            links[card.id] = body.href
    assert links == {
        "overview-tile-facilities": "/coverage?area=990104&period=2025&lang=en",
        "overview-tile-residents": "/coverage?area=990104&period=2025&lang=en",
        "overview-tile-streets": "/coverage?area=990104&period=2025&lang=en",
        "overview-tile-circle": "/coverage?area=990104&period=2025&lang=en",
        "overview-tile-milestone": "/standardization?area=990104&period=2025&lang=en",
        "overview-tile-indicators": "/townships?area=990104&period=2025&lang=en",
        "overview-tile-reporting": "/quality?area=990104&period=2025&lang=en",
        "overview-tile-overdue": "/?area=990104&period=2025&lang=en#overdue",
    }


def _map_request(client, metric: str, changed: str) -> dict:
    metric_id = {"type": "param", "name": "metric"}
    inputs = [("shell-area-dropdown", "value", "all"), ("shell-period-dropdown", "value", "2026Q3"),
              ("shell-lang-store", "data", "zh"), (metric_id, "value", metric),
              ({"type": "param", "name": "radius"}, "value", 1200),
              ({"type": "param", "name": "site_district"}, "value", None),
              ({"type": "param", "name": "sites"}, "value", 3),
              ({"type": "param", "name": "site_kind"}, "value", "all"),
              ({"type": "param", "name": "site_candidates"}, "value", "points"),
              ({"type": "param", "name": "site_file"}, "value", None)]
    from benchmarks.callbacks import outputs_of
    output = next(d["output"] for d in client.get("/_dash-dependencies").get_json()
                  if "coverage-map-graph.figure" in d["output"])
    return {"output": output, "outputs": outputs_of(output),
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [changed]}


def test_choosing_another_map_metric_sends_only_the_new_colours(app, sample_users):
    from conftest import login
    client = login(app.server.test_client(), "root")
    full = client.post("/_dash-update-component", json=_map_request(client, "gps_per_10k", "shell-area-dropdown.value"))
    choropleth = full.get_json()["response"]["coverage-map-graph"]["figure"]["data"][0]
    patched = client.post("/_dash-update-component", json=_map_request(
        client, "gps_per_10k", '{"name":"metric","type":"param"}.value')).get_json()["response"]["coverage-map-graph"]["figure"]
    assert patched["__dash_patch_update"] == "__dash_patch_update"
    changes = {op["location"][-1]: op["params"]["value"] for op in patched["operations"]}
    assert set(changes) >= {"z", "customdata", "colorscale", "hovertemplate"}
    assert all(op["location"][:2] == ["data", 0] for op in patched["operations"])
    assert changes["z"] == choropleth["z"] and changes["customdata"] == choropleth["customdata"]
    assert len(str(patched)) < len(str(full.get_json())) / 5


def test_large_responses_are_compressed_for_browsers(app, sample_users):
    from conftest import login
    client = login(app.server.test_client(), "root")
    response = client.post("/_dash-update-component", json=_map_request(client, "covered_share", "shell-area-dropdown.value"),
                           headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_places_that_share_a_name_stay_apart_on_an_axis():
    from dashboard.figures.common import unique_labels
    assert unique_labels(["城关镇", "城关镇", "青山镇"], ["东区", "西区", "东区"]) == ["城关镇（东区）", "城关镇（西区）", "青山镇"]


def test_long_flag_lists_show_the_first_rows_and_say_the_export_has_all(app, monkeypatch):
    from dashboard.callbacks import quality as page
    # the consistency checks: the sample's long list (its outliers are two)
    _, _, _, rows, _, note, _ = page.update_flags("all", "2026Q3", "zh", None)
    total = len(rows)
    assert total > 3 and note == f"共 {total:,} 条。"
    monkeypatch.setattr(page, "FLAG_ROWS_SHOWN", 3)
    _, _, _, rows, _, note, _ = page.update_flags("all", "2026Q3", "zh", None)
    assert len(rows) == 3
    assert note == f"共 {total:,} 条，表中列出前 3 条；导出包含全部。"


def test_the_indicator_dictionary_page_has_an_entry_for_every_indicator(app):
    import dash
    layout = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/indicators")
    page_ids = []
    collect_ids(layout(lang="zh"), page_ids)
    assert len([i for i in page_ids if str(i).startswith("indicator-")]) == 24
    text = str(layout(lang="zh"))
    assert "高血压体检人数 / 高血压管理人数 × 100%" in text and "2型糖尿病患者健康管理服务规范" in text
    assert "Numerators and denominators" not in text and "Specification" in str(layout(lang="en"))


def test_an_indicator_name_opens_its_dictionary_entry_and_exports_stay_plain_text(app, con):
    import dash

    from dashboard.callbacks.overview import TABLES
    filters = data.read_filters(con, "990121", "2026Q3", "zh")
    columns, frame = TABLES["overview-indicators"].build(con, filters)
    row = frame.set_index("indicator_code").loc["htn_exam_rate"]
    assert row["indicator_link"] == "[ⓘ](/indicators?code=htn_exam_rate) 高血压患者年度体检率"
    csv = pd.read_csv(io.BytesIO(tables.to_file(columns, frame, "csv")), encoding="utf-8-sig", dtype=str)
    assert "高血压患者年度体检率" in set(csv["指标"]) and not csv["指标"].str.contains("ⓘ").any()
    layout = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/indicators")
    page = layout(lang="zh", code="htn_exam_rate")
    first = page.children[2]
    assert "border-primary" in first.children.className and first.children.id == "indicator-htn_exam_rate"
    page_ids = []
    collect_ids(page, page_ids)
    assert len(page_ids) == len(set(page_ids))


def test_the_info_link_beside_an_indicator_choice_follows_the_choice():
    from dashboard.components import indicator_info_href
    assert indicator_info_href("htn_exam_rate", "zh") == "/indicators?code=htn_exam_rate"
    assert indicator_info_href("htn_exam_rate", "en") == "/indicators?code=htn_exam_rate&lang=en"
    assert indicator_info_href(None, "zh") == "/indicators"
    assert indicator_info_href("a&b=1", "zh") == "/indicators?code=a%26b%3D1"


def test_the_scorecards_indicator_headers_and_side_rows_open_their_dictionary_entries(app):
    """Each indicator column of the scorecard leads with an ⓘ to its entry (an inner header
    component: sorting and filters stay AG Grid's own), and so does each indicator row of the side-by-side table; resources
    (residents, facilities) are not indicators and have none."""
    from dashboard.callbacks.townships import update_scorecard, update_side_by_side
    defs = update_scorecard("all", "2026Q3", "en")[1].columnDefs
    headers = {d["headerName"]: d.get("headerComponentParams", {}) for d in defs}
    assert headers["Health record coverage"] == {"innerHeaderComponent": "IndicatorHeaderName",
                                                 "infoHref": "/indicators?code=records_rate&lang=en",
                                                 "infoTitle": "How this indicator is defined"}
    assert headers["Street / township"] == {} and headers["Score"] == {}
    rows, _, _, _ = update_side_by_side("all", "2026Q3", "zh", ["990104004", "990102001"], "raw", False)
    labels = [r["metric_link"] for r in rows]
    assert labels[0] == "常住人口" and "[ⓘ](/indicators?code=records_rate) 居民健康档案建档率" in labels


def test_titles_that_state_a_rule_read_it_where_the_numbers_were_judged(app):
    """The scorecard's amber band (10 points), the outliers' z (3.5) and the upload limits (20 MB a
    file, 100 MB in all) come from the warehouse's applied settings, through the callbacks (the
    layouts show plain titles first)."""
    from dashboard.callbacks.quality import update_flags
    from dashboard.callbacks.townships import update_scorecard
    from dashboard.callbacks.upload import show_limits
    scorecard = update_scorecard("all", "2026Q3", "zh")
    assert scorecard[-1] == "指标记分卡（绿：达标；黄：差距在 10 个百分点以内；红：差距更大；箭头：较上期）"
    assert scorecard[2].startswith("综合得分 = 各指标在所比较乡镇/街道中的百分位（0 最差，100 最好）的加权平均 · ")
    assert update_flags("all", "2026Q3", "en", None)[-1] == (
        "Outliers (last 24 months: modified z-score > 3.5 or beyond 3 SD)")
    assert show_limits("zh").startswith("每个文件不超过 20 MB，一次上传合计不超过 100 MB")


def test_facility_choices_that_would_read_alike_carry_their_code():
    import pandas as pd

    from dashboard.components import facility_options
    frame = pd.DataFrame({"facility_code": ["A1", "B1", "C1"], "name": ["新村站", "新村站", "新村站"],
                          "township_name": ["甲街道", "甲街道", "乙镇"]})
    assert [o["label"] for o in facility_options(frame)] == ["新村站 · 甲街道 · A1", "新村站 · 甲街道 · B1", "新村站 · 乙镇"]


def test_gaps_and_changes_of_rates_are_percentage_points_in_the_grids(app):
    """The overview's gap and the profile's changes use a signed formatter: a rate's in percentage
    points (+3.2 个百分点 / +3.2 pp), a count's in its own units."""
    from dashboard.callbacks.facility import update_indicators
    from dashboard.callbacks.overview import update_indicator_table
    _, defs, _ = update_indicator_table("all", "2026Q3", "en")
    gap = next(d for d in defs if d["field"] == "gap")
    assert "' pp'" in gap["valueFormatter"]["function"] and "'+.1f'" in gap["valueFormatter"]["function"]
    _, defs, _ = update_indicators("all", "2026Q3", "zh", "990104004C1")
    change = next(d for d in defs if d["field"] == "change_previous")
    assert "' 个百分点'" in change["valueFormatter"]["function"]


def test_number_columns_are_as_wide_as_their_widest_value():
    """1,689,270 is nine narrow characters (9 × 8.5 px) plus the cell's 44 px; −10.9 个百分点 is six
    narrow and four wide ones (6 × 8.5 + 4 × 14.5 + 44)."""
    import pandas as pd

    from dashboard.components import column_defs
    from dashboard.widths import number_widths
    frame = pd.DataFrame({"population": [1689270, 35000], "change": [-0.109, 0.02], "is_count": [False, False]})
    columns = [("population", "常住人口", "int"), ("change", "较上期", "change_zh")]
    assert number_widths(columns, frame, {"int", "change_zh"}) == {"population": 121, "change": 153}
    assert [d["minWidth"] for d in column_defs(columns, frame)] == [121, 153]
    # no data: as wide as the headers need (two wide characters and the header's 66 px of buttons)
    assert [d["minWidth"] for d in column_defs(columns)] == [95, 95]


def test_a_pinned_name_is_wide_enough_to_be_read_whole_up_to_a_limit():
    """A table of 8 columns pins its name: "[ⓘ](/indicators?code=x) Electronic health record coverage"
    reads "ⓘ Electronic health record coverage": 35 narrow characters (297.5 px) and the cell's 44 px,
    capped at 340; a short name keeps the column's own 190 px."""
    import pandas as pd

    from dashboard.components import column_defs
    columns = [("indicator_link", "Indicator", "link")] + [(f"n{k}", f"N{k}", "int") for k in range(7)]
    long = pd.DataFrame({"indicator_link": ["[ⓘ](/indicators?code=x) Electronic health record coverage"],
                         **{f"n{k}": [1] for k in range(7)}})
    defs = column_defs(columns, long)
    assert defs[0]["pinned"] == "left" and defs[0]["minWidth"] == 340
    short = long.assign(indicator_link=["[ⓘ](/indicators?code=x) 建档率"])
    assert column_defs(columns, short)[0]["minWidth"] == 190


def test_a_header_wraps_between_words_never_inside_one():
    """"communities" is eleven narrow characters (11 × 8.5 px) plus the header's padding, filter
    button and sort arrow (66 px); Chinese breaks between any two characters."""
    from dashboard.components import column_defs
    from dashboard.widths import header_px
    assert header_px("Uncovered communities") == 160 and header_px("居民健康档案建档率") == 95
    [spec] = column_defs([("uncovered", "Uncovered communities", "int")])
    assert spec["minWidth"] == 160


def test_english_says_one_of_a_thing_in_the_singular_and_codes_read_as_words():
    from dashboard.i18n import label, t
    assert t("ov.milestone.needed", "en", needed=1) == "1 more center needed"
    assert t("ov.milestone.needed", "en", needed=21) == "21 more centers needed"
    assert t("sup.reason.dq", "en", late=1, warnings=11) == "1 late or missing report, 11 data warnings in 6 months"
    assert t("dq.count", "en", total="1") == "1 flag."
    assert label("kind", "monthly_services", "zh") == "月度服务报表" and label("audit", "login", "en") == "signed in"
    assert label("audit", "something_new", "zh") == "something_new"           # a code without words stays visible


def test_the_overview_names_the_facilities_to_look_at_first(app, monkeypatch):
    """The sample city, 2026Q3, on the sample's day: 科创社区卫生服务中心 first (144.9), with its reasons
    and a link to its profile; the caption links to the whole ranking."""
    from dashboard.callbacks.overview import update_lagging

    from factory import TODAY
    monkeypatch.setattr(data, "today", lambda: TODAY)
    items, link = update_lagging("all", "2026Q3", "zh")
    first = items.children[0].children
    assert first[1].children == "科创社区卫生服务中心" and first[1].href == "/facility/990104004C1"
    township = first[2].children[1]
    assert (township.children, township.href) == ("科创街道", "/township/990104004")
    assert first[2].children[0] + township.children + first[2].children[2] == " · 科创街道 · 144.9"
    assert first[3].children.startswith("20 项指标未达标（合计差 352 个百分点）")
    assert len(items.children) == 5 and link.href.startswith("/supervision?")


def test_the_risk_ranking_shows_the_last_visit_and_how_the_score_is_made():
    from types import SimpleNamespace

    import pandas as pd

    from dashboard.tables.supervision import ranking, score_rule
    frame = pd.DataFrame([{"rank": 1, "facility_code": "A1", "name": "甲", "type": "CHC", "township_name": "甲街道",
                           "score": 9.0, "last_visit": pd.Timestamp("2026-04-10"), **{k: 0 for k in (
                               "below_target", "shortfall", "worsening", "data_quality", "late_or_missing", "warnings",
                               "overdue_rectifications", "open_rectifications", "low_score", "months_since_visit",
                               "standardization")}, "last_score": None, "lost_standardization": False}])
    columns, shaped = ranking(frame, SimpleNamespace(lang="zh"))
    assert shaped["last_visit_text"].tolist() == ["2026-04-10"] and columns[-1][1] == "上次督导"
    assert score_rule({"below_target": 2.0, "overdue_rectifications": 4.0, "worsening": 0},
                      ("below_target", "worsening", "overdue_rectifications"), "en") == (
        "Risk score = 2×indicators below target + 4×overdue rectifications (settings supervision.weights)")


def test_a_ranking_cards_brief_opens_the_print_view_of_that_facility(app, sample_users):
    """A phone's ranking card links to the print view of its facility, ranked as on the screen."""
    from dashboard.callbacks.supervision import ranking_cards
    from dashboard.tables.supervision import ranking
    from warehouse.queries import supervision

    from conftest import login
    filters = data.read_filters(data.cursor(), "990104", "2026Q3", "zh")
    ranked = supervision.ranked(data.cursor(), EVERYTHING, filters.area, filters.period, data.today(), ["CHC"])
    _, shaped = ranking(ranked, filters)
    [first, *_] = ranking_cards(shaped, filters, ["CHC"])
    href = first.children.children[2].children[1].href
    assert href.startswith("/supervision/brief?codes=990104004C1&area=990104&period=2026Q3&types=CHC&lang=zh")
    page = login(app.server.test_client(), "root").get(href)
    assert page.status_code == 200 and "科创社区卫生服务中心" in page.get_data(as_text=True)


def test_small_multiples_read_rates_in_percent_against_their_targets():
    import pandas as pd

    from dashboard.figures.comparison import small_multiples
    indicators = pd.DataFrame({"indicator_code": ["records_rate", "health_lectures"], "name_zh": ["建档率", "讲座次数"],
                               "name_en": ["Records", "Lectures"], "denominator": ["resident_population", None],
                               "target": [0.9, 12]})
    series = pd.DataFrame({"township_code": ["T1", "T1"], "indicator_code": ["records_rate", "health_lectures"],
                           "period": ["2026-09", "2026-09"], "value": [0.91, 4.0]})
    figure = small_multiples(series, indicators, {"T1": "甲街道"}, "zh", "")
    layout = figure["layout"]
    assert layout["yaxis"]["tickformat"] == ".1~%" and "tickformat" not in layout["yaxis2"]
    assert [(s["yref"], s["y0"]) for s in layout["shapes"]] == [("y", 0.9)]          # no common line for a count
    assert layout["xaxis"]["tickformat"] == "%Y"
    # a rate that never moves (every report on time) spans it and its target, not ±100%
    flat = pd.DataFrame({"township_code": ["T1", "T1"], "indicator_code": ["records_rate"] * 2,
                         "period": ["2026-08", "2026-09"], "value": [1.0, 1.0]})
    assert small_multiples(flat, indicators, {"T1": "甲街道"}, "zh", "")["layout"]["yaxis"]["range"] == \
        pytest.approx([0.88, 1.02])
    assert layout["yaxis"]["range"] == pytest.approx([0.88, 0.93])      # one month: 91% and its target
    moving = flat.assign(value=[0.9, 1.0])
    assert "range" not in small_multiples(moving, indicators, {"T1": "甲街道"}, "zh", "")["layout"]["yaxis"]


@pytest.mark.parametrize("shape", [(28, 7, 4, 0.05), (27, 7, 4, 0.05), (3, 1, 4, 0.05), (6, 2, 4, 0.05),
                                   (28, 14, 2, 0.14), (3, 2, 2, 0.14)])
def test_the_small_multiples_grid_is_the_one_make_subplots_builds(shape):
    """The grid is laid out by hand (plotly's builder took 0.25 s); plotly's own is the reference."""
    from plotly.subplots import make_subplots

    from dashboard.figures.common import base_layout
    from dashboard.figures.comparison import _multiples_layout
    count, rows, cols, spacing = shape
    titles = tuple(f"指标{n}" for n in range(count))
    reference = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles), vertical_spacing=0.5 / rows,
                              horizontal_spacing=spacing)
    reference.update_annotations(font_size=11)
    reference.update_xaxes(showticklabels=False, type="date")
    assert _multiples_layout(titles, rows, cols, spacing) == \
        base_layout(reference, 170 * rows + 60).to_plotly_json()["layout"]


def test_on_a_phone_the_small_multiples_are_two_a_row_with_titles_wrapped_to_the_chart():
    import pandas as pd

    from dashboard.figures.comparison import small_multiples
    indicators = pd.DataFrame({"indicator_code": ["a", "b", "c"], "denominator": ["d", "d", "d"], "target": [0.9] * 3,
                               "name_zh": ["2型糖尿病患者规范管理率", "建档率", "严重精神障碍患者规范管理率"],
                               "name_en": ["Hypertension standard management rate", "Records", "Child (0-6) health"]})
    series = pd.DataFrame({"township_code": ["T1"] * 3, "indicator_code": ["a", "b", "c"],
                           "period": ["2026-09"] * 3, "value": [0.91, 0.5, 0.7]})
    phone = small_multiples(series, indicators, {"T1": "甲街道"}, "en", "", phone=True)["layout"]
    desk = small_multiples(series, indicators, {"T1": "甲街道"}, "en", "")["layout"]
    # the third chart starts the second row on a phone, the third column on a desk
    assert phone["xaxis3"]["domain"][0] == 0 and phone["xaxis2"]["domain"][0] == pytest.approx(0.57)
    assert desk["xaxis3"]["domain"][0] == pytest.approx(0.525) and phone["height"] == 400 and desk["height"] == 230
    assert [a["text"] for a in phone["annotations"]] == [
        "Hypertension<br>standard<br>management rate", "Records", "Child (0-6) health"]
    assert [a["text"] for a in desk["annotations"]][0] == "Hypertension standard management rate"
    zh = small_multiples(series, indicators, {"T1": "甲街道"}, "zh", "", phone=True)["layout"]
    assert [a["text"] for a in zh["annotations"]] == ["2型糖尿病患<br>者规范管理率", "建档率", "严重精神障碍患<br>者规范管理率"]


@pytest.mark.parametrize("title, lines", [
    ("Electronic health record coverage", ["Electronic health", "record coverage"]),   # even, not 26 + 8
    ("0-6岁儿童健康管理率", ["0-6岁儿童健康管理率"]),                                   # fits: 6.2·3 + 11·8 px
    ("Supercalifragilisticexpialidocious word", ["Supercalifragilisticexpialidocious", "word"]),
    ("", [""]),
])
def test_a_chart_title_wraps_between_words_into_even_lines(title, lines):
    from dashboard.figures.comparison import wrap_title
    assert wrap_title(title, 125).split("<br>") == lines


def test_the_scorecard_sends_a_block_of_townships_best_first_and_sorts_on_the_server(app):
    from dashboard.callbacks.townships import scorecard_rows
    first = scorecard_rows({"startRow": 0, "endRow": 5, "sortModel": [], "filterModel": {}}, "all", "2026Q3", "zh")
    assert [(r["township_name"], r["rank"]) for r in first["rowData"]] == [
        ("白马镇", 1), ("会展街道", 2), ("文化路街道", 3), ("南苑街道", 4), ("和平街道", 5)]
    assert first["rowCount"] == 32
    whole = scorecard_rows({"startRow": 0, "endRow": 100_000}, "all", "2026Q3", "zh")
    assert len(whole["rowData"]) == 32           # every township of the sample: under one block
    by_name = scorecard_rows({"startRow": 0, "endRow": 3, "sortModel": [{"colId": "township_name", "sort": "asc"}],
                              "filterModel": {"district_name": {"filterType": "text", "type": "equals", "filter": "新城区"}}},
                             "all", "2026Q3", "zh")
    assert [(r["township_name"], r["district_name"]) for r in by_name["rowData"]] == [
        ("会展街道", "新城区"), ("双龙街道", "新城区"), ("湖西街道", "新城区")]
    assert by_name["rowCount"] == 6


def test_the_scorecard_grid_asks_for_its_rows_a_block_at_a_time(app):
    from dashboard.callbacks.townships import update_scorecard
    _, grid, *_ = update_scorecard("all", "2026Q3", "zh")
    assert grid.rowModelType == "infinite" and grid.dashGridOptions["cacheBlockSize"] == 100
    assert not hasattr(grid, "rowData") or grid.rowData is None


def _callback_body(client, output_prefix: str, values: dict, changed: str) -> dict:
    """A request for the app's callback whose output starts with `output_prefix`, inputs and state
    from `values` ({(id, property): value}, None where not given)."""
    [dep] = [d for d in client.get("/_dash-dependencies").get_json() if d["output"].startswith(output_prefix)]

    def entry(item):
        component = json.loads(item["id"]) if item["id"].startswith("{") else item["id"]
        return {"id": component, "property": item["property"], "value": values.get((item["id"], item["property"]))}

    def output(spec):
        component, prop = spec.rsplit(".", 1)
        return {"id": component, "property": prop.split("@")[0]}
    several = dep["output"].startswith("..")
    outputs = [output(o) for o in dep["output"][2:-2].split("...")] if several else output(dep["output"])
    return {"output": dep["output"], "outputs": outputs, "inputs": [entry(i) for i in dep["inputs"]],
            "state": [entry(s) for s in dep["state"]], "changedPropIds": [changed]}


def test_the_visit_form_offers_the_first_facilities_and_finds_any_other_by_typing(app, sample_users):
    from conftest import login
    client = login(app.server.test_client(), "inspector")          # 青山县 only
    search = ("supervision-record-facility-dropdown", "search_value")
    chosen = ("supervision-record-facility-dropdown", "value")

    def typed(text, value=None):
        body = _callback_body(client, "supervision-record-facility-dropdown.options", {search: text, chosen: value},
                              "supervision-record-facility-dropdown.search_value")
        return client.post("/_dash-update-component", json=body).get_json()["response"][
            "supervision-record-facility-dropdown"]["options"]
    assert typed("石门") == [{"label": "石门镇卫生院 · 石门镇", "value": "990121004T1"}]
    # the chosen one stays offered whatever is typed next; another district's facilities never are
    assert typed("马庄", "990121004T1") == [{"label": "石门镇卫生院 · 石门镇", "value": "990121004T1"},
                                           {"label": "马庄镇卫生院 · 马庄镇", "value": "990121010T1"}]
    assert typed("新城") == []
    filters = {("shell-area-dropdown", "value"): "all", ("shell-period-dropdown", "value"): "2026Q3",
               ("shell-lang-store", "data"): "zh"}

    def offered(user):
        ranking = _callback_body(login(app.server.test_client(), user), "..supervision-header-div.children",
                                 filters, "shell-area-dropdown.value")
        response = login(app.server.test_client(), user).post("/_dash-update-component", json=ranking).get_json()
        return (len(response["response"]["supervision-record-facility-dropdown"]["options"]),
                len(response["response"]["supervision-ranking-table"]["rowData"]))
    assert offered("inspector") == (20, 20)
    assert offered("root") == (50, 154)


def test_a_wide_table_pins_its_name_column_and_a_narrow_one_does_not():
    """Eight columns or more: the first name column stays in view (pinned); fewer: nothing pinned."""
    from dashboard.components import column_defs
    wide = [("category", "类别", "text"), ("indicator_link", "指标", "link")] + [(f"v{n}", f"值{n}", "int") for n in range(6)]
    assert [d.get("pinned") for d in column_defs(wide)][:3] == [None, "left", None]
    assert all("pinned" not in d for d in column_defs(wide[:7]))


def test_show_all_is_offered_only_where_a_ranking_is_cut(app):
    """The sample city's 32 townships are drawn in full: no "show all" (a province's 328 are cut
    to their ends, tests/test_comparison.py)."""
    from dashboard.callbacks.townships import update_ranking
    _, chosen, info, figure, caption, offer = update_ranking("all", "2026Q3", "zh", "records_rate", [], [])
    assert chosen == "records_rate" and info == "/indicators?code=records_rate"
    assert offer == {"display": "none"} and "⋯" not in caption
    assert len(figure.data[0].y) == 32


def test_an_empty_charts_message_breaks_after_its_clauses():
    """A chart's text does not wrap: the no-data message is broken where a reader pauses."""
    from dashboard.figures.common import empty_figure
    assert empty_figure("暂无数据：尚未载入任何上报数据。请在“数据上报”页上传，或运行 python -m etl load 载入。").layout.annotations[0].text \
        == "暂无数据：<br>尚未载入任何上报数据。<br>请在“数据上报”页上传，<br>或运行 python -m etl load 载入。"
    assert empty_figure("No data yet: nothing has been loaded. Upload files, or run it.").layout.annotations[0].text \
        == "No data yet:<br>nothing has been loaded.<br>Upload files,<br>or run it."
    assert empty_figure("请先在排名表中勾选机构。").layout.annotations[0].text == "请先在排名表中勾选机构。"


def test_the_benchmark_sends_every_read_only_callback_a_request_it_answers(app, sample_users):
    """`make bench` times every read-only callback with the bodies benchmarks.callbacks builds: each
    one must be a request the app answers (a new page control without a benchmark value would
    otherwise stop the benchmark)."""
    from benchmarks.callbacks import call, callback_bodies

    from conftest import login
    client = login(app.server.test_client(), "root")
    city = {"area": "990104", "period": "2026Q3", "facility": "990104004C1", "district": "990104",
            "townships": ["990104001", "990104002"], "visit": ["990104004C1"], "outlier": None}
    bodies = callback_bodies(client, city)
    names = {name for name, _ in bodies}
    assert {"township-header-div.children", "coverage-trend-graph.figure", "analysis-header-div.children"} <= names
    for name, body in bodies:
        _, response, _ = call(client, body)
        assert response.status_code in (200, 204), (name, response.status_code, response.get_data(as_text=True)[:200])


def test_a_long_overdue_list_shows_the_longest_overdue_and_says_how_many_more(app, monkeypatch):
    """A nation's overdue findings ran to 1.9 MB of rows: the table lists the first
    OVERDUE_ROWS_SHOWN (longest overdue first) and says the export has them all."""
    from dashboard.callbacks import overview

    from factory import TODAY
    monkeypatch.setattr(data, "today", lambda: TODAY)      # overdue is counted to a day
    rows, _, message = overview.update_overdue("all", "2026Q3", "en")
    monkeypatch.setattr(overview, "OVERDUE_ROWS_SHOWN", 2)
    shown, _, capped = overview.update_overdue("all", "2026Q3", "en")
    assert len(rows) == 30 and shown == rows[:2]
    assert capped.startswith("30 in all; the table lists the 2 longest overdue, the export all of them. ")
    assert not message.startswith("30 in all")


def test_a_long_list_of_stars_lost_shows_the_latest_and_says_how_many_more(app, monkeypatch):
    from dashboard.callbacks import standardization
    _, rows, _, message = standardization.update_stars("all", "2026Q3", "en")
    monkeypatch.setattr(standardization, "LOST_ROWS_SHOWN", 2)
    _, shown, _, capped = standardization.update_stars("all", "2026Q3", "en")
    assert len(rows) == 24 and shown == rows[:2]
    assert capped.startswith("24 in all; the table lists the latest 2, the export all of them. ")
    assert message == capped.split("them. ", 1)[1]


def test_a_star_change_is_never_cut():
    """★★★★★ → ★★★★ in the stars-lost grid: its column is as wide as its longest change (the stars
    measured as wide characters), not the 110 px of any text column, where it read ★★★★★…"""
    import pandas as pd

    from dashboard.components import column_defs
    rows = pd.DataFrame({"change": ["★★★★★ → ★★★★", "★★ → ★"]})
    [spec] = column_defs([("change", "星级变化", "whole")], rows)
    assert spec["minWidth"] == 200           # 9 × 14.5 + 3 × 8.5 + 44, rounded up
    [plain] = column_defs([("change", "星级变化", "text")], rows)
    assert plain["minWidth"] == 110
    [empty] = column_defs([("change", "星级变化", "whole")], rows.head(0))      # no rows: a text column's floor
    assert empty["minWidth"] == 110


def test_a_long_visit_ranking_lists_the_riskiest_and_says_how_many_more(app, sample_users, monkeypatch):
    import flask

    from dashboard.callbacks import supervision
    from warehouse.accounts import Accounts, accounts_path
    with app.server.test_request_context("/supervision"):
        flask.g.user = Accounts(accounts_path(data.warehouse_path())).get("root")
        _, rows, _, note, _, _ = supervision.update_ranking("all", "2026Q3", "en", ["CHC", "CHS", "THC"], None)
        monkeypatch.setattr(supervision, "RANKING_ROWS_SHOWN", 3)
        _, shown, _, capped, _, _ = supervision.update_ranking("all", "2026Q3", "en", ["CHC", "CHS", "THC"], None)
    assert len(rows) == 154 and shown == rows[:3]
    assert capped == "The 3 facilities with the highest risk are listed (of 154). " + note
