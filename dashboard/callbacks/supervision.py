"""Supervision callbacks: ranking → selected facilities → route, brief (PDF/xlsx/print), visit records."""
from __future__ import annotations

import csv
import shutil
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import auth, brief, data, ids
from dashboard.callbacks.common import caption, first_rows
from dashboard.callbacks.shell import page_title
from dashboard.components import column_defs, facility_options
from dashboard.figures.common import empty_figure
from dashboard.figures.supervision import route_figure
from dashboard.i18n import t
from dashboard.tables import facility_href, grid_rows, township_href
from dashboard.tables import supervision as shapes
from etl.loader import load_recorded_visit
from warehouse.queries import facility, supervision

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))


def _inspector():
    user = auth.current_user()
    return user if user is not None and user.may("supervise") else None


# The visit list of a whole province runs to thousands; nobody plans visits past the first few
# hundred, and the page stays quick.
RANKING_ROWS_SHOWN = 500
# The record form offers the first facilities of the ranking; any other of the user's facilities
# is found by typing (a province's every facility would be megabytes in the page).
VISIT_OPTIONS_SHOWN = 50


def chosen_types(types) -> list[str]:
    return [k for k in (types if isinstance(types, list) else []) if isinstance(k, str)]


def ranking_for(con, filters, types) -> "supervision.pd.DataFrame":
    return supervision.ranked(con, filters.scope, filters.area, filters.period, data.today(), chosen_types(types))


# A phone lists the first facilities of the ranking as cards.
CARDS_SHOWN = 20


def ranking_cards(shaped, filters, types) -> list:
    """The first facilities of the shaped ranking as cards: rank, name (to the profile), score,
    reasons and last visit, and the visit brief of that facility (the print view)."""
    lang = filters.lang
    cards = []
    for row in shaped.head(CARDS_SHOWN).to_dict("records"):
        query = urlencode({"codes": row["facility_code"], "area": filters.area.code, "period": filters.period.label,
                           "types": ",".join(chosen_types(types)), "lang": lang})
        cards.append(dbc.Card(dbc.CardBody([
            html.Div([html.Span(f"{row['rank']}. ", className="text-muted"),
                      dcc.Link(row["name"], href=facility_href(row["facility_code"], lang)),
                      html.Span([" · ", dcc.Link(row["township_name"], href=township_href(row["township_code"], lang))],
                                className="text-muted small"),
                      html.Strong(f"{row['score']:.1f}", className="float-end")]),
            html.Div(row["reasons"], className="small mt-1"),
            html.Div([html.Span(f"{t('sup.col.last_visit', lang)} {row['last_visit_text']}", className="text-muted small"),
                      html.A(t("sup.card.brief", lang), href=f"/supervision/brief?{query}", className="small float-end")]),
        ], className="p-2"), className="mb-2"))
    return cards


@callback(Output(ids.SUP_HEADER, "children"), Output(ids.SUP_RANKING, "rowData"), Output(ids.SUP_RANKING, "columnDefs"),
          Output(ids.SUP_RANKING_CAPTION, "children"), Output(ids.SUP_REC_FACILITY, "options"),
          Output(ids.SUP_CARDS, "children"),
          *FILTERS, Input(ids.SUP_TYPE, "value"), Input(ids.SUP_REC_MESSAGE, "children"))
def update_ranking(area, period, lang, types, _saved):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lang = filters.lang
    header = page_title(t("sup.title", lang), filters)
    if _inspector() is None or filters.period is None:
        return header, [], [], t("empty.no_data", lang), [], []
    ranked = ranking_for(con, filters, types)
    options = facility_options(ranked.head(VISIT_OPTIONS_SHOWN))
    note = shapes.score_rule(supervision.weights(con), supervision.PARTS, lang) + " · " + caption(filters)
    ranked, capped = first_rows(ranked, RANKING_ROWS_SHOWN, "sup.ranking_capped", lang)
    note = " ".join(filter(None, (capped, note)))
    columns, ranked = shapes.ranking(ranked, filters)
    return (header, grid_rows(columns, ranked, helpers=("facility_code",)), column_defs(columns, ranked), note, options,
            ranking_cards(ranked, filters, types))


