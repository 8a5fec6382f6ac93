"""Data-quality callbacks: reporting grid and rates, outliers, consistency, confirmations."""
from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx

from dashboard import auth, data, ids
from dashboard.callbacks.common import caption, first_rows
from dashboard.callbacks.shell import page_title
from dashboard.components import column_defs
from dashboard.figures import quality as figures
from dashboard.figures.common import BAD, base_layout, empty_figure
from dashboard.i18n import t
from dashboard.tables import Table, grid_rows
from dashboard.tables import quality as shapes
from warehouse.actions import confirm_flags
from warehouse.periods import trailing_months
from warehouse.queries import overview, quality

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
# The reporting grid shows the last year of loaded months; missing reports are those of the latest.
GRID_MONTHS = 12

TABLES = {
    "quality-rates": Table(lambda con, f: quality.reporting_rates(
        con, f.scope, f.area, f.period.start.strftime("%Y-%m"), f.period.end.strftime("%Y-%m")), shapes.rates),
    "quality-missing": Table(lambda con, f: overview.missing_reports(
        con, f.scope, f.area, f.state.latest_month.strftime("%Y-%m")), shapes.missing),
    "quality-outliers": Table(lambda con, f: quality.outliers(con, f.scope, f.area), shapes.flags),
    "quality-consistency": Table(lambda con, f: quality.consistency(con, f.scope, f.area), shapes.flags),
}


@callback(Output(ids.DQ_HEADER, "children"), Output(ids.DQ_GRID, "figure"), Output(ids.DQ_GRID_CAPTION, "children"),
          *FILTERS)
def update_grid(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    header = page_title(t("dq.title", filters.lang), filters)
    if filters.period is None:
        return header, empty_figure(t("empty.no_data", filters.lang), 240), ""
    first, last = trailing_months(filters.state.latest_month, GRID_MONTHS)
    grid = quality.reporting_grid_at_detail(con, filters.scope, filters.area, first, last)
    note = "" if grid.level == "facility" else t(f"dq.grid.by_{grid.level}", filters.lang, limit=f"{grid.max_rows:,}")
    return (header, figures.reporting_grid(grid, filters.lang, t("empty.no_data", filters.lang)),
            caption(filters, as_of=last, note=note))


@callback(Output(ids.DQ_RATES, "rowData"), Output(ids.DQ_RATES, "columnDefs"),
          Output(ids.DQ_MISSING, "rowData"), Output(ids.DQ_MISSING, "columnDefs"), *FILTERS)
def update_rates(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if filters.period is None:
        return [], [], [], []
    rate_columns, rates = TABLES["quality-rates"].build(con, filters)
    missing_columns, missing = TABLES["quality-missing"].build(con, filters)
    return (grid_rows(rate_columns, rates), column_defs(rate_columns, rates),
            grid_rows(missing_columns, missing), column_defs(missing_columns, missing))


# A province has thousands of flags; nobody checks them on one screen, and sending them all
# would make the page slow. The table lists the first (outliers: the most severe), the export all.
FLAG_ROWS_SHOWN = 1000


@callback(Output(ids.DQ_OUTLIERS, "rowData"), Output(ids.DQ_OUTLIERS, "columnDefs"),
          Output(ids.DQ_OUTLIERS_CAPTION, "children"),
          Output(ids.DQ_CONSISTENCY, "rowData"), Output(ids.DQ_CONSISTENCY, "columnDefs"),
          Output(ids.DQ_CONSISTENCY_CAPTION, "children"), Output(ids.DQ_OUTLIERS_TITLE, "children"),
          *FILTERS, Input(ids.DQ_VERSION, "data"))
def update_flags(area, period, lang, _version):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    title = t("dq.outliers", filters.lang, z=f"{quality.outlier_threshold(con):g}")
    if filters.period is None:
        return [], [], None, [], [], None, title
    helpers = ("flag_key", "facility_code", "measure")
    outputs = []
    for columns, frame in (TABLES["quality-outliers"].build(con, filters),
                           TABLES["quality-consistency"].build(con, filters)):
        shown, capped = first_rows(frame, FLAG_ROWS_SHOWN, "dq.count_capped", filters.lang)
        note = capped or t("dq.count", filters.lang, total=f"{len(frame):,}")
        outputs += [grid_rows(columns, shown, helpers), column_defs(columns, shown), note]
    return (*outputs, title)


@callback(Output(ids.DQ_SERIES, "figure"), Input(ids.DQ_OUTLIERS, "selectedRows"), State(ids.LANG, "data"))
def update_series(selected, lang):
    """The whole series of the last selected outlier, so the point can be judged."""
    if not selected:
        return empty_figure(t("dq.series", lang or "zh"), 260)
    row = selected[-1]
    series = quality.measure_series(data.cursor(), data.current_scope(), str(row.get("facility_code")),
                                    str(row.get("measure")))
    if series.empty:
        return empty_figure("—", 260)
    fig = go.Figure(go.Scatter(x=series["period"], y=series["value"], mode="lines+markers", marker={"size": 4}))
    fig.add_trace(go.Scatter(x=[row.get("period")], y=[row.get("value")], mode="markers",
                             marker={"size": 14, "color": BAD, "symbol": "circle-open", "line": {"width": 2}}))
    fig.update_layout(showlegend=False)
    fig.update_xaxes(type="category", nticks=12)
    return base_layout(fig, 260)


@callback(Output(ids.DQ_MESSAGE, "children"), Output(ids.DQ_VERSION, "data"),
          Input(ids.DQ_CONFIRM, "n_clicks"), State(ids.DQ_OUTLIERS, "selectedRows"),
          State(ids.DQ_CONSISTENCY, "selectedRows"), State(ids.DQ_NOTE, "value"), State(ids.LANG, "data"),
          prevent_initial_call=True)
def confirm(_clicks, outliers, checks, note, lang):
    """Flags the user checked stop counting against the facility. Whether the user may, and which
    of the sent flags exist in their districts, is decided by warehouse.actions.confirm_flags."""
    user = auth.current_user()
    if user is None or not user.may("confirm_flags"):
        auth.audit("refused", "confirm data-quality flags")
        return t("forbidden", lang), None
    rows = [r for r in (outliers if isinstance(outliers, list) else []) + (checks if isinstance(checks, list) else [])
            if isinstance(r, dict)]
    keys = [r.get("flag_key") for r in rows]
    count = confirm_flags(data.warehouse_path(), keys, note if isinstance(note, str) else "", user)
    if count:
        auth.audit("dq_confirm", f"{count} flags: " + ", ".join(str(k) for k in keys)[:500])
    return t("dq.confirmed", lang, count=count), ctx.triggered_id and count
