"""User management callbacks: every action is checked against the session's user on the server
(and again by warehouse.accounts, which refuses non-admin actors)."""
from __future__ import annotations

from dash import Input, Output, State, callback, ctx, html, no_update

from dashboard import auth, data, ids
from dashboard.components import column_defs
from dashboard.i18n import t
from warehouse.accounts import AccountError, random_password
from warehouse.queries import areas


def _admin():
    user = auth.current_user()
    return user if user is not None and user.may("manage_users") else None


@callback(Output(ids.USERS_DISTRICTS, "options"), Input(ids.LANG, "data"))
def district_options(lang):
    if _admin() is None:
        return []
    frame = areas.area_options(data.cursor(), data.current_scope())
    return [{"label": r.name, "value": r.code} for r in frame[frame["level"] == "district"].itertuples()]


@callback(
    Output(ids.USERS_TABLE, "rowData"), Output(ids.USERS_TABLE, "columnDefs"), Output(ids.USERS_TARGET, "options"),
    Output(ids.USERS_AUDIT, "rowData"), Output(ids.USERS_AUDIT, "columnDefs"), Output(ids.USERS_MESSAGE, "children"),
    Input(ids.LANG, "data"), Input(ids.USERS_ADD, "n_clicks"), Input(ids.USERS_DISABLE, "n_clicks"),
    Input(ids.USERS_ENABLE, "n_clicks"), Input(ids.USERS_RESET, "n_clicks"),
    State(ids.USERS_NAME, "value"), State(ids.USERS_DISPLAY, "value"), State(ids.USERS_ROLE, "value"),
    State(ids.USERS_DISTRICTS, "value"), State(ids.USERS_TARGET, "value"),
)
def manage_users(lang, _add, _disable, _enable, _reset, username, display, role, districts, target):
    admin = _admin()
    if admin is None:
        return [], [], [], [], [], html.Div(t("forbidden", lang))
    store = auth.accounts()
    message = None
    try:
        if ctx.triggered_id == ids.USERS_ADD:
            password = random_password()
            store.add_user(username, password, role, districts or [], display, actor=admin,
                           known_districts=areas.district_codes(data.cursor()))
            auth.audit("user_add", f"{username} {role} {','.join(districts or [])}")
            message = _password_notice(lang, username, password)
        elif ctx.triggered_id in (ids.USERS_DISABLE, ids.USERS_ENABLE) and target:
            store.set_disabled(target, ctx.triggered_id == ids.USERS_DISABLE, actor=admin)
            auth.audit("user_disable" if ctx.triggered_id == ids.USERS_DISABLE else "user_enable", target)
            message = html.Div(t("users.done", lang), className="alert alert-success")
        elif ctx.triggered_id == ids.USERS_RESET and target:
            password = random_password()
            store.set_password(target, password, actor=admin)
            auth.audit("user_password_reset", target)
            message = _password_notice(lang, target, password)
    except AccountError as refused:
        message = html.Div(t(f"users.error.{refused.code}", lang), className="alert alert-danger")
    users = store.list_users(actor=admin)
    rows = [{"username": u.username, "display_name": u.display_name, "role": t(f"role.{u.role}", lang),
             "districts": ", ".join(u.districts) or "—", "state": t("users.disabled" if u.disabled else "users.active", lang)}
            for u in users]
    columns = [("username", t("users.username", lang), "text"), ("display_name", t("users.display", lang), "text"),
               ("role", t("users.role", lang), "text"), ("districts", t("users.districts", lang), "text"),
               ("state", t("users.state", lang), "text")]
    audit_columns = [("at", t("users.at", lang), "text"), ("username", t("users.username", lang), "text"),
                     ("action", t("users.action", lang), "text"), ("detail", t("users.detail", lang), "text"),
                     ("remote_addr", "IP", "text")]
    return (rows, column_defs(columns), [{"label": u.username, "value": u.username} for u in users],
            store.audit_entries(actor=admin), column_defs(audit_columns), message if message is not None else no_update)


def _password_notice(lang, username, password):
    return html.Div([t("users.password_once", lang, username=username), html.Code(password, id="users-new-password")],
                    className="alert alert-info")
