"""Analysis (数据分析): any indicators × areas × periods as a pivot table, a chart or a township map;
the view lives in the URL and can be saved as a favourite. Layout only: the URL's values are
clamped to their forms here (dashboard.analysis_view) and checked against the registry and the
user's districts by the callbacks."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import auth, ids
from dashboard.analysis_view import CHARTS, DIMENSIONS, PERIOD_CHOICES, read_view
from dashboard.components import dropdown, grid, panel
from dashboard.i18n import t
from warehouse.accounts import MAX_FAVOURITE_NAME
from warehouse.periods import KINDS
from warehouse.queries.analysis import LEVELS

dash.register_page(__name__, path="/analysis", title="数据分析 Analysis · jiceng", order=6)


def _field(label: str, control, **col) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small text-muted mb-1 d-block"), control], className="mb-2", **col)


def _radio(component_id, value, options) -> dbc.RadioItems:
    return dbc.RadioItems(id=component_id, value=value, inline=True, options=options,
                          className="btn-group btn-group-sm analysis-choice", inputClassName="btn-check",
                          labelClassName="btn btn-outline-primary btn-sm", labelCheckedClassName="active")


def layout(lang=None, **query):
    lang = "en" if lang == "en" else "zh"
    view = read_view(query)
    user = auth.current_user()
    # the city is every district: offered to those who see them all (the query refuses it to others)
    levels = [lv for lv in LEVELS if lv != "city" or (user is not None and user.scope.districts is None)]
    level = view.level if view.level in levels else "district"
    dimensions = [{"label": t(f"ana.dim.{d}", lang), "value": d} for d in DIMENSIONS]
    controls = dbc.Row([
        _field(t("ana.indicators", lang), dropdown(lang, id=ids.ANA_INDICATORS, multi=True, value=list(view.indicators)),
               xs=12),
        _field(t("ana.level", lang), _radio(ids.ANA_LEVEL, level,
                                            [{"label": t(f"level.{lv}", lang), "value": lv} for lv in levels]), xs=12),
        _field(t("ana.areas", lang), dropdown(lang, id=ids.ANA_AREAS, multi=True, value=list(view.areas),
                                              placeholder=t("ana.areas.all", lang)), xs=12),
        _field(t("ana.periods", lang), dropdown(lang, id=ids.ANA_RELATIVE, value=view.relative, clearable=False,
                                                searchable=False,
                                                options=[{"label": t(f"ana.relative.{p}", lang), "value": p}
                                                         for p in PERIOD_CHOICES]), xs=12),
        dbc.Col(html.Div([
            _radio(ids.ANA_KIND, view.kind, [{"label": t(f"filter.kind.{k}", lang), "value": k} for k in KINDS]),
            dropdown(lang, id=ids.ANA_PERIODS, multi=True, value=list(view.periods),
                     placeholder=t("ana.periods.pick", lang), className="mt-2"),
        ], id=ids.ANA_FIXED, className="mb-2", style=None if view.relative == "fixed" else {"display": "none"}), xs=12),
        _field(t("ana.rows", lang), dropdown(lang, id=ids.ANA_ROWS, value=view.rows, clearable=False, searchable=False,
                                             options=dimensions), xs=6),
        _field(t("ana.cols", lang), dropdown(lang, id=ids.ANA_COLS, value=view.cols, clearable=False, searchable=False,
                                             options=dimensions), xs=6),
        _field(t("ana.view", lang), _radio(ids.ANA_VIEW, view.view,
                                           [{"label": t(f"ana.view.{c}", lang), "value": c} for c in CHARTS]), xs=12),
    ], className="g-2")
    favourites = html.Div([
        html.Div(id=ids.ANA_FAV_LIST, className="mb-2"),
        dbc.InputGroup([
            dbc.Input(id=ids.ANA_FAV_NAME, maxLength=MAX_FAVOURITE_NAME, placeholder=t("ana.fav.name", lang)),
            dbc.Button(t("ana.fav.save", lang), id=ids.ANA_FAV_SAVE, color="primary"),
        ], size="sm", className="mb-2"),
        html.Div([
            dropdown(lang, id=ids.ANA_FAV_PICK, placeholder=t("ana.fav.pick", lang), className="flex-grow-1"),
            dbc.Button(t("ana.fav.delete", lang), id=ids.ANA_FAV_DELETE, color="danger", outline=True, size="sm"),
        ], className="d-flex gap-2 align-items-center"),
        html.Div(id=ids.ANA_FAV_MESSAGE, className="small mt-2"),
    ])
    result = html.Div([
        html.Div(id=ids.ANA_MESSAGE),
        html.Div(grid(ids.ANA_TABLE, 480, lang), id=ids.ANA_TABLE_BOX),
        html.Div(dcc.Graph(id=ids.ANA_GRAPH, config={"displayModeBar": False}), id=ids.ANA_GRAPH_BOX,
                 style={"display": "none"}),
    ])
    return html.Div([
        # a dropdown drops a value its options do not hold yet: the link's choices wait here for them
        dcc.Store(id=ids.ANA_INITIAL, data={"indicators": list(view.indicators), "areas": list(view.areas),
                                            "periods": list(view.periods)}),
        html.Div([html.Div(t("ana.title", lang), className="page-title")], id=ids.ANA_HEADER),
        dbc.Row([
            dbc.Col(panel(t("ana.choose", lang), controls), lg=4, className="mb-3"),
            dbc.Col(panel(t("ana.result", lang), result, ids.ANA_CAPTION, "analysis-pivot", lang), lg=8,
                    className="mb-3"),
        ]),
        # under the result (on a phone the result comes right after the choices)
        dbc.Row(dbc.Col(panel(t("ana.favourites", lang), favourites), lg=6, className="mb-3")),
    ])
