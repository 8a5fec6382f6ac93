"""Township profile callbacks: the township code from the URL path, scoped on the server."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard import data, ids
from dashboard.callbacks.common import caption, indicator_choice, indicator_label, radius_m
from dashboard.components import column_defs, empty, kpi
from dashboard.figures import coverage as coverage_figures
from dashboard.figures import facility as facility_figures
from dashboard.figures.common import empty_figure
from dashboard.i18n import count, pct, period_name, t
from dashboard.tables import Table, grid_rows
from dashboard.tables import coverage as coverage_shapes
from dashboard.tables import standardization as standardization_shapes
from dashboard.tables import township as shapes
from warehouse.queries import bulletin, coverage, overview, standardization, township
from warehouse.queries.areas import Area

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
CODE = Input(ids.TP_CODE, "data")


def profile_area(con, filters):
    """The township the page's path names (params["township"]), if the user's scope holds it."""
    found = township.facts(con, filters.scope, filters.params.get("township") or "")
    return found["area"] if found else None


# a township no code names: the tables of a township outside the scope are asked for it, and are empty
NOWHERE = Area("", "township", "", None)


def _for_township(fetch):
    return lambda con, filters: fetch(con, filters, profile_area(con, filters) or NOWHERE)


TABLES = {
    "township-indicators": Table(_for_township(
        lambda con, f, area: township.indicator_ranks(con, f.scope, area, f.period)), shapes.indicators),
    "township-coverage-trend": Table(_for_township(
        lambda con, f, area: coverage.coverage_over_time(con, f.scope, area, radius_m(con, f), data.today())),
        coverage_shapes.trend),
    "township-facilities": Table(_for_township(
        lambda con, f, area: township.facilities(con, f.scope, area, data.today())), shapes.facilities),
    "township-gaps": Table(_for_township(
        lambda con, f, area: standardization.gap_list(con, f.scope, area)), standardization_shapes.gaps),
    "township-findings": Table(_for_township(
        lambda con, f, area: township.open_findings(con, f.scope, area, data.today())), shapes.findings),
}


def read(area, period, lang, code, **params):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang, {"township": code or "", **params})
    return con, filters


def _rank_text(ranks: dict, lang: str) -> str:
    parts = [t(f"tp.rank.{peers}", lang, rank=ranks[peers]["rank"], of=ranks[peers]["of"])
             for peers in ("district", "city") if ranks.get(peers)]
    return " · ".join(parts)


@callback(Output(ids.TP_HEADER, "children"), Output(ids.TP_TILES, "children"), *FILTERS, CODE)
def update_header(area, period, lang, code):
    con, filters = read(area, period, lang, code)
    lang = filters.lang
    found = township.facts(con, filters.scope, code or "")
    if found is None:
        return [html.Div(t("tp.title", lang), className="page-title"), empty(t("tp.not_found", lang))], []
    place = found["area"]
    level = t(f"tp.level.{found['township_level']}", lang)
    header = [html.Div([html.Span(found["township_name"], className="page-title me-2"),
                        dbc.Badge(level, color="primary", className="me-1")]),
              html.Div([f"{found['township_code']} · ",
                        dcc.Link(found["district_name"], href=f"/?area={found['district_code']}"
                                 + ("&lang=en" if lang == "en" else "")),
                        (" · " + t("tp.scorecard", lang, period=period_name(filters.period.label, lang)) + " "
                         + _rank_text(township.scorecard_ranks(con, filters.scope, place, filters.period), lang))
                        if filters.period else ""], className="page-subtitle")]
    as_of = filters.as_of
    tiles = [kpi(t("ov.residents", lang), count(found["population"], lang),
                 t("tp.points", lang, communities=found["communities"], villages=found["villages"]),
                 tile_id="township-tile-residents")]
    circle = coverage.circle_status(con, filters.scope, place, radius_m(con, filters))
    if circle is not None:
        judged = [circle[part] for part in ("urban", "rural") if circle[part]]
        detail = " · ".join(t("ov.circle.urban" if part == "urban" else "ov.circle.rural", lang,
                              share=pct(circle[part]["share"]), target=pct(circle[part]["target"], 0))
                            for part in ("urban", "rural") if circle[part])
        tiles.append(kpi(t("ov.circle", lang), pct(circle["share"]), detail,
                         ("ok" if circle["ok"] else "bad") if judged else None, tile_id="township-tile-circle"))
    centers = overview.residents_per_center(con, filters.scope, place, as_of)
    operating = overview.facility_counts(con, filters.scope, place, as_of).set_index("type")["operating"]
    tiles.append(kpi(t("ov.facilities", lang), count(int(operating.sum()), lang),
                     " · ".join(f"{t(f'type.short.{kind}', lang)} {int(n)}" for kind, n in operating.items() if n)
                     + " · " + t("tp.per_center", lang, per_center=count(centers["per_center"], lang)
                                 if centers["per_center"] else "—"),
                     tile_id="township-tile-facilities"))
    milestone = standardization.current_status(con, filters.scope, place)
    if milestone is not None and milestone["total"]:
        tiles.append(kpi(t("tp.standardized", lang), f"{milestone['counted']}/{milestone['total']}",
                         t("tp.standardized.detail", lang, year=milestone["year"],
                           target=pct(milestone["target_share"], 0)),
                         "ok" if milestone["met"] else "bad", tile_id="township-tile-standardized"))
    if filters.period is not None:
        reports = bulletin.reporting(con, filters.scope, place, filters.period)
        if reports["expected"]:
            ok = (reports["completeness"] >= reports["completeness_target"]
                  and reports["timeliness"] >= reports["timeliness_target"])
            tiles.append(kpi(t("tp.reporting", lang), pct(reports["completeness"]),
                             t("tp.reporting.detail", lang, timeliness=pct(reports["timeliness"]),
                               expected=reports["expected"]),
                             "ok" if ok else "bad", tile_id="township-tile-reporting"))
    findings = township.open_findings(con, filters.scope, place, data.today())
    overdue = int(findings["overdue"].sum()) if not findings.empty else 0
    tiles.append(kpi(t("tp.open_findings", lang), str(len(findings)), t("tp.open_findings.detail", lang, overdue=overdue),
                     "ok" if overdue == 0 else "bad", tile_id="township-tile-findings"))
    return header, tiles


@callback(Output(ids.TP_INDICATORS_TABLE, "rowData"), Output(ids.TP_INDICATORS_TABLE, "columnDefs"),
          Output(ids.TP_INDICATORS_CAPTION, "children"), *FILTERS, CODE)
def update_indicators(area, period, lang, code):
    con, filters = read(area, period, lang, code)
    if filters.period is None:
        return [], [], t("empty.no_data", filters.lang)
    columns, frame = TABLES["township-indicators"].build(con, filters)
    if frame.empty:
        return [], column_defs(columns), t("tp.not_found", filters.lang)
    rows = grid_rows(columns + [("is_count", "", "bool")], frame)
    return rows, column_defs(columns, frame), caption(filters, note=t("tp.rank.help", filters.lang))


@callback(Output(ids.TP_TREND_INDICATOR, "options"), Output(ids.TP_TREND_INDICATOR, "value"),
          Output(ids.TP_TREND_GRAPH, "figure"), Output(ids.TP_TREND_CAPTION, "children"),
          *FILTERS, CODE, Input(ids.TP_TREND_INDICATOR, "value"))
def update_trend(area, period, lang, code, indicator):
    """The trend section in one request: its indicator choice and the chart."""
    con, filters = read(area, period, lang, code, indicator=indicator)
    lang = filters.lang
    options, indicator = indicator_choice(con, lang, indicator)
    place = profile_area(con, filters)
    label = indicator_label(con, indicator, lang)
    if place is None or label is None:
        return options, indicator, empty_figure("—"), ""
    series = township.indicator_series(con, filters.scope, place, indicator)
    name, is_count = label
    figure = facility_figures.trend(series, name, is_count, lang, t("empty.period", lang, period=""),
                                    own_label=t("tp.trend.township", lang))
    latest = filters.state.latest_month
    return options, indicator, figure, f"{name} · " + caption(filters, as_of=latest.strftime("%Y-%m") if latest else None)


@callback(Output(ids.TP_COVERAGE_GRAPH, "figure"), Output(ids.TP_COVERAGE_CAPTION, "children"), *FILTERS, CODE)
def update_coverage(area, period, lang, code):
    con, filters = read(area, period, lang, code)
    trend = TABLES["township-coverage-trend"].fetch(con, filters)
    figure = coverage_figures.coverage_trend(trend, filters.lang, t("empty.no_data", filters.lang),
                                             filters.state.first_month)
    return figure, caption(filters, as_of=data.today(), note=t("cov.trend.help", filters.lang))


@callback(Output(ids.TP_FACILITIES_TABLE, "rowData"), Output(ids.TP_FACILITIES_TABLE, "columnDefs"),
          Output(ids.TP_FACILITIES_CAPTION, "children"),
          Output(ids.TP_GAPS_TABLE, "rowData"), Output(ids.TP_GAPS_TABLE, "columnDefs"),
          Output(ids.TP_GAPS_CAPTION, "children"),
          Output(ids.TP_FINDINGS_TABLE, "rowData"), Output(ids.TP_FINDINGS_TABLE, "columnDefs"),
          Output(ids.TP_FINDINGS_CAPTION, "children"), *FILTERS, CODE)
def update_lists(area, period, lang, code):
    """The facilities, the centers' standardization gaps and the open rectifications: one section."""
    con, filters = read(area, period, lang, code)
    answer = []
    for key, none_key in (("township-facilities", "tp.no_facilities"), ("township-gaps", "tp.no_gaps"),
                          ("township-findings", "tp.no_findings")):
        columns, frame = TABLES[key].build(con, filters)
        note = caption(filters, as_of=data.today())
        answer += [grid_rows(columns, frame), column_defs(columns, frame),
                   f"{t(none_key, filters.lang)} {note}" if frame.empty else note]
    return tuple(answer)
