"""通报 callbacks: the preview of the chosen area and period, making (and keeping) a bulletin, and
downloading one made before. Every action checks the `bulletin` permission and the user's
districts on the server (the area resolves within them, the history shows only theirs)."""
from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import auth, bulletin, data, ids
from dashboard.callbacks.shell import page_title
from dashboard.components import column_defs, empty
from dashboard.i18n import period_name, stamp, t
from warehouse import bulletins

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
PLACEHOLDER_NUMBER = "×"


def _maker():
    user = auth.current_user()
    return user if user is not None and user.may("bulletin") else None


def _compose(con, filters, number: str):
    """The bulletin of the filters' area and period, or the words-key of why there is none."""
    if filters.period is None:
        return "empty.no_data"
    if filters.area.level == "township":
        return "bul.need_district"
    if filters.period.kind not in ("month", "quarter"):
        return "bul.need_period"
    return bulletin.compose(con, filters.scope, filters.area.code, filters.period.label, number, data.today())


# a table of the body longer than this shows its first and last rows (the ranking's top and its end)
PREVIEW_ROWS = 30


def _table_rows(rows) -> list:
    return [html.Tr([html.Td(c) for c in row]) for row in rows]


def preview(parts: list, lang: str) -> list:
    """The bulletin's blocks as the page shows them (Dash escapes every text). The annexes' tables
    (every facility, every indicator: hundreds of rows for a province) are in the files only, and
    a long table of the body shows its first and last PREVIEW_ROWS / 2 rows, saying how many rows
    between them the files hold."""
    shown = []
    after_annex = False
    for b in parts:
        if b.kind == "table" and after_annex:
            shown.append(html.P(t("bul.annex_in_files", lang, rows=len(b.rows)), className="text-muted small"))
            continue
        after_annex = b.kind == "annex"
        if b.kind == "table":
            if len(b.rows) <= PREVIEW_ROWS:
                rows = _table_rows(b.rows)
            else:                   # components for the rows drawn only: a nation ranks 3,400
                half = PREVIEW_ROWS // 2
                between = html.Tr(html.Td(t("bul.rows_in_files", lang, rows=len(b.rows) - 2 * half),
                                          colSpan=len(b.header), className="text-muted small text-center"))
                rows = _table_rows(b.rows[:half]) + [between] + _table_rows(b.rows[-half:])
            shown.append(dbc.Table([html.Thead(html.Tr([html.Th(h) for h in b.header])), html.Tbody(rows)],
                                   bordered=True, size="sm", responsive=True, className="bulletin-table"))
            continue
        lines = b.text.split("\n")
        text = [part for n, line in enumerate(lines) for part in ([html.Br()] if n else []) + [line]]
        tag = {"title": html.H4, "heading": html.H5, "annex": html.H6}.get(b.kind, html.P)
        shown.append(tag(text, className=f"bulletin-{b.kind}"))
    return shown


@callback(Output(ids.BUL_HEADER, "children"), Output(ids.BUL_PREVIEW, "children"), *FILTERS)
def update_preview(area, period, lang):
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if _maker() is None:
        return None, dbc.Alert(t("forbidden", filters.lang), color="warning")
    made = _compose(con, filters, PLACEHOLDER_NUMBER)
    header = page_title(t("bul.title", filters.lang), filters)
    if isinstance(made, str):
        return header, empty(t(made, filters.lang))
    return header, preview(made[0], filters.lang)


@callback(Output(ids.BUL_DOWNLOAD, "data"), Output(ids.BUL_MESSAGE, "children"), Output(ids.BUL_MADE, "data"),
          Input(ids.BUL_DOCX, "n_clicks"), Input(ids.BUL_PDF, "n_clicks"), State(ids.BUL_NUMBER, "value"),
          State(ids.AREA, "value"), State(ids.PERIOD, "value"), State(ids.LANG, "data"), prevent_initial_call=True)