@callback(Output(ids.SUP_REC_FACILITY, "options", allow_duplicate=True), Input(ids.SUP_REC_FACILITY, "search_value"),
          State(ids.SUP_REC_FACILITY, "value"), prevent_initial_call=True)
def find_visit_facility(text, chosen):
    """The user's facilities whose name or code holds what was typed, the chosen one kept."""
    if not text or not text.strip() or _inspector() is None:
        return no_update
    con = data.cursor()
    scope = data.current_scope()
    found = facility.search(con, scope, text, limit=VISIT_OPTIONS_SHOWN)
    if chosen and chosen not in set(found["facility_code"]):
        kept = facility.search(con, scope, chosen, limit=1)
        found = supervision.pd.concat([kept[kept["facility_code"] == chosen], found], ignore_index=True)
    return facility_options(found)


def _codes(selected) -> list[str]:
    return [str(r.get("facility_code")) for r in (selected or []) if r.get("facility_code")][:supervision.MAX_VISITS]


@callback(Output(ids.SUP_SELECTED, "children"), Output(ids.SUP_MAP, "figure"), Output(ids.SUP_ROUTE, "rowData"),
          Output(ids.SUP_ROUTE, "columnDefs"), Output(ids.SUP_PRINT, "href"),
          Input(ids.SUP_RANKING, "selectedRows"), Input(ids.LANG, "data"), State(ids.AREA, "value"),
          State(ids.PERIOD, "value"), State(ids.SUP_TYPE, "value"))
def update_route(selected, lang, area, period, types):
    con = data.cursor()
    filters = data.read_filters(con, None, period, lang)
    lang = filters.lang
    codes = _codes(selected)
    if not codes or _inspector() is None:
        return t("sup.pick", lang), empty_figure(t("sup.pick", lang), 300), [], [], "#"
    ordered, legs = supervision.planned_route(con, filters.scope, codes)
    if not legs:       # none of them is the user's, or none has a location
        return t("sup.pick", lang), empty_figure(t("sup.pick", lang), 300), [], [], "#"
    fig = route_figure(ordered, supervision.bureau(con), lang)
    rows = [{"stop": n + 1, "name": stop.name, "township": stop.township_name, "km": round(legs[n] / 1000, 1)}
            for n, stop in enumerate(ordered.itertuples())]
    rows.append({"stop": None, "name": t("sup.pdf.back", lang), "township": "", "km": round(legs[-1] / 1000, 1)})
    rows.append({"stop": None, "name": t("sup.pdf.total", lang), "township": "", "km": round(sum(legs) / 1000, 1)})
    columns = [("stop", t("sup.pdf.stop", lang), "int"), ("name", t("col.facility", lang), "text"),
               ("township", t("col.township", lang), "text"), ("km", "km", "dec")]
    # the print view ranks as the screen does: the same area, period and types
    query = urlencode({"codes": ",".join(codes), "area": area or "all", "period": filters.period.label,
                       "types": ",".join(chosen_types(types)), "lang": lang})
    return t("sup.selected", lang, n=len(codes)), fig, rows, column_defs(columns, rows), f"/supervision/brief?{query}"


@callback(Output(ids.SUP_DOWNLOAD, "data"), Output(ids.SUP_MESSAGE, "children"),
          Input(ids.SUP_PDF, "n_clicks"), Input(ids.SUP_XLSX, "n_clicks"),
          State(ids.SUP_RANKING, "selectedRows"), State(ids.AREA, "value"), State(ids.PERIOD, "value"),
          State(ids.LANG, "data"), State(ids.SUP_TYPE, "value"), prevent_initial_call=True)
