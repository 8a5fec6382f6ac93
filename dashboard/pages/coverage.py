"""Coverage map (覆盖地图): the 15-minute service circle and where to build next."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import data, ids
from dashboard.components import dropdown, grid, panel
from dashboard.figures.coverage import METRICS
from dashboard.i18n import t
from warehouse.geometry import DEFAULT_RADIUS_M, MAX_RADIUS_M, MIN_RADIUS_M
from warehouse.queries.coverage import AREA_KINDS, MAX_SITES, SITE_CANDIDATES

dash.register_page(__name__, path="/coverage", title="覆盖地图 Coverage · jiceng", order=1)


def _int(value, default, low, high):
    try:
        return min(max(int(float(value)), low), high)
    except (TypeError, ValueError, OverflowError):      # OverflowError: ?sites=inf
        return default


def _labelled(label: str, control):
    return html.Div([html.Label(label, className="small me-1 text-nowrap"), control],
                    className="d-flex align-items-center")


def layout(lang=None, metric=None, radius=None, site_district=None, sites=None, site_kind=None, site_candidates=None,
           site_file=None, **_):
    lang = "en" if lang == "en" else "zh"
    default_radius = int(data.file_setting("coverage.radius_m", DEFAULT_RADIUS_M))
    controls = dbc.Row([
        dbc.Col([html.Label(t("cov.metric", lang), className="form-label small"),
                 dropdown(lang, id=ids.COV_METRIC, clearable=False,
                              value=metric if metric in METRICS else "covered_share",
                              options=[{"label": t(f"cov.metric.{m}", lang), "value": m} for m in METRICS])],
                md=5),
        dbc.Col([html.Label(t("cov.radius", lang), className="form-label small"),
                 dcc.Slider(id=ids.COV_RADIUS, min=MIN_RADIUS_M, max=MAX_RADIUS_M, step=100,
                            value=_int(radius, default_radius, MIN_RADIUS_M, MAX_RADIUS_M),
                            marks={m: f"{m}" for m in range(MIN_RADIUS_M, MAX_RADIUS_M + 1, 400)},
                            updatemode="mouseup", tooltip={"placement": "bottom"}),
                 html.Small(t("cov.radius.help", lang), className="text-muted")], md=7),
    ], className="g-3")
    sites_controls = html.Div([
        _labelled(t("cov.sites.district", lang), dropdown(lang, id=ids.COV_SITE_DISTRICT, value=site_district,
                                                          clearable=True, style={"minWidth": "140px"})),
        _labelled(t("cov.sites.kind", lang), dropdown(
            lang, id=ids.COV_SITE_KIND, value=site_kind if site_kind in AREA_KINDS else AREA_KINDS[0],
            clearable=False, searchable=False, style={"minWidth": "170px"},
            options=[{"label": t(f"cov.sites.kind.{kind}", lang), "value": kind} for kind in AREA_KINDS])),
        _labelled(t("cov.sites.candidates", lang), dropdown(
            lang, id=ids.COV_SITE_CANDIDATES, clearable=False, searchable=False, style={"minWidth": "190px"},
            value=site_candidates if site_candidates in SITE_CANDIDATES else SITE_CANDIDATES[0],
            options=[{"label": t(f"cov.sites.candidates.{kind}", lang), "value": kind} for kind in SITE_CANDIDATES])),
        _labelled(t("cov.sites.count", lang), dropdown(
            lang, id=ids.COV_SITE_COUNT, value=_int(sites, 3, 1, MAX_SITES), clearable=False, searchable=False,
            options=[{"label": str(k), "value": k} for k in range(1, MAX_SITES + 1)], style={"width": "80px"})),
    ], className="d-flex align-items-center flex-wrap gap-2")
    return html.Div([
        html.Div(id=ids.COV_HEADER),
        dbc.Card(dbc.CardBody(controls), className="mb-3"),
        dbc.Row(id=ids.COV_SUMMARY),
        dbc.Card([dcc.Graph(id=ids.COV_MAP, config={"displaylogo": False, "scrollZoom": True}),
                  html.Small(id=ids.COV_MAP_CAPTION, className="text-muted px-3 pb-2")], className="mb-3"),
        dbc.Row(dbc.Col(panel(t("cov.trend", lang), dcc.Graph(id=ids.COV_TREND_GRAPH, config={"displayModeBar": False}),
                              ids.COV_TREND_CAPTION, "coverage-trend", lang), className="mb-3")),
        dbc.Row([
            dbc.Col(panel(t("cov.table", lang), grid(ids.COV_TABLE, 340, lang), ids.COV_TABLE_CAPTION, "coverage-areas",
                          lang), lg=7, className="mb-3"),
            dbc.Col(panel(t("cov.uncovered", lang), grid(ids.COV_UNCOVERED_TABLE, 340, lang), ids.COV_UNCOVERED_CAPTION,
                          "coverage-uncovered", lang), lg=5, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(panel(t("cov.sites", lang), html.Div([
            html.P(t("cov.sites.help", lang), className="small text-muted"),
            # the planner's own candidate sites (候选位置: 上传的名单): shown when that choice is made
            html.Div([
                dcc.Upload(id=ids.COV_SITE_UPLOAD, children=html.Div(t("cov.sites.file.drop", lang)),
                           className="upload-drop mb-1", max_size=-1),
                dcc.Input(id=ids.COV_SITE_FILE, type="hidden", value=site_file if isinstance(site_file, str) else None),
                html.Div(id=ids.COV_SITE_FILE_STATUS, className="small mb-2"),
            ], id=ids.COV_SITE_UPLOAD_DIV, style={"display": "none"}),
            html.Div(id=ids.COV_SITES_SUMMARY, className="mb-2"),
            grid(ids.COV_SITES_TABLE, 260, lang)]), ids.COV_SITES_CAPTION, "coverage-sites", lang,
            extra=sites_controls))),
    ])
