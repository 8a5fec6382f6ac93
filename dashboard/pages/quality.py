"""Data quality (数据质量): completeness and timeliness, outliers, internal consistency."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import auth, ids
from dashboard.components import grid, panel
from dashboard.i18n import t
from warehouse.actions import MAX_NOTE_CHARS

dash.register_page(__name__, path="/quality", title="数据质量 Data quality · jiceng", order=6)


def flags_grid(grid_id: str, lang: str):
    table = grid(grid_id, 340, lang)
    # rows are ticked to confirm them (on a phone, on their cards)
    table.dashGridOptions = {**table.dashGridOptions, "rowSelection": {"mode": "multiRow"}}
    return table


def layout(lang=None, **_):
    lang = "en" if lang == "en" else "zh"
    graph = {"config": {"displayModeBar": False}}
    user = auth.current_user()
    # only roles that may confirm flags see the control (warehouse.actions.confirm_flags checks again)
    confirm = html.Div([
        dbc.Input(id=ids.DQ_NOTE, placeholder=t("dq.note", lang), style={"maxWidth": "420px"},
                  maxLength=MAX_NOTE_CHARS),
        dbc.Button(t("dq.confirm", lang), id=ids.DQ_CONFIRM, color="success", outline=True),
        html.Div(id=ids.DQ_MESSAGE),
    ], className="d-flex gap-2 align-items-center flex-wrap mb-3") if user is not None and user.may("confirm_flags") \
        else None
    return html.Div([
        dcc.Store(id=ids.DQ_VERSION),
        html.Div(id=ids.DQ_HEADER),
        dbc.Row(dbc.Col(panel(t("dq.grid", lang), dcc.Graph(id=ids.DQ_GRID, **graph), ids.DQ_GRID_CAPTION),
                        className="mb-3")),
        dbc.Row([
            dbc.Col(panel(t("dq.rates", lang), grid(ids.DQ_RATES, 300, lang), None, "quality-rates", lang), lg=7,
                    className="mb-3"),
            dbc.Col(panel(t("dq.missing", lang, month=t("dq.latest_month", lang)), grid(ids.DQ_MISSING, 300, lang), None,
                          "quality-missing", lang),
                    lg=5, className="mb-3"),
        ]),
        confirm,
        dbc.Row(dbc.Col(panel(t("dq.outliers.title", lang), flags_grid(ids.DQ_OUTLIERS, lang), ids.DQ_OUTLIERS_CAPTION,
                              "quality-outliers", lang, title_id=ids.DQ_OUTLIERS_TITLE), className="mb-3")),
        dbc.Row(dbc.Col(panel(t("dq.series", lang), dcc.Graph(id=ids.DQ_SERIES, **graph)), className="mb-3")),
        dbc.Row(dbc.Col(panel(t("dq.consistency", lang), flags_grid(ids.DQ_CONSISTENCY, lang),
                              ids.DQ_CONSISTENCY_CAPTION, "quality-consistency",
                              lang), className="mb-3")),
    ])