def download_brief(_pdf, _xlsx, selected, area, period, lang, types):
    from dash import ctx
    if _inspector() is None:
        return no_update, dbc.Alert(t("forbidden", lang), color="warning")
    codes = _codes(selected)
    if not codes:
        return no_update, dbc.Alert(t("sup.pick", lang), color="info")
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if filters.period is None:          # nothing loaded yet: no ranking to brief on
        return no_update, dbc.Alert(t("empty.no_data", filters.lang), color="info")
    content, name = make_brief(con, filters, codes, "xlsx" if ctx.triggered_id == ids.SUP_XLSX else "pdf", types)
    if content is None:
        return no_update, dbc.Alert(t("sup.font_missing", filters.lang), color="danger")
    auth.audit("brief", f"{name}: {','.join(codes)}")
    return dcc.send_bytes(content, name), None


def make_brief(con, filters, codes: list[str], fmt: str, types=None):
    """The brief's bytes and file name; (None, name) when no CJK font is installed for the PDF.
    Ranks are the screen's: the facilities of the same area and types."""
    ranked = ranking_for(con, filters, types)
    ordered, legs = brief.route(con, brief.build(con, filters.scope, codes, filters.period, ranked, filters.lang,
                                                 data.today()))
    title = t("sup.pdf.title", filters.lang, date=data.today().isoformat())
    name = f"brief_{data.today().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return brief.xlsx(ordered, legs, filters.lang), name
    if fmt == "html":
        return brief.html(ordered, legs, filters.lang, title).encode("utf-8"), name
    try:
        return brief.pdf(ordered, legs, filters.lang, title), name
    except FileNotFoundError:
        return None, name


@callback(Output(ids.SUP_REC_MESSAGE, "children"), Input(ids.SUP_REC_SAVE, "n_clicks"),
          State(ids.SUP_REC_FACILITY, "value"), State(ids.SUP_REC_DATE, "date"), State(ids.SUP_REC_KIND, "value"),
          State(ids.SUP_REC_SCORE, "value"), State(ids.SUP_REC_FINDINGS, "value"), State(ids.SUP_REC_RECTIFY, "date"),
          State(ids.LANG, "data"), prevent_initial_call=True)
def record_visit(_clicks, code, visit_date, kind, score, findings, rectify_by, lang):
    """A visit entered in the browser goes through the inspections template's validation and
    versioning, like an uploaded file, within the inspector's districts."""
    user = auth.current_user()
    if user is None or not user.may("record_visit"):
        auth.audit("refused", "record a visit")
        return dbc.Alert(t("forbidden", lang), color="warning")
    limit = data.max_findings_chars()
    fields = [code, visit_date, kind, score, findings, rectify_by]
    if any(not isinstance(v, (str, int, float, type(None))) or isinstance(v, bool) for v in fields):
        return dbc.Alert(t("sup.record.bad_input", lang), color="danger")
    if len(str(findings or "")) > limit:
        return dbc.Alert(t("sup.record.too_long", lang, limit=f"{limit:,}"), color="danger")
    folder = Path(tempfile.mkdtemp(prefix="visit-", dir=data.warehouse_path().parent))
    try:
        path = folder / f"督导检查_{user.username}_{date.today().isoformat()}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["机构代码", "检查日期", "检查人", "检查类型", "得分", "发现问题", "整改期限"])
            writer.writerow([code or "", visit_date or "", user.display_name, kind or "", "" if score is None else score,
                             findings or "", rectify_by or ""])
        [result] = load_recorded_visit(path, data.warehouse_path(), user)
    finally:
        shutil.rmtree(folder, ignore_errors=True)         # nothing left behind, whatever happened
    if result.status == "rejected":
        return dbc.Alert([dbc.ListGroup([dbc.ListGroupItem(f"{p.column or ''}: {p.en if lang == 'en' else p.zh}")
                                         for p in result.problems])], color="danger")
    auth.audit("visit_record", f"{code} {visit_date} score {score}")
    return dbc.Alert(t("sup.record.saved", lang), color="success")
