"""Overview (总览): where the selected area stands in the selected period."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components import dropdown, grid, panel, with_info_link
from dashboard.i18n import t

dash.register_page(__name__, path="/", title="总览 Overview · jiceng", order=0)


def layout(lang=None, indicator=None, **_):
    lang = "en" if lang == "en" else "zh"
    return html.Div([
        html.Div(id=ids.OV_HEADER),
        dbc.Row(id=ids.OV_TILES),
        dbc.Row(dbc.Col(panel(t("ov.lagging", lang), html.Div(id=ids.OV_LAGGING), ids.OV_LAGGING_CAPTION),
                        className="mb-3")),
        dbc.Row([
            dbc.Col(panel(t("ov.worst", lang), grid(ids.OV_WORST_TABLE, 330, lang), ids.OV_WORST_CAPTION,
                          "overview-indicators", lang), lg=7, className="mb-3"),
            dbc.Col(panel(t("ov.trend", lang), dcc.Graph(id=ids.OV_TREND_GRAPH, config={"displayModeBar": False}),
                          ids.OV_TREND_CAPTION), lg=5, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(panel(
            t("ov.ranking.indicator", lang),
            dcc.Graph(id=ids.OV_RANK_GRAPH, config={"displayModeBar": False}),
            ids.OV_RANK_CAPTION,
            extra=with_info_link(dropdown(lang, id=ids.OV_RANK_INDICATOR, value=indicator, clearable=False,
                                              style={"minWidth": "260px"}), ids.OV_RANK_INFO, lang),
        ), className="mb-3")),
        dbc.Row(dbc.Col(panel(t("ov.overdue_list", lang), grid(ids.OV_OVERDUE_TABLE, 300, lang), ids.OV_OVERDUE_CAPTION,
                              "overview-overdue", lang, anchor="overdue"), className="mb-3")),
        dbc.Row(dbc.Col(panel(t("ana.favourites", lang), html.Div(id=ids.OV_FAVOURITES)))),
    ])
