"""Facility profile callbacks: the facility code from the URL path, scoped on the server."""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import data, ids
from dashboard.callbacks.common import caption, indicator_label, indicator_section
from dashboard.components import column_defs, empty, facility_options
from dashboard.figures import facility as figures
from dashboard.figures.common import empty_figure
from dashboard.i18n import count, pct, period_name, stamp, t
from dashboard.tables import Table, grid_rows, township_href
from dashboard.tables import facility as shapes
from warehouse.queries import areas, facility

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
CODE = Input(ids.FAC_CODE, "data")

# The facility's code comes from the page's path (params["facility"], set by the export callback).
TABLES = {
    "facility-indicators": Table(
        lambda con, f: facility.indicator_table(con, f.scope, f.params.get("facility") or "", f.period),
        shapes.indicators),
    "facility-warnings": Table(lambda con, f: facility.warnings(con, f.scope, f.params.get("facility") or ""),
                               shapes.warnings),
    "facility-inspections": Table(
        lambda con, f: facility.inspections(con, f.scope, f.params.get("facility") or "", data.today()),
        shapes.inspections),
}


def profile_link(code: str, filters) -> str:
    query = {"period": filters.period.label} if filters.period else {}
    if filters.lang == "en":
        query["lang"] = "en"
    return f"/facility/{code}" + (f"?{urlencode(query)}" if query else "")


def yes_no(value, lang):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return t("yes", lang) if bool(value) else t("no", lang)


@callback(Output(ids.FAC_HEADER, "children"), Output(ids.FAC_FACTS, "children"), *FILTERS, CODE)
def update_header(area, period, lang, code):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lang = filters.lang
    record = facility.header(con, filters.scope, code or "")
    if record is None:
        return [html.Div(t("fac.title", lang), className="page-title"), empty(t("fac.not_found", lang))], None
    badges = [dbc.Badge(t(f"type.{record['type']}", lang), color="primary", className="me-1"),
              dbc.Badge(t(f"ownership.{record['ownership']}", lang), color="secondary", className="me-1")]
    if record.get("closed_on"):
        badges.append(dbc.Badge(f"{t('fac.closed', lang)} {stamp(record['closed_on'])}", color="dark"))
    if record.get("star_rating"):
        badges.append(dbc.Badge("★" * int(record["star_rating"]), color="warning", text_color="dark"))
    header = [html.Div([html.Span(record["name"], className="page-title me-2"), *badges]),
              html.Div([f"{record['facility_code']} · ",
                        dcc.Link(record["township_name"], href=township_href(record["township_code"], lang)),
                        f" · {record['district_name']}"], className="page-subtitle")]
    facts = []
    if record.get("parent_code"):
        facts.append((t("fac.parent", lang), dcc.Link(record["parent_name"] or record["parent_code"],
                                                      href=profile_link(record["parent_code"], filters))))
    children = facility.stations(con, filters.scope, code)
    if not children.empty:
        facts.append((t("fac.stations", lang), html.Span([
            html.Span([dcc.Link(r.name, href=profile_link(r.facility_code, filters)), "　"])
            for r in children.itertuples()])))
    facts.append((t("fac.opened", lang), stamp(record.get("opened_on"))))
    standard = record.get("area_standard")
    area_text = f"{count(record.get('building_area_m2'))} m²"
    if standard:
        met = record.get("meets_area_standard")
        area_text += f"（{t('fac.area_standard', lang, standard=count(standard))} · {yes_no(met, lang)}）" if lang == "zh" \
            else f" ({t('fac.area_standard', lang, standard=count(standard))}: {yes_no(met, lang)})"
    facts.append((t("fac.area", lang), area_text))
    if record.get("assessed_on") is not None:
        facts.append((t("fac.std_state", lang), " · ".join([
            f"{t('fac.premises', lang)} {yes_no(record['gov_premises'], lang)}",
            f"{t('fac.equipment', lang)} {yes_no(record['gov_equipment'], lang)}",
            f"{t('fac.standardized', lang)} {yes_no(record['standardized'], lang)}",
            f"{t('fac.counts', lang)} {yes_no(record['counts_for_milestone'], lang)}",
            f"({t('fac.assessed', lang)} {stamp(record['assessed_on'])})"])))
    if record.get("staffing_as_of") is not None:
        physicians = record.get("physicians") or 0
        parts = [f"{t('fac.physicians', lang)} {physicians}", f"{t('fac.gps', lang)} {record.get('gps')}",
                 f"{t('fac.nurses', lang)} {record.get('nurses')}"]
        if record["type"] == "CHC":
            parts.append(f"{t('fac.tcm', lang)} {pct(record.get('tcm_share'))}"
                         f"（{t('fac.tcm_norm', lang, norm=pct(record['tcm_norm'], 0))}）")
        if record["type"] == "CHS":
            parts.append(t("fac.station_norm", lang, physicians=f"{record['chs_min_physicians']:g}",
                           nurses=f"{record['chs_min_nurses']:g}"))
        facts.append((t("fac.staffing", lang, as_of=stamp(record["staffing_as_of"])), " · ".join(parts)))
    table = dbc.Table([html.Tbody([html.Tr([html.Th(k, className="text-muted fw-normal", style={"width": "9em"}),
                                            html.Td(v)]) for k, v in facts])], size="sm", className="mb-3 bg-white")
    return header, table


@callback(Output(ids.FAC_MAP, "figure"), Input(ids.LANG, "data"), CODE)
def update_map(lang, code):
    con = data.cursor()
    scope = data.current_scope()
    record = facility.header(con, scope, code or "")
    if record is None:
        return empty_figure("—", 220)
    from dashboard.figures.coverage import basemap
    return figures.location(record.get("lon"), record.get("lat"), record["name"], facility.boundary(con, scope, code),
                            basemap(areas.setting(con, "map.tile_url"), areas.setting(con, "map.tile_attribution")))


