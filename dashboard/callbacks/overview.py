"""Overview callbacks: filters → warehouse.queries.overview → tiles, tables and figures."""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard import brief, data, ids
from dashboard.callbacks.analysis import favourite_links, own_favourites
from dashboard.callbacks.common import caption, first_rows, indicator_section
from dashboard.callbacks.shell import all_label, page_title
from dashboard.components import column_defs, empty, kpi
from dashboard.figures import overview as figures
from dashboard.figures.common import empty_figure
from dashboard.i18n import count, milestone_state, pct, period_name, stamp, t
from dashboard.tables import Table, facility_href, grid_rows, township_href
from dashboard.tables import overview as shapes
from warehouse.queries import overview, supervision

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
# a nation's overdue findings are thousands (1.9 MB for all of them): the table lists the longest
# overdue, the export every one
OVERDUE_ROWS_SHOWN = 500

TABLES = {
    "overview-indicators": Table(lambda con, f: overview.judged_indicators(con, f.scope, f.area, f.period),
                                 shapes.indicators),
    "overview-overdue": Table(lambda con, f: overview.overdue_rectifications(con, f.scope, f.area, data.today()),
                              shapes.overdue),
}


def link(path: str, filters, anchor: str = "") -> str:
    query = {"area": filters.area.code, "period": filters.period.label}
    if filters.lang == "en":
        query["lang"] = "en"
    return f"{path}?{urlencode(query)}{anchor}"


