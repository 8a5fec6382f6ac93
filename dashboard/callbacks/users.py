"""User management callbacks: every action is checked against the session's user on the server
(and again by warehouse.accounts, which refuses non-admin actors)."""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import auth, data, ids
from dashboard.components import column_defs
from dashboard.i18n import label, t
from dashboard.tables import to_file
from warehouse.accounts import AUDIT_EXPORT_LIMIT, AccountError, random_password
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
    Output(ids.USERS_MESSAGE, "children"),
    Input(ids.LANG, "data"), Input(ids.USERS_ADD, "n_clicks"), Input(ids.USERS_DISABLE, "n_clicks"),
    Input(ids.USERS_ENABLE, "n_clicks"), Input(ids.USERS_RESET, "n_clicks"),
    State(ids.USERS_NAME, "value"), State(ids.USERS_DISPLAY, "value"), State(ids.USERS_ROLE, "value"),
    State(ids.USERS_DISTRICTS, "value"), State(ids.USERS_TARGET, "value"),
)
def manage_users(lang, _add, _disable, _enable, _reset, username, display, role, districts, target):
    admin = _admin()
    if admin is None:
        return [], [], [], html.Div(t("forbidden", lang))
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
    return (rows, column_defs(columns, rows), [{"label": u.username, "value": u.username} for u in users],
            message if message is not None else no_update)


AUDIT_SHOWN = 200
AUDIT_FILTERS = (Input(ids.USERS_AUDIT_USER, "value"), Input(ids.USERS_AUDIT_ACTION, "value"),
                 Input(ids.USERS_AUDIT_FROM, "date"), Input(ids.USERS_AUDIT_TO, "date"),
                 Input(ids.USERS_AUDIT_TEXT, "value"))


def _audit_columns(lang):
    return [("at", t("users.at", lang), "text"), ("username", t("users.username", lang), "text"),
            ("action", t("users.action", lang), "text"), ("detail", t("users.detail", lang), "text"),
            ("scope", t("users.scope", lang), "text"), ("remote_addr", "IP", "text")]


def local_time(iso: str | None) -> str:
    """'2026-11-25T19:50:58+00:00' as the bureau reads it: '2026-11-25 19:50:58' (the stored time)."""
    return str(iso or "").replace("T", " ")[:19]


def _audit_entries(admin, limit, username, action, since, until, text):
    """The filtered log; a date that is not one (typed by hand) filters nothing rather than failing."""
    dates = [d if isinstance(d, str) and _is_date(d) else None for d in (since, until)]
    return auth.accounts().audit_entries(limit, actor=admin, username=username or None, action=action or None,
                                         since=dates[0], until=dates[1], text=text or None)


def _is_date(value: str) -> bool:
    from datetime import date
    try:
        date.fromisoformat(value)
        return len(value) == 10
    except ValueError:
        return False


@callback(Output(ids.USERS_AUDIT, "rowData"), Output(ids.USERS_AUDIT, "columnDefs"),
          Output(ids.USERS_AUDIT_CAPTION, "children"), Output(ids.USERS_AUDIT_USER, "options"),
          Output(ids.USERS_AUDIT_ACTION, "options"),
          Input(ids.LANG, "data"), Input(ids.USERS_MESSAGE, "children"), *AUDIT_FILTERS)
def audit_log(lang, _after_an_action, username, action, since, until, text):
    """The audit log, filtered; again after every account change on this page."""
    admin = _admin()
    if admin is None:
        return [], [], None, [], []
    store = auth.accounts()
    rows = [{**row, "at": local_time(row["at"]), "action": label("audit", row["action"], lang)}
            for row in _audit_entries(admin, AUDIT_SHOWN, username, action, since, until, text)]
    users = [{"label": u.username, "value": u.username} for u in store.list_users(actor=admin)]
    actions = [{"label": label("audit", a, lang), "value": a} for a in store.audit_actions(actor=admin)]
    caption = t("users.audit.caption", lang, shown=len(rows), limit=f"{AUDIT_EXPORT_LIMIT:,}")
    return rows, column_defs(_audit_columns(lang), rows), caption, users, actions


@callback(Output(ids.USERS_AUDIT_DOWNLOAD, "data"), Input(ids.USERS_AUDIT_XLSX, "n_clicks"),
          Input(ids.USERS_AUDIT_CSV, "n_clicks"), State(ids.LANG, "data"),
          *(State(f.component_id, f.component_property) for f in AUDIT_FILTERS), prevent_initial_call=True)
def export_audit_log(_xlsx, _csv, lang, username, action, since, until, text):
    """Every entry that matches the filters (up to AUDIT_EXPORT_LIMIT), as the grid shows them;
    CSV text that a spreadsheet would run is neutralized (dashboard.workbook)."""
    admin = _admin()
    if admin is None or ctx.triggered_id not in (ids.USERS_AUDIT_XLSX, ids.USERS_AUDIT_CSV):
        return no_update
    frame = pd.DataFrame(_audit_entries(admin, AUDIT_EXPORT_LIMIT, username, action, since, until, text),
                         columns=["id", "at", "username", "action", "detail", "scope", "remote_addr"])
    frame["at"] = frame["at"].map(local_time)
    frame["action"] = frame["action"].map(lambda a: label("audit", a, lang))
    fmt = "csv" if ctx.triggered_id == ids.USERS_AUDIT_CSV else "xlsx"
    auth.audit("audit_export", f"{len(frame)} entries ({fmt}); filters: user={username} action={action} "
                               f"from={since} to={until} text={text}"[:500])
    return dcc.send_bytes(to_file(_audit_columns(lang), frame, fmt), f"audit_log.{fmt}")


def _password_notice(lang, username, password):
    return html.Div([t("users.password_once", lang, username=username), html.Code(password, id="users-new-password")],
                    className="alert alert-info")
