"""Reusable pieces of layout. No queries here: callbacks fill them."""
from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t

PERCENT = {"function": "params.value == null ? '—' : d3.format('.1%')(params.value)"}
INTEGER = {"function": "params.value == null ? '—' : d3.format(',.0f')(params.value)"}
DECIMAL = {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value)"}
# Indicator tables mix rates and counts (lectures a year): the row says which.
RATE_OR_COUNT = {"function": "params.value == null ? '—' : (params.data.is_count ? d3.format(',.0f')(params.value)"
                             " : d3.format('.1%')(params.value))"}
# Scorecard cells: value (rate or count) and the arrow against the previous period, coloured by state.
SCORE_CELL = {"function": "params.value == null ? '—' : d3.format('.1%')(params.value) + ' ' + "
                          "(params.data[params.colDef.field + '__arrow'] || '')"}
SCORE_COUNT = {"function": "params.value == null ? '—' : d3.format(',.0f')(params.value) + ' ' + "
                           "(params.data[params.colDef.field + '__arrow'] || '')"}
SCORE_STYLES = {"styleConditions": [
    # a row still loading (a grid fed block by block) has no data yet
    {"condition": f"params.data != null && params.data[params.colDef.field + '__state'] == '{state}'", "style": style}
    for state, style in (("met", {"backgroundColor": "#e8f5e9", "color": "#1b5e20"}),
                         ("near", {"backgroundColor": "#fff8e1", "color": "#8d6e00"}),
                         ("far", {"backgroundColor": "#ffebee", "color": "#b71c1c"}))]}
# Side-by-side tables: each row says how its numbers are written.
BY_ROW = {"function": "params.value == null ? '—' : (params.data.kind == 'pct' ? d3.format('.1%')(params.value) : "
                      "params.data.kind == 'dec' ? d3.format(',.1f')(params.value) : d3.format(',.0f')(params.value))"}


def _change(points: str) -> dict:
    """A change or a gap: a count's in its own units, a rate's in percentage points (not "%": 72% to
    75% is +3 points), signed."""
    return {"function": "params.value == null ? '—' : (params.data.is_count ? d3.format('+,.0f')(params.value)"
                        f" : d3.format('+.1f')(params.value * 100) + ' {points}')"}


FORMATTERS = {"pct": PERCENT, "int": INTEGER, "dec": DECIMAL, "rate_or_count": RATE_OR_COUNT, "scorecell": SCORE_CELL,
              "scorecount": SCORE_COUNT, "byrow": BY_ROW,
              # kinds by language: column definitions are built without one
              "change_zh": _change(t("unit.points", "zh")), "change_en": _change(t("unit.points", "en"))}


def panel(title: str, body, caption_id: str | None = None, export_table: str | None = None,
          lang: str = "zh", anchor: str | None = None, extra=None, title_id: str | None = None):
    """A titled card; its caption says the data's period and load time; tables get export buttons.
    A title that states a rule's settings has an id: its callback writes it from the warehouse."""
    header = [html.H6(title, className="mb-0 me-auto", **({"id": title_id} if title_id else {}))]
    if extra is not None:
        header.append(extra)
    if export_table:
        header.append(export_buttons(export_table, lang))
    return dbc.Card([
        dbc.CardHeader(html.Div(header, className="d-flex align-items-center gap-2 flex-wrap")),
        dbc.CardBody([body, html.Small(id=caption_id, className="text-muted d-block mt-2") if caption_id else None]),
    ], className="mb-3 h-100", **({"id": anchor} if anchor else {}))


def with_info_link(control, link_id: str, lang: str):
    """A control choosing an indicator, and an ⓘ beside it opening that indicator's entry in the
    indicator dictionary (its href follows the choice: `indicator_info_href`)."""
    return html.Div([control, html.A("ⓘ", id=link_id, href="/indicators", title=t("dict.open", lang),
                                     className="text-decoration-none fs-5")],
                    className="d-flex align-items-center gap-2")


def indicator_info_href(code, lang) -> str:
    from urllib.parse import urlencode
    query = {"code": code} if isinstance(code, str) and code else {}
    if lang == "en":
        query["lang"] = "en"
    return "/indicators" + (f"?{urlencode(query)}" if query else "")


