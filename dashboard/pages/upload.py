"""Upload (数据上报): the same files as `python -m etl load`, checked first, loaded on confirmation."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import auth, ids
from dashboard.components import dropdown, grid, panel
from dashboard.i18n import t
from warehouse.permissions import upload_kinds
from warehouse.roles import UPLOAD_KINDS

dash.register_page(__name__, path="/upload", title="数据上报 Upload · jiceng", order=7)


def layout(lang=None, **_):
    lang = "en" if lang == "en" else "zh"
    user = auth.current_user()
    if user is None or not user.may("upload"):
        return dbc.Alert(t("forbidden", lang), color="warning", className="mt-3")
    mine = upload_kinds(user)          # the templates this role may upload (the permission table)
    templates = [html.Span(t("up.templates", lang))] + [
        html.A(t(f"kind.{kind}", lang), href=f"/templates/{kind}.xlsx", className="me-2", download=f"{kind}.xlsx",
               title=f"{kind}.xlsx")
        for kind in UPLOAD_KINDS if kind in mine]
    return html.Div([
        html.Div(t("up.title", lang), className="page-title mb-2"),
        dcc.Store(id=ids.UP_TOKEN),
        dcc.Store(id=ids.UP_MODE),
        dcc.Interval(id=ids.UP_POLL, interval=1000, disabled=True),
        dcc.Download(id=ids.UP_REPORT_FILE),
        dbc.Card(dbc.CardBody([
            dcc.Upload(id=ids.UP_UPLOAD, multiple=True, children=html.Div(t("up.drop", lang)),
                       className="upload-drop", max_size=-1),
            html.Div(id=ids.UP_LIMITS, className="small text-muted mt-1"),
            html.Div(templates, className="small mt-2"),
        ]), className="mb-3"),
        html.Div(id=ids.UP_REPORT, className="mb-3"),
        html.Div([
            dbc.Button(t("up.load", lang), id=ids.UP_LOAD, color="primary", disabled=True, className="me-2"),
            dbc.Button(t("up.discard", lang), id=ids.UP_DISCARD, color="secondary", outline=True, className="me-2"),
            dbc.Button(t("up.report", lang), id=ids.UP_REPORT_DOWNLOAD, color="secondary", outline=True,
                       disabled=True),
        ], className="mb-3"),
        panel(t("up.history", lang), html.Div([
            grid(ids.UP_HISTORY, 300, lang),
            # kept but hidden for roles that roll back nothing: the history's callback reads them
            html.Div([dropdown(lang, id=ids.UP_ROLLBACK_BATCH, placeholder=t("up.rollback.pick", lang),
                                   style={"minWidth": "260px"}),
                      dbc.Button(t("up.rollback", lang), id=ids.UP_ROLLBACK, color="danger", outline=True, size="sm")],
                     className="d-flex gap-2 align-items-center mt-2",
                     style=None if user.may("rollback_own") or user.may("rollback_any") else {"display": "none"}),
            html.Div(id=ids.UP_ROLLBACK_MESSAGE, className="mt-2")])),
        versions_panel(lang) if user.may("restore_version") else None,
    ])


def versions_panel(lang: str):
    """Administrators: the kept warehouse versions, and restoring one as a new version."""
    return panel(t("up.versions", lang), html.Div([
        html.Div(t("up.versions.help", lang), className="small text-muted mb-2"),
        html.Div(id=ids.UP_VERSIONS),
        html.Div([dropdown(lang, id=ids.UP_RESTORE_VERSION, placeholder=t("up.restore.pick", lang),
                               style={"minWidth": "260px"}),
                  dbc.Button(t("up.restore", lang), id=ids.UP_RESTORE, color="danger", outline=True, size="sm")],
                 className="d-flex gap-2 align-items-center mt-2 flex-wrap"),
        html.Div(id=ids.UP_RESTORE_MESSAGE, className="mt-2")]))
