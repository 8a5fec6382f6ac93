"""Facility profile (机构档案): one CHC, CHS, THC or village clinic; every page links here."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components import dropdown, grid, panel, with_info_link
from dashboard.i18n import t

dash.register_page(__name__, path_template="/facility/<code>", title="机构档案 Facility · jiceng", order=5)


def layout(code=None, lang=None, trend=None, **_):
    lang = "en" if lang == "en" else "zh"
    graph = {"config": {"displayModeBar": False}}
    return html.Div([
        dcc.Store(id=ids.FAC_CODE, data=code),
        dbc.Row([
            dbc.Col([html.Div(id=ids.FAC_HEADER), html.Div(id=ids.FAC_FACTS)], lg=8),
            dbc.Col(dbc.Card(dcc.Graph(id=ids.FAC_MAP, **graph), className="mb-3"), lg=4),
        ]),
        dbc.Row(dbc.Col(panel(t("fac.indicators", lang), grid(ids.FAC_INDICATORS_TABLE, 420, lang),
                              ids.FAC_INDICATORS_CAPTION, "facility-indicators", lang), className="mb-3")),
        dbc.Row(dbc.Col(panel(t("fac.trend", lang), dcc.Graph(id=ids.FAC_TREND_GRAPH, **graph), ids.FAC_TREND_CAPTION,
                              extra=with_info_link(dropdown(lang, id=ids.FAC_TREND_INDICATOR, value=trend,
                                                                clearable=False, style={"minWidth": "260px"}),
                                                   ids.FAC_TREND_INFO, lang)), className="mb-3")),
        dbc.Row([
            dbc.Col(panel(t("fac.calendar", lang), dcc.Graph(id=ids.FAC_CALENDAR_GRAPH, **graph),
                          ids.FAC_CALENDAR_CAPTION), lg=6, className="mb-3"),
            dbc.Col(panel(t("fac.warnings", lang), grid(ids.FAC_WARNINGS_TABLE, 260, lang), None,
                          "facility-warnings", lang), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(panel(t("fac.history", lang), grid(ids.FAC_HISTORY_TABLE, 260, lang)), lg=5, className="mb-3"),
            dbc.Col(panel(t("fac.inspections", lang), grid(ids.FAC_INSPECTIONS_TABLE, 260, lang), ids.FAC_INSPECTIONS_CAPTION,
                          "facility-inspections", lang), lg=7, className="mb-3"),
        ]),
    ])