def with_indicator_header(spec: dict, code: str, lang: str) -> dict:
    """A grid column of one indicator, its header led by an ⓘ opening the indicator's entry
    (IndicatorHeaderName in assets/dashAgGridComponentFunctions.js)."""
    return {**spec, "headerComponentParams": {"innerHeaderComponent": "IndicatorHeaderName",
                                              "infoHref": indicator_info_href(code, lang),
                                              "infoTitle": t("dict.open", lang)}}


# The words Dash's dropdown writes itself ("3 selected", "No options found"), in the page's language.
DROPDOWN_LABELS = {
    "zh": {"select_all": "全选", "deselect_all": "全不选", "selected_count": "已选 {num_selected} 项",
           "search": "搜索", "clear_search": "清除搜索", "clear_selection": "清除选择", "no_options_found": "没有匹配的选项"},
    "en": {"select_all": "Select all", "deselect_all": "Deselect all", "selected_count": "{num_selected} selected",
           "search": "Search", "clear_search": "Clear search", "clear_selection": "Clear selection",
           "no_options_found": "No options found"},
}


def dropdown(lang: str, **kwargs):
    """A dropdown that speaks the page's language, its own words included."""
    return dcc.Dropdown(labels=DROPDOWN_LABELS["en" if lang == "en" else "zh"], **kwargs)


def date_input(input_id: str, lang: str, placeholder: str | None = None):
    """A date chosen from a calendar and shown as yyyy-mm-dd in either language (a browser's own
    date field follows the browser's locale: mm/dd/yyyy on an English-set machine); weeks start on
    Monday, months are named in the page's language. Its value is the `date` property, ISO."""
    return dcc.DatePickerSingle(id=input_id, display_format="YYYY-MM-DD", clearable=True, first_day_of_week=1,
                                month_format="MMMM YYYY" if lang == "en" else "YYYY年M月",
                                placeholder=placeholder or "yyyy-mm-dd", className="date-input")


def export_buttons(table: str, lang: str):
    """Shown to roles that may export (the export itself checks again)."""
    from dashboard.session import current_user
    user = current_user()
    return dbc.ButtonGroup([
        dbc.Button(t("export.xlsx", lang), id=ids.export_button(table, "xlsx"), size="sm", color="secondary",
                   outline=True),
        dbc.Button(t("export.csv", lang), id=ids.export_button(table, "csv"), size="sm", color="secondary",
                   outline=True),
    ], size="sm", style=None if user is not None and user.may("export") else {"display": "none"})


GRID_TEXT = {"zh": {"noRowsToShow": "暂无数据", "loadingOoo": "加载中…", "filterOoo": "筛选…"}, "en": {}}


def grid(grid_id: str, height: int = 360, lang: str = "zh"):
    # no rows yet, not "no rows": the grid says 暂无数据 only once a query returned nothing
    options = _grid_options(height, lang)
    # on a phone each row is a card of every column's header and value (assets: RowCard), so no
    # value hides past the screen's edge; the card sets the row's height to its own
    options["dashGridOptions"].update(isFullWidthRow={"function": "phoneCardRow(params)"},
                                      fullWidthCellRenderer="RowCard")
    options["className"] += " grid-cards"
    return dag.AgGrid(id=grid_id, rowData=None, **options)


def paged_grid(grid_id: str, height: int = 360, lang: str = "zh", columns: list[dict] | None = None):
    """A grid whose rows come from the server a block at a time (dashboard/paging.py), sorted and
    filtered there: for tables as long as a province's townships. Made by its callback with its
    columns, once per choice of filters."""
    from dashboard.paging import DEFAULT_BLOCK
    options = _grid_options(height, lang)
    options["dashGridOptions"].update(cacheBlockSize=DEFAULT_BLOCK, maxBlocksInCache=20)
    options["columnDefs"] = columns or []
    return dag.AgGrid(id=grid_id, rowModelType="infinite", **options)


def _grid_options(height: int, lang: str) -> dict:
    return dict(
        columnDefs=[],
        # no inferred data types: a column of dates with one "—" would show that cell empty
        # a long header wraps onto a second line instead of ending in "…" (its full name is on hover too)
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 90, "flex": 1,
                       "cellDataType": False, "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions={"animateRows": False, "tooltipShowDelay": 300, "localeText": GRID_TEXT.get(lang, {})},
        style={"height": f"{height}px"}, className="ag-theme-alpine",
    )


# Long text people came to read (why a facility ranks high, what a center lacks, what an inspector
# found): wrapped in full, never cut with "…".
WRAPPED = ("reasons", "lacks", "findings", "message")