@callback(Output(ids.FAC_INDICATORS_TABLE, "rowData"), Output(ids.FAC_INDICATORS_TABLE, "columnDefs"),
          Output(ids.FAC_INDICATORS_CAPTION, "children"), *FILTERS, CODE)
def update_indicators(area, period, lang, code):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang, {"facility": code or ""})
    if filters.period is None:
        return [], [], t("empty.no_data", filters.lang)
    columns, frame = TABLES["facility-indicators"].build(con, filters)
    if frame.empty:
        return [], column_defs(columns), t("fac.not_found", filters.lang)
    if frame["value"].isna().all():
        return (grid_rows(columns + [("is_count", "", "bool")], frame), column_defs(columns, frame),
                t("empty.period", filters.lang, period=period_name(filters.period.label, filters.lang)))
    return grid_rows(columns + [("is_count", "", "bool")], frame), column_defs(columns, frame), caption(filters)


@callback(Output(ids.FAC_TREND_INDICATOR, "options"), Output(ids.FAC_TREND_INDICATOR, "value"),
          Output(ids.FAC_TREND_INFO, "href"), Output(ids.FAC_TREND_GRAPH, "figure"),
          Output(ids.FAC_TREND_CAPTION, "children"), *FILTERS, CODE, Input(ids.FAC_TREND_INDICATOR, "value"))
def update_trend(area, period, lang, code, indicator):
    """The trend section in one request: its indicator choice and the chart."""
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang, {"indicator": indicator})
    lang = filters.lang
    choice = indicator_section(con, lang, indicator)
    indicator = choice[1]
    label = indicator_label(con, indicator, lang)
    if label is None:
        return *choice, empty_figure("—"), ""
    series = facility.indicator_series(con, filters.scope, code or "", indicator)
    name, is_count = label
    figure = figures.trend(series, name, is_count, lang, t("empty.period", lang, period=""))
    latest = filters.state.latest_month
    return *choice, figure, f"{name} · " + caption(filters, as_of=latest.strftime("%Y-%m") if latest else None)


@callback(Output(ids.FAC_CALENDAR_GRAPH, "figure"), Output(ids.FAC_CALENDAR_CAPTION, "children"),
          Output(ids.FAC_WARNINGS_TABLE, "rowData"), Output(ids.FAC_WARNINGS_TABLE, "columnDefs"),
          *FILTERS, CODE)
def update_reporting(area, period, lang, code):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang, {"facility": code or ""})
    reports = facility.submission_calendar(con, filters.scope, code or "")
    figure = figures.calendar(reports, filters.lang, t("empty.no_data", filters.lang))
    states = reports["state"].value_counts()
    summary = " · ".join(f"{t(f'fac.calendar.{state}', filters.lang)} {int(states.get(state, 0))}"
                         for state in ("on_time", "late", "missing"))
    columns, frame = TABLES["facility-warnings"].build(con, filters)
    return figure, summary, grid_rows(columns, frame), column_defs(columns, frame)


@callback(Output(ids.FAC_HISTORY_TABLE, "rowData"), Output(ids.FAC_HISTORY_TABLE, "columnDefs"),
          Output(ids.FAC_INSPECTIONS_TABLE, "rowData"), Output(ids.FAC_INSPECTIONS_TABLE, "columnDefs"),
          Output(ids.FAC_INSPECTIONS_CAPTION, "children"), *FILTERS, CODE)
def update_history(area, period, lang, code):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang, {"facility": code or ""})
    lang = filters.lang
    history = facility.standardization_history(con, filters.scope, code or "")
    shown = pd.DataFrame({
        "assessed_on": history["assessed_on"].astype(str),
        "premises": [yes_no(v, lang) for v in history["gov_premises"]],
        "equipment": [yes_no(v, lang) for v in history["gov_equipment"]],
        "standardized": [yes_no(v, lang) for v in history["standardized"]],
        "counts": [yes_no(v, lang) for v in history["counts_for_milestone"]],
        "stars": ["" if pd.isna(v) else "★" * int(v) for v in history["star_rating"]],
        "note": history["note"].fillna(""),
    }).iloc[::-1]
    history_columns = [("assessed_on", t("fac.assessed", lang), "text"), ("premises", t("fac.premises", lang), "text"),
                       ("equipment", t("fac.equipment", lang), "text"),
                       ("standardized", t("fac.standardized", lang), "text"), ("counts", t("fac.counts", lang), "text"),
                       ("stars", t("fac.stars", lang), "text"), ("note", t("fac.note", lang), "text")]
    columns, frame = TABLES["facility-inspections"].build(con, filters)
    return (grid_rows(history_columns, shown), column_defs(history_columns, shown),
            grid_rows(columns, frame), column_defs(columns, frame), caption(filters, as_of=data.today()))


@callback(Output(ids.SEARCH, "options"), Input(ids.SEARCH, "search_value"), State(ids.LANG, "data"))
def search_facilities(text, lang):
    """Names or codes containing what was typed, within the user's districts."""
    if not text or len(text.strip()) < 1:
        return no_update
    frame = facility.search(data.cursor(), data.current_scope(), text)
    return facility_options(frame)


@callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.SEARCH, "value"),
          State(ids.PERIOD, "value"), State(ids.LANG, "data"), prevent_initial_call=True)
def open_found(code, period, lang):
    if not code:
        return no_update
    record = facility.header(data.cursor(), data.current_scope(), code)
    if record is None:
        return no_update
    query = {k: v for k, v in (("period", period), ("lang", "en" if lang == "en" else None)) if v}
    return f"/facility/{code}" + (f"?{urlencode(query)}" if query else "")