def make(_docx, _pdf, number, area, period, lang):
    """Make the bulletin, keep it (both formats, and its record) and send the one asked for."""
    from dash import ctx
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    user = _maker()
    if user is None:
        return no_update, dbc.Alert(t("forbidden", filters.lang), color="warning"), no_update
    made = _compose(con, filters, (number or "").strip() or PLACEHOLDER_NUMBER)
    if isinstance(made, str):
        return no_update, dbc.Alert(t(made, filters.lang), color="info"), no_update
    parts, facts, _ = made
    files = bulletin.documents(parts)
    fmt = "pdf" if ctx.triggered_id == ids.BUL_PDF else "docx"
    if fmt not in files:
        return no_update, dbc.Alert(t("sup.font_missing", filters.lang), color="danger"), no_update
    record = bulletin.record(con, facts, parts, data.warehouse_path(), number=(number or "").strip(),
                             made_by=user.username, districts=_districts(facts.area, filters.scope))
    bulletin_id = bulletins.keep(data.warehouse_path(), record, files, datetime.now())
    auth.audit("bulletin", f"{bulletin_id}: {facts.area.code} {facts.period.label}")
    name = f"{bulletin.file_stem(facts.area.code, facts.period.label)}.{fmt}"
    return dcc.send_bytes(files[fmt], name), dbc.Alert(t("bul.made", filters.lang, name=name), color="success"), \
        bulletin_id


def _districts(area, scope) -> list[str] | None:
    """The districts a bulletin covers, for the history's scope: its district, or the user's."""
    if area.level == "district":
        return [area.code]
    return scope.district_list()


@callback(Output(ids.BUL_HISTORY, "rowData"), Output(ids.BUL_HISTORY, "columnDefs"),
          Output(ids.BUL_HISTORY_PICK, "options"), Input(ids.BUL_MADE, "data"), Input(ids.LANG, "data"))
def update_history(_made, lang):
    lang = "en" if lang == "en" else "zh"
    columns = [("made_at", t("col.made_at", lang), "text"), ("area_name", t("col.name", lang), "text"),
               ("period_name", t("col.bulletin_period", lang), "text"), ("number", t("col.doc_number", lang), "text"),
               ("made_by", t("col.made_by", lang), "text"), ("warehouse_version", t("col.version", lang), "text")]
    if _maker() is None:
        return [], column_defs(columns), []
    records = bulletins.history(data.warehouse_path(), data.current_scope())
    rows = [{"id": r["id"], "made_at": stamp(datetime.fromisoformat(r["made_at"]), with_time=True),
             "area_name": r.get("area_name", r["area"]), "period_name": period_name(r["period"], lang),
             "number": r.get("number") or "—", "made_by": r.get("made_by") or "—",
             "warehouse_version": r.get("warehouse_version") or "—"} for r in records]
    options = [{"label": f"{row['made_at']} · {row['area_name']} · {row['period_name']}", "value": row["id"]}
               for row in rows]
    return rows, column_defs(columns, rows), options


@callback(Output(ids.BUL_DOWNLOAD, "data", allow_duplicate=True),
          Output(ids.BUL_MESSAGE, "children", allow_duplicate=True),
          Input(ids.BUL_HISTORY_DOCX, "n_clicks"), Input(ids.BUL_HISTORY_PDF, "n_clicks"),
          State(ids.BUL_HISTORY_PICK, "value"), State(ids.LANG, "data"), prevent_initial_call=True)
def download_issued(_docx, _pdf, chosen, lang):
    """A bulletin made before, the very file kept then (later resubmissions never change it)."""
    from dash import ctx
    lang = "en" if lang == "en" else "zh"
    if _maker() is None:
        return no_update, dbc.Alert(t("forbidden", lang), color="warning")
    fmt = "pdf" if ctx.triggered_id == ids.BUL_HISTORY_PDF else "docx"
    found = bulletins.issued_file(data.warehouse_path(), chosen, fmt, data.current_scope())
    if found is None:
        return no_update, dbc.Alert(t("bul.not_found", lang), color="warning")
    content, record = found
    auth.audit("bulletin_download", f"{record['id']}.{fmt}")
    return dcc.send_bytes(content, f"{bulletin.file_stem(record['area'], record['period'])}.{fmt}"), None
