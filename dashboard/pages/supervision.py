"""Supervision preparation (督导准备): risk ranking, visit brief, route, and recording a visit."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import auth, data, ids
from dashboard.components import date_input, dropdown, grid, panel
from dashboard.i18n import t
from warehouse.queries.supervision import VISITED_TYPES as TYPES

dash.register_page(__name__, path="/supervision", title="督导准备 Supervision · jiceng", order=4)


def layout(lang=None, types=None, **_):
    lang = "en" if lang == "en" else "zh"
    user = auth.current_user()
    if user is None or not user.may("supervise"):
        return dbc.Alert(t("forbidden", lang), color="warning", className="mt-3")
    chosen_types = [k for k in (types or "").split(",") if k in TYPES] or list(TYPES)
    ranking = grid(ids.SUP_RANKING, 420, lang)
    ranking.dashGridOptions = {**ranking.dashGridOptions, "rowSelection": {"mode": "multiRow"}}
    actions = html.Div([
        html.Span(id=ids.SUP_SELECTED, className="me-2"),
        dbc.Button(t("sup.pdf", lang), id=ids.SUP_PDF, color="primary", size="sm"),
        dbc.Button(t("sup.xlsx", lang), id=ids.SUP_XLSX, color="secondary", outline=True, size="sm"),
        html.A(t("sup.print", lang), id=ids.SUP_PRINT, href="#", target="_blank", className="btn btn-sm btn-link"),
        html.Div(id=ids.SUP_MESSAGE),
    ], className="d-flex gap-2 align-items-center flex-wrap mb-3")
    record = dbc.Row([
        dbc.Col(dropdown(lang, id=ids.SUP_REC_FACILITY, placeholder=t("sup.record.facility", lang)), md=3),
        dbc.Col(date_input(ids.SUP_REC_DATE, lang, t("sup.record.date", lang)), md=2),
        dbc.Col(dropdown(lang, id=ids.SUP_REC_KIND, value="常规督导", clearable=False,
                             options=[{"label": t(f"inspection.{k}", lang), "value": v} for k, v in (
                                 ("routine", "常规督导"), ("special", "专项检查"), ("unannounced", "飞行检查"))]), md=2),
        dbc.Col(dbc.Input(id=ids.SUP_REC_SCORE, type="number", min=0, max=100,
                          placeholder=t("sup.record.score", lang)), md=1),
        dbc.Col(date_input(ids.SUP_REC_RECTIFY, lang, t("sup.record.rectify_by", lang)), md=2),
        dbc.Col(dbc.Button(t("sup.record.save", lang), id=ids.SUP_REC_SAVE, color="success"), md=2),
        dbc.Col(dbc.Textarea(id=ids.SUP_REC_FINDINGS, placeholder=t("sup.record.findings", lang), className="mt-2",
                             maxLength=data.max_findings_chars()),
                md=12),
        dbc.Col(html.Div(id=ids.SUP_REC_MESSAGE, className="mt-2"), md=12),
    ], className="g-2")
    return html.Div([
        html.Div(id=ids.SUP_HEADER),
        # a phone shows the first facilities as cards (score, reasons, last visit, a brief each);
        # a wider screen the whole ranking, to tick facilities for a route
        panel(t("sup.ranking", lang), html.Div([html.Div(ranking, className="d-none d-sm-block"),
                                                html.Div(id=ids.SUP_CARDS, className="d-sm-none")]),
              ids.SUP_RANKING_CAPTION,
              extra=dcc.Checklist(id=ids.SUP_TYPE, value=chosen_types, inline=True, inputClassName="me-1",
                                  labelClassName="me-3",
                                  options=[{"label": t(f"type.short.{k}", lang), "value": k} for k in TYPES])),
        html.Div(className="mb-3"),
        actions,
        dbc.Row([
            dbc.Col(panel(t("sup.route", lang), dcc.Graph(id=ids.SUP_MAP, config={"displayModeBar": False})), lg=6,
                    className="mb-3"),
            dbc.Col(panel(t("sup.route", lang), grid(ids.SUP_ROUTE, 300, lang)), lg=6, className="mb-3"),
        ]),
        panel(t("sup.record", lang), record),
        dcc.Download(id=ids.SUP_DOWNLOAD),
    ])
