"""Standardization callbacks: filters → warehouse.queries.standardization → tiles, words, tables, figures."""
from __future__ import annotations

from dash import Input, Output, callback, html

from dashboard import data, ids
from dashboard.callbacks.common import caption, first_rows
from dashboard.callbacks.shell import page_title
from dashboard.components import column_defs, empty, kpi
from dashboard.figures import overview as overview_figures
from dashboard.figures import standardization as figures
from dashboard.i18n import milestone_state, pct, projection_sentence, stamp, t
from dashboard.tables import Table, grid_rows
from dashboard.tables import standardization as shapes
from warehouse.queries import overview, standardization

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))

TABLES = {
    "standardization-milestones": Table(lambda con, f: standardization.milestones(con, f.scope, f.area),
                                        shapes.milestones),
    "standardization-compare": Table(lambda con, f: standardization.comparison_to_milestone(con, f.scope, f.area),
                                     shapes.compare),
    "standardization-gaps": Table(lambda con, f: standardization.gap_list(con, f.scope, f.area), shapes.gaps),
    "standardization-lost": Table(lambda con, f: standardization.lost_stars(con, f.scope, f.area), shapes.lost),
}


@callback(Output(ids.STD_HEADER, "children"), Output(ids.STD_TILES, "children"), *FILTERS)
def update_tiles(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lang = filters.lang
    header = page_title(t("std.title", lang), filters)
    current = standardization.current_status(con, filters.scope, filters.area)
    if current is None or not current["total"]:
        return header, [empty(t("std.empty.no_chc", lang))]
    state = milestone_state(current["met"], current["over"])
    target = pct(current["target_share"], 0)
    quality = standardization.quality_demo_status(con, filters.scope, filters.area)
    lost = standardization.lost_stars_status(con, filters.scope, filters.area)
    tiles = [
        kpi(t("std.milestone", lang, year=current["year"], target=target), pct(current["share"]),
            t("std.milestone.detail", lang, counted=current["counted"], total=current["total"],
              as_of=stamp(current["as_of"])) + f" · {t(state, lang)}",
            "ok" if current["met"] else "bad", tile_id="standardization-tile-milestone"),
        kpi(t("std.needed", lang), str(current["needed"]), t("std.needed.detail", lang, year=current["year"],
                                                            target=target),
            "ok" if current["met"] else "bad", tile_id="standardization-tile-needed"),
        kpi(t("std.quality", lang), pct(quality["share"]),
            t("std.quality.detail", lang, demo=quality["demo"], total=quality["total"], target=pct(quality["target"], 0)),
            "ok" if quality["ok"] else "warn", tile_id="standardization-tile-quality"),
        kpi(t("std.lost", lang), str(lost["lost"]), t("std.lost.detail", lang), "ok" if lost["ok"] else "warn",
            tile_id="standardization-tile-lost"),
    ]
    return header, tiles


@callback(Output(ids.STD_TREND_GRAPH, "figure"), Output(ids.STD_TREND_CAPTION, "children"), *FILTERS)
def update_trend(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    trend = overview.milestone_trend_marked(con, filters.scope, filters.area)
    figure = overview_figures.milestone_trend(trend, filters.lang, t("std.empty.no_chc", filters.lang))
    figure.update_layout(height=340)
    return figure, caption(filters, as_of=standardization.horizon(con))


@callback(Output(ids.STD_MILESTONE_TABLE, "rowData"), Output(ids.STD_MILESTONE_TABLE, "columnDefs"), *FILTERS)
def update_milestones(area, period, lang):
    con = data.cursor()
    columns, frame = TABLES["standardization-milestones"].build(con, data.read_filters(con, area, period, lang))
    return grid_rows(columns, frame), column_defs(columns, frame)


@callback(Output(ids.STD_PROJECTION, "children"), Output(ids.STD_COMPARE_TABLE, "rowData"),
          Output(ids.STD_COMPARE_TABLE, "columnDefs"), Output(ids.STD_COMPARE_CAPTION, "children"), *FILTERS)
def update_projection(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lines = [html.Li(projection_sentence(p, filters.lang)) for p in standardization.projections(con, filters.scope, filters.area)]
    columns, frame = TABLES["standardization-compare"].build(con, filters)
    level = t(f"level.{'district' if filters.area.level == 'city' else 'township'}", filters.lang)
    return (lines or [html.Li(t("std.empty.no_chc", filters.lang))], grid_rows(columns, frame),
            column_defs(columns, frame),
            t("std.compare", filters.lang, level=level) + " · " + caption(filters, as_of=standardization.horizon(con)))


@callback(Output(ids.STD_GAP_TABLE, "rowData"), Output(ids.STD_GAP_TABLE, "columnDefs"),
          Output(ids.STD_GAP_CAPTION, "children"), *FILTERS)
def update_gaps(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    columns, frame = TABLES["standardization-gaps"].build(con, filters)
    message = caption(filters, as_of=standardization.horizon(con)) if len(frame) else t("std.empty.no_gaps", filters.lang)
    return grid_rows(columns, frame), column_defs(columns, frame), message


# a nation's facilities that lost a star ran to 1.1 MB of rows: the table lists the latest, the
# export every one
LOST_ROWS_SHOWN = 500


@callback(Output(ids.STD_STARS_GRAPH, "figure"), Output(ids.STD_LOST_TABLE, "rowData"),
          Output(ids.STD_LOST_TABLE, "columnDefs"), Output(ids.STD_LOST_CAPTION, "children"), *FILTERS)
def update_stars(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    figure = figures.star_distribution(standardization.star_distribution(con, filters.scope, filters.area),
                                       filters.lang, t("empty.no_data", filters.lang))
    columns, frame = TABLES["standardization-lost"].build(con, filters)
    # the latest assessments first
    shown, capped = first_rows(frame, LOST_ROWS_SHOWN, "std.lost_capped", filters.lang)
    message = " ".join(filter(None, (capped, caption(filters, as_of=standardization.horizon(con)))))
    return figure, grid_rows(columns, shown), column_defs(columns, shown), message
