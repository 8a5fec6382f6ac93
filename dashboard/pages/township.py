"""Township profile (街道/乡镇档案): one street or town, as planners compare them; every
township name links here."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components import dropdown, grid, panel
from dashboard.i18n import t

dash.register_page(__name__, path_template="/township/<code>", title="街道乡镇档案 Township · jiceng", order=6)


def layout(code=None, lang=None, indicator_trend=None, **_):
    lang = "en" if lang == "en" else "zh"
    graph = {"config": {"displayModeBar": False}}
    return html.Div([
        dcc.Store(id=ids.TP_CODE, data=code),
        html.Div(id=ids.TP_HEADER),
        dbc.Row(id=ids.TP_TILES),
        dbc.Row(dbc.Col(panel(t("tp.indicators", lang), grid(ids.TP_INDICATORS_TABLE, 420, lang),
                              ids.TP_INDICATORS_CAPTION, "township-indicators", lang), className="mb-3")),
        dbc.Row([
            dbc.Col(panel(t("tp.trend", lang), dcc.Graph(id=ids.TP_TREND_GRAPH, **graph), ids.TP_TREND_CAPTION,
                          extra=dropdown(lang, id=ids.TP_TREND_INDICATOR, value=indicator_trend, clearable=False,
                                         style={"minWidth": "240px"})), lg=6, className="mb-3"),
            dbc.Col(panel(t("cov.trend", lang), dcc.Graph(id=ids.TP_COVERAGE_GRAPH, **graph), ids.TP_COVERAGE_CAPTION,
                          "township-coverage-trend", lang), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(panel(t("tp.facilities", lang), grid(ids.TP_FACILITIES_TABLE, 300, lang), ids.TP_FACILITIES_CAPTION,
                          "township-facilities", lang), lg=6, className="mb-3"),
            dbc.Col(panel(t("tp.gaps", lang), grid(ids.TP_GAPS_TABLE, 300, lang), ids.TP_GAPS_CAPTION,
                          "township-gaps", lang), lg=6, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(panel(t("tp.findings", lang), grid(ids.TP_FINDINGS_TABLE, 300, lang), ids.TP_FINDINGS_CAPTION,
                              "township-findings", lang), className="mb-3")),
    ])
