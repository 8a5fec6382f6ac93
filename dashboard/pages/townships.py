"""Township comparison (乡镇/街道对比): where planners decide where money and staff go next."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components import dropdown, grid, panel, with_info_link
from dashboard.i18n import t
from warehouse.queries.comparison import MAX_COMPARED
from warehouse.queries.comparison import SCATTER_RESOURCES as RESOURCES

dash.register_page(__name__, path="/townships", title="乡镇对比 Townships · jiceng", order=3)



def layout(lang=None, rank=None, compare=None, per=None, resource=None, outcome=None, ranking=None, **_):
    lang = "en" if lang == "en" else "zh"
    graph = {"config": {"displayModeBar": False}}
    chosen = [c for c in (compare or "").split(",") if c][:MAX_COMPARED]
    side_controls = html.Div([
        dropdown(lang, id=ids.CMP_SELECTED, multi=True, value=chosen, placeholder=t("cmp.side.pick", lang),
                     style={"minWidth": "320px"}),
        dbc.RadioItems(id=ids.CMP_PER, value=per if per in ("raw", "per10k") else "raw", inline=True,
                       options=[{"label": t("cmp.per.raw", lang), "value": "raw"},
                                {"label": t("cmp.per.per10k", lang), "value": "per10k"}]),
    ], className="d-flex gap-3 align-items-center flex-wrap")
    scatter_controls = html.Div([
        html.Label(t("cmp.resource", lang), className="small"),
        dropdown(lang, id=ids.CMP_RESOURCE, clearable=False, value=resource if resource in RESOURCES else RESOURCES[0],
                     options=[{"label": t(f"cmp.resource.{r}", lang), "value": r} for r in RESOURCES],
                     style={"minWidth": "200px"}),
        html.Label(t("cmp.outcome", lang), className="small"),
        with_info_link(dropdown(lang, id=ids.CMP_OUTCOME, clearable=False, value=outcome, style={"minWidth": "220px"}),
                       ids.CMP_OUTCOME_INFO, lang),
    ], className="d-flex gap-2 align-items-center flex-wrap")
    return html.Div([
        dcc.Store(id=ids.CMP_INITIAL, data=chosen),
        dcc.Store(id=ids.CMP_PHONE),
        html.Div(id=ids.CMP_HEADER),
        dbc.Row(dbc.Col(panel(t("cmp.scorecard.title", lang),
                              html.Div(id=ids.CMP_SCORECARD_HOLDER, style={"minHeight": "460px"}),
                              ids.CMP_SCORECARD_CAPTION, "townships-scorecard", lang, anchor="townships-scorecard-card",
                              title_id=ids.CMP_SCORECARD_TITLE),
                        className="mb-3")),
        dbc.Row(dbc.Col(panel(t("cmp.ranking", lang), dcc.Graph(id=ids.CMP_RANK_GRAPH, **graph), ids.CMP_RANK_CAPTION,
                              extra=html.Div([
                                  with_info_link(dropdown(lang, id=ids.CMP_RANK_INDICATOR, value=rank, clearable=False,
                                                          style={"minWidth": "240px"}), ids.CMP_RANK_INFO, lang),
                                  # a long ranking draws its ends; every township on request
                                  dcc.Checklist(id=ids.CMP_RANK_ALL, value=["all"] if ranking == "all" else [],
                                                style={"display": "none"},     # until the ranking is known long
                                                options=[{"label": t("cmp.ranking.all", lang), "value": "all"}],
                                                inputClassName="me-1")],
                                  className="d-flex gap-3 align-items-center flex-wrap")), className="mb-3")),
        dbc.Row(dbc.Col(panel(t("cmp.side", lang), html.Div([
            side_controls, html.Div(className="mb-2"), grid(ids.CMP_SIDE_TABLE, 420, lang),
            html.H6(t("cmp.multiples", lang), className="mt-3"), dcc.Graph(id=ids.CMP_MULTIPLES, **graph)]),
            ids.CMP_SIDE_CAPTION, "townships-side", lang), className="mb-3")),
        dbc.Row(dbc.Col(panel(t("cmp.scatter", lang), dcc.Graph(id=ids.CMP_SCATTER, **graph), ids.CMP_SCATTER_CAPTION,
                              extra=scatter_controls), className="mb-3")),
    ])
