"""Standardization progress (标准化建设进度): the 20/40/60/90% milestones, who is behind, what is missing."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components import grid, panel
from dashboard.i18n import t

dash.register_page(__name__, path="/standardization", title="标准化建设 Standardization · jiceng", order=2)


def layout(lang=None, **_):
    lang = "en" if lang == "en" else "zh"
    graph = {"config": {"displayModeBar": False}}
    return html.Div([
        html.Div(id=ids.STD_HEADER),
        dbc.Row(id=ids.STD_TILES),
        dbc.Row([
            dbc.Col(panel(t("std.trend", lang), dcc.Graph(id=ids.STD_TREND_GRAPH, **graph), ids.STD_TREND_CAPTION),
                    lg=7, className="mb-3"),
            dbc.Col(panel(t("std.table", lang), grid(ids.STD_MILESTONE_TABLE, 300, lang), None, "standardization-milestones",
                          lang), lg=5, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(panel(t("std.projection", lang), html.Div([
            html.Ul(id=ids.STD_PROJECTION, className="mb-3"),
            grid(ids.STD_COMPARE_TABLE, 260, lang)]), ids.STD_COMPARE_CAPTION, "standardization-compare", lang),
            className="mb-3")),
        dbc.Row(dbc.Col(panel(t("std.gaps", lang), grid(ids.STD_GAP_TABLE, 320, lang), ids.STD_GAP_CAPTION,
                              "standardization-gaps", lang), className="mb-3")),
        dbc.Row([
            dbc.Col(panel(t("std.stars", lang), dcc.Graph(id=ids.STD_STARS_GRAPH, **graph)), lg=7, className="mb-3"),
            dbc.Col(panel(t("std.lost_table", lang), grid(ids.STD_LOST_TABLE, 300, lang), ids.STD_LOST_CAPTION,
                          "standardization-lost",
                          lang), lg=5, className="mb-3"),
        ]),
    ])
