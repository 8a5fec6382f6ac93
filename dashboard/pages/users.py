"""User management (用户管理), for administrators only: accounts, roles, districts, audit log."""
import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import auth, ids
from dashboard.components import date_input, dropdown, grid, panel
from dashboard.i18n import t
from warehouse.accounts import ROLES

dash.register_page(__name__, path="/admin/users", title="用户管理 Users · jiceng", order=9)


def layout(lang=None, **_):
    lang = "en" if lang == "en" else "zh"
    user = auth.current_user()
    if user is None or not user.may("manage_users"):
        return dbc.Alert(t("forbidden", lang), color="warning", className="mt-3")
    form = dbc.Row([
        dbc.Col(dbc.Input(id=ids.USERS_NAME, placeholder=t("users.username", lang)), md=2),
        dbc.Col(dbc.Input(id=ids.USERS_DISPLAY, placeholder=t("users.display", lang)), md=2),
        dbc.Col(dropdown(lang, id=ids.USERS_ROLE, value="bureau", clearable=False,
                             options=[{"label": t(f"role.{r}", lang), "value": r} for r in ROLES]), md=2),
        dbc.Col(dropdown(lang, id=ids.USERS_DISTRICTS, multi=True, placeholder=t("users.districts", lang)), md=4),
        dbc.Col(dbc.Button(t("users.add", lang), id=ids.USERS_ADD, color="primary"), md=2),
    ], className="g-2")
    actions = html.Div([
        dropdown(lang, id=ids.USERS_TARGET, placeholder=t("users.username", lang), style={"minWidth": "220px"}),
        dbc.Button(t("users.disable", lang), id=ids.USERS_DISABLE, color="danger", outline=True, size="sm"),
        dbc.Button(t("users.enable", lang), id=ids.USERS_ENABLE, color="success", outline=True, size="sm"),
        dbc.Button(t("users.reset", lang), id=ids.USERS_RESET, color="secondary", outline=True, size="sm"),
    ], className="d-flex flex-wrap gap-2 align-items-center mt-3")
    return html.Div([
        html.Div([html.Div(t("nav.users", lang), className="page-title")], id=ids.USERS_HEADER),
        html.Div(id=ids.USERS_MESSAGE, className="my-2"),
        dbc.Card(dbc.CardBody([form, actions]), className="mb-3"),
        panel(t("users.list", lang), grid(ids.USERS_TABLE, 300, lang)),
        html.Div(className="mb-3"),
        panel(t("users.audit", lang), html.Div([audit_filters(lang), grid(ids.USERS_AUDIT, 360, lang)]),
              ids.USERS_AUDIT_CAPTION, extra=audit_exports(lang)),
    ])


def audit_filters(lang):
    return dbc.Row([
        dbc.Col(dropdown(lang, id=ids.USERS_AUDIT_USER, placeholder=t("users.audit.user", lang)), md=2, xs=6),
        dbc.Col(dropdown(lang, id=ids.USERS_AUDIT_ACTION, placeholder=t("users.audit.action", lang)), md=2, xs=6),
        dbc.Col(dbc.InputGroup([dbc.InputGroupText(t("users.audit.from", lang)),
                                date_input(ids.USERS_AUDIT_FROM, lang)], size="sm"), md=2, xs=6),
        dbc.Col(dbc.InputGroup([dbc.InputGroupText(t("users.audit.to", lang)),
                                date_input(ids.USERS_AUDIT_TO, lang)], size="sm"), md=2, xs=6),
        dbc.Col(dbc.Input(id=ids.USERS_AUDIT_TEXT, placeholder=t("users.audit.text", lang), debounce=True,
                          maxLength=100), md=4),
    ], className="g-2 mb-2")


def audit_exports(lang):
    return html.Div([
        dbc.ButtonGroup([
            dbc.Button(t("export.xlsx", lang), id=ids.USERS_AUDIT_XLSX, size="sm", color="secondary", outline=True),
            dbc.Button(t("export.csv", lang), id=ids.USERS_AUDIT_CSV, size="sm", color="secondary", outline=True),
        ], size="sm"),
        dcc.Download(id=ids.USERS_AUDIT_DOWNLOAD),
    ])