# A table this wide scrolls sideways at a desk: its row's name stays in view (pinned). On a phone
# the rows are cards (components.grid), where pinning changes nothing.
PIN_FROM_COLUMNS = 8
NAME_FIELDS = ("profile", "indicator_link", "metric_link", "name", "township_name")


def column_defs(columns: list[tuple[str, str, str]], data=None) -> list[dict]:
    """(field, header, kind) → AG Grid column definitions; numbers stay numbers so they sort. With
    the grid's `data` (a DataFrame or its rows), each number column is at least as wide as its
    widest value (dashboard.widths): no number is ever cut; and every column is as wide as its
    header's longest word, which a wrapped header cannot break. A table of PIN_FROM_COLUMNS or more
    pins its first name column."""
    from dashboard.widths import header_px, name_px, number_widths
    needed = number_widths(columns, data, FORMATTERS) if data is not None else {}
    defs = []
    for field, header, kind in columns:
        spec = {"field": field, "headerName": header, "headerTooltip": header,
                "tooltipField": field if kind == "text" else None}
        if kind == "township":
            spec.update(cellRenderer="TownshipLink", tooltipField=field)
        if kind in ("text", "whole", "link", "township"):
            spec.update(minWidth=190 if field in ("indicator", "indicator_link", "profile") else
                        150 if field in ("name", "findings") else 110,
                        flex=2)
        if kind == "whole" and data is not None:     # a short text read whole (★★★★★ → ★★★★), never cut
            spec["minWidth"] = max(spec["minWidth"], name_px(field, data))
        if field in WRAPPED:
            spec.update(wrapText=True, autoHeight=True, minWidth=260, flex=4, cellClass="cell-wrapped")
        if kind in FORMATTERS:
            spec.update(valueFormatter=FORMATTERS[kind], type="rightAligned", filter="agNumberColumnFilter")
        if kind in ("scorecell", "scorecount"):
            spec.update(cellStyle=SCORE_STYLES, minWidth=110,
                        tooltipValueGetter={"function": "params.data == null || params.data[params.colDef.field + '__num'] == null ? '' : "
                                            "d3.format(',.0f')(params.data[params.colDef.field + '__num']) + ' / ' + "
                                            "d3.format(',.0f')(params.data[params.colDef.field + '__den'] || 0)"})
        if kind == "link":
            spec.update(cellRenderer="markdown")
        spec["minWidth"] = max(spec.get("minWidth", 90), needed.get(field, 0), header_px(header))
        defs.append({k: v for k, v in spec.items() if v is not None})
    named = [spec for spec in defs if spec["field"] in NAME_FIELDS]
    if named and len(defs) >= PIN_FROM_COLUMNS:
        # the pinned name stays in view while the rest scrolls: wide enough to be read whole
        named[0]["pinned"] = "left"
        if data is not None:
            named[0]["minWidth"] = max(named[0]["minWidth"], name_px(named[0]["field"], data))
    return defs


def kpi(title: str, value: str, detail: str | None = None, status: str | None = None, href: str | None = None,
        tile_id: str | None = None):
    """One figure with its context. status: ok | warn | bad colours the figure."""
    colour = {"ok": "text-success", "warn": "text-warning", "bad": "text-danger"}.get(status or "", "")
    body = [html.Div(title, className="kpi-title text-muted"),
            html.Div(value, className=f"kpi-value {colour}"),
            html.Div(detail, className="kpi-detail small text-muted") if detail else None]
    content = dcc.Link(body, href=href, className="kpi-link") if href else html.Div(body)
    card = dbc.Card(dbc.CardBody(content), className="kpi h-100", **({"id": tile_id} if tile_id else {}))
    return dbc.Col(card, xs=12, sm=6, lg=3, className="mb-3")


def empty(message: str):
    return dbc.Alert(message, color="light", className="mb-0 text-muted")


def facility_options(frame) -> list[dict]:
    """Dropdown options of facilities: "name · township", and the code where two would read alike
    (stations of the same name in one township)."""
    from collections import Counter
    labels = [f"{n} · {township}" for n, township in zip(frame["name"], frame["township_name"])]
    repeated = {label for label, times in Counter(labels).items() if times > 1}
    return [{"label": f"{label} · {code}" if label in repeated else label, "value": code}
            for label, code in zip(labels, frame["facility_code"])]