@callback(Output(ids.OV_HEADER, "children"), Output(ids.OV_TILES, "children"), *FILTERS)
def update_tiles(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lang = filters.lang
    header = page_title(t("ov.title", lang), filters)
    if filters.period is None:
        return header, [empty(t("empty.no_data", lang))]
    scope, where, as_of = filters.scope, filters.area, filters.as_of
    tiles = []

    types = overview.facility_counts(con, scope, where, as_of).set_index("type")
    tiles.append(kpi(
        t("ov.facilities", lang), count(types["operating"].sum(), lang),
        " · ".join(f"{t(f'type.short.{k}', lang)} {int(types.loc[k, 'operating'])}" for k in types.index),
        href=link("/coverage", filters), tile_id="overview-tile-facilities"))

    residents = overview.residents_per_center(con, scope, where, as_of)
    tiles.append(kpi(t("ov.residents", lang), count(residents["residents"], lang),
                     f"{t('cov.metric.residents_per_center', lang)} {count(residents['per_center'], lang)}",
                     href=link("/coverage", filters), tile_id="overview-tile-residents"))

    streets = overview.street_coverage(con, scope, where, as_of)
    tiles.append(kpi(t("ov.street_coverage", lang), pct(streets["share"]),
                     t("ov.street_coverage.detail", lang, covered=streets["covered"], total=streets["total"]),
                     "ok" if streets["ok"] else "warn", link("/coverage", filters), tile_id="overview-tile-streets"))

    circle = overview.service_circle(con, scope, where)
    if circle is not None:
        parts = [t(f"ov.circle.{part}", lang, share=pct(circle[part]["share"]), target=pct(circle[part]["target"], 0))
                 for part in ("urban", "rural") if circle[part] is not None]
        tiles.append(kpi(t("ov.circle", lang), pct(circle["share"]), " · ".join(parts),
                         "ok" if circle["ok"] else "bad", link("/coverage", filters), tile_id="overview-tile-circle"))

    milestone = overview.milestone_for_period(con, scope, where, filters.period)
    if milestone and milestone["total"]:
        year = milestone["year"]
        state = milestone_state(milestone["on_track"], milestone["over"])
        detail = t("ov.milestone.detail", lang, counted=milestone["counted"], total=milestone["total"],
                   target=pct(milestone["target_share"], 0), as_of=stamp(milestone["as_of"])) + f" · {t(state, lang)}"
        if milestone["needed"]:
            detail += " · " + t("ov.milestone.needed", lang, needed=milestone["needed"])
        tiles.append(kpi(t("ov.milestone", lang, year=year), pct(milestone["share"]), detail,
                         "ok" if milestone["on_track"] else "bad", link("/standardization", filters),
                         tile_id="overview-tile-milestone"))

    indicators = overview.indicators_met(con, scope, where, filters.period)
    tiles.append(kpi(t("ov.indicators", lang), f"{indicators['met']}/{indicators['judged']}",
                     t("ov.indicators.detail", lang, met=indicators["met"], total=indicators["judged"]),
                     "ok" if indicators["ok"] else "warn", link("/townships", filters),
                     tile_id="overview-tile-indicators"))

    # the last month of the selected period that is loaded: the tile follows the period selector
    month = min(filters.period.end.replace(day=1), filters.state.latest_month).strftime("%Y-%m")
    reports = overview.reporting_status(con, scope, where, month)
    tiles.append(kpi(t("ov.reporting", lang, month=period_name(month, lang)), pct(reports["completeness"]),
                     t("ov.reporting.detail", lang, completeness=pct(reports["completeness"]),
                       timeliness=pct(reports["timeliness"]), expected=reports["expected"]),
                     "ok" if reports["ok"] else "warn", link("/quality", filters), tile_id="overview-tile-reporting"))

    overdue = overview.overdue_status(con, scope, where, data.today())
    tiles.append(kpi(t("ov.overdue", lang), str(overdue["overdue"]), t("ov.overdue.detail", lang),
                     "ok" if overdue["ok"] else "bad", link("/", filters, "#overdue"), tile_id="overview-tile-overdue"))
    return header, tiles


@callback(Output(ids.OV_WORST_TABLE, "rowData"), Output(ids.OV_WORST_TABLE, "columnDefs"),
          Output(ids.OV_WORST_CAPTION, "children"), *FILTERS)
def update_indicator_table(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if filters.period is None:
        return [], [], t("empty.no_data", filters.lang)
    columns, frame = TABLES["overview-indicators"].build(con, filters)
    if frame["value"].isna().all():
        return [], column_defs(columns), t("empty.period", filters.lang, period=period_name(filters.period.label, filters.lang))
    return grid_rows(columns + [("is_count", "", "bool")], frame), column_defs(columns, frame), caption(filters)


@callback(Output(ids.OV_TREND_GRAPH, "figure"), Output(ids.OV_TREND_CAPTION, "children"), *FILTERS)
def update_trend(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if filters.period is None:
        return empty_figure(t("empty.no_data", filters.lang)), ""
    trend = overview.milestone_trend_marked(con, filters.scope, filters.area)
    figure = figures.milestone_trend(trend, filters.lang, t("empty.period", filters.lang, period=""))
    horizon = trend.months["as_of"].max() if not trend.months.empty else filters.as_of
    return figure, caption(filters, as_of=horizon)


@callback(Output(ids.OV_RANK_INDICATOR, "options"), Output(ids.OV_RANK_INDICATOR, "value"),
          Output(ids.OV_RANK_INFO, "href"), Output(ids.OV_RANK_GRAPH, "figure"), Output(ids.OV_RANK_CAPTION, "children"),
          *FILTERS, Input(ids.OV_RANK_INDICATOR, "value"))
def update_ranking(area, period, lang, indicator):
    """The ranking section in one request: its indicator choice (options, the chosen one, its
    dictionary link) and the chart, so the chart does not wait for a round trip of the choice."""
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang, {"indicator": indicator})
    lang = filters.lang
    choice = indicator_section(con, lang, indicator)
    indicator = choice[1]
    if filters.period is None:
        return *choice, empty_figure(t("empty.no_data", lang)), ""
    ranking = overview.indicator_ranking(con, filters.scope, filters.area, filters.period, indicator)
    if ranking is None:
        return *choice, empty_figure(t("empty.period", lang, period="")), ""
    spec = ranking.indicator
    name = spec["name_en"] if lang == "en" else spec["name_zh"]
    area_label = all_label(filters.scope, lang) if filters.area.code == "all" else filters.area.name
    # a count's target is per facility, so each bar has its own (docs/indicators.md): no common line
    figure = figures.ranking(ranking.parts, name, spec["is_rate"], spec["target"] if spec["is_rate"] else None,
                             spec["value"], area_label, lang,
                             t("empty.period", lang, period=period_name(filters.period.label, lang)))
    level = t(f"level.{filters.area.child_level}", lang)
    return *choice, figure, t("ov.ranking", lang, level=level, indicator=name) + " · " + caption(filters)


@callback(Output(ids.OV_OVERDUE_TABLE, "rowData"), Output(ids.OV_OVERDUE_TABLE, "columnDefs"),
          Output(ids.OV_OVERDUE_CAPTION, "children"), *FILTERS)
def update_overdue(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if filters.period is None:
        return [], [], t("empty.no_data", filters.lang)
    columns, frame = TABLES["overview-overdue"].build(con, filters)
    if frame.empty:
        return grid_rows(columns, frame), column_defs(columns, frame), t("empty.no_overdue", filters.lang)
    # the longest overdue first
    shown, capped = first_rows(frame, OVERDUE_ROWS_SHOWN, "ov.overdue_capped", filters.lang)
    message = " ".join(filter(None, (capped, caption(filters, as_of=data.today()))))
    return grid_rows(columns, shown), column_defs(columns, shown), message


@callback(Output(ids.OV_FAVOURITES, "children"), Input(ids.LANG, "data"))
def update_favourites(lang):
    """The user's saved analysis views (数据分析), as links that reopen them."""
    return favourite_links(own_favourites(), "en" if lang == "en" else "zh")


# The overview names this many facilities; the supervision page ranks them all.
LAGGING_SHOWN = 5


@callback(Output(ids.OV_LAGGING, "children"), Output(ids.OV_LAGGING_CAPTION, "children"), *FILTERS)
def update_lagging(area, period, lang):
    """The facilities furthest behind (below target, worsening, reports, overdue rectifications):
    the top of the supervision ranking for the area and period, each with its reasons and a link."""
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lang = filters.lang
    if filters.period is None:
        return empty(t("empty.no_data", lang)), ""
    ranked = supervision.ranked(con, filters.scope, filters.area, filters.period, data.today())
    ranked = ranked[ranked["score"] > 0].head(LAGGING_SHOWN)
    if ranked.empty:
        return empty(t("ov.lagging.none", lang)), ""
    joiner = "；" if lang == "zh" else "; "
    items = [dbc.ListGroupItem([
        html.Span(f"{row['rank']}. ", className="text-muted"),
        dcc.Link(row["name"], href=facility_href(row["facility_code"], lang)),
        html.Span([" · ", dcc.Link(row["township_name"], href=township_href(row["township_code"], lang)),
                   f" · {row['score']:.1f}"], className="text-muted small"),
        html.Div(joiner.join(brief.reasons(row, lang)[:3]), className="small"),
    ]) for row in ranked.to_dict("records")]
    return (dbc.ListGroup(items, flush=True, id="overview-lagging-list"),
            dcc.Link(t("ov.lagging.caption", lang), href=link("/supervision", filters)))
