"""通报 callbacks: the preview of the chosen area and period, making (and keeping) a bulletin — a
job off the request (dashboard/bulletin_jobs.py), polled until its file is sent — and
downloading one made before. Every action checks the `bulletin` permission and the user's
districts on the server (the area resolves within them, the history shows only theirs)."""
from __future__ import annotations

from datetime import datetime
from functools import partial

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update

from dashboard import auth, bulletin, bulletin_jobs, data, downloads, ids
from dashboard.callbacks.shell import page_title
from dashboard.components import column_defs, empty
from dashboard.i18n import period_name, stamp, t
from warehouse import bulletins

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
PLACEHOLDER_NUMBER = "×"


def _maker():
    user = auth.current_user()
    return user if user is not None and user.may("bulletin") else None


def _refusal(filters) -> str | None:
    """The words-key of why the filters' area and period have no bulletin, or None."""
    if filters.period is None:
        return "empty.no_data"
    if filters.area.level == "township":
        return "bul.need_district"
    if filters.period.kind not in ("month", "quarter"):
        return "bul.need_period"
    return None


def _compose(con, filters, number: str):
    """The bulletin of the filters' area and period, or the words-key of why there is none."""
    refusal = _refusal(filters)
    if refusal:
        return refusal
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


# the poll and the buttons while a job runs, and once it ended; no file's link to follow
WORKING = (False, True, True, no_update)
STOPPED = (True, False, False, no_update)


@callback(Output(ids.BUL_DOWNLOAD, "data"), Output(ids.BUL_MESSAGE, "children"), Output(ids.BUL_MADE, "data"),
          Output(ids.BUL_JOB, "data"), Output(ids.BUL_POLL, "disabled"), Output(ids.BUL_DOCX, "disabled"),
          Output(ids.BUL_PDF, "disabled"), Output(ids.FILE_LINK, "data", allow_duplicate=True),
          Input(ids.BUL_DOCX, "n_clicks"), Input(ids.BUL_PDF, "n_clicks"), Input(ids.BUL_POLL, "n_intervals"),
          State(ids.BUL_NUMBER, "value"), State(ids.AREA, "value"), State(ids.PERIOD, "value"), State(ids.LANG, "data"),
          State(ids.BUL_JOB, "data"), prevent_initial_call=True)
def make(_docx, _pdf, _tick, number, area, period, lang, job):
    """A click starts making the bulletin (a job: bulletin_jobs) and returns at once; the poll
    sends the file when the job has kept it (both formats, and its record)."""
    from dash import ctx
    if not {ids.BUL_DOCX: _docx, ids.BUL_PDF: _pdf, ids.BUL_POLL: _tick}.get(ctx.triggered_id):
        # Dash calls it as the page's components arrive (an output of it lives in the shell, so the
        # call is not an initial one): no click, nothing made
        return (no_update,) * 8
    user = _maker()
    if ctx.triggered_id == ids.BUL_POLL:
        return _poll(user, job, "en" if lang == "en" else "zh")
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if user is None:
        return no_update, dbc.Alert(t("forbidden", filters.lang), color="warning"), no_update, None, *STOPPED
    refusal = _refusal(filters)
    if refusal:
        return no_update, dbc.Alert(t(refusal, filters.lang), color="info"), no_update, None, *STOPPED
    fmt = "pdf" if ctx.triggered_id == ids.BUL_PDF else "docx"
    number = (number or "").strip()
    warehouse = data.warehouse_path()
    make_it = partial(_make_and_keep, warehouse, user, filters.scope, filters.area.code,
                      filters.period.label, number, fmt, data.today(), auth.request_origin())
    try:
        token = bulletin_jobs.start(warehouse, user.username, fmt, make_it)
    except OSError:                 # the folder beside the warehouse cannot be written (a full disk)
        return no_update, dbc.Alert(t("bul.failed", filters.lang), color="danger"), no_update, None, *STOPPED
    return no_update, working(0, filters.lang), no_update, token, *WORKING


def _make_and_keep(warehouse, user, scope, area_code: str, period_label: str, number: str, fmt: str, today,
                   origin) -> str:
    """The job: compose the bulletin within the user's districts, write both files, keep them with
    the record; the kept bulletin's id."""
    con = data.cursor()
    try:
        parts, facts, _ = bulletin.compose(con, scope, area_code, period_label, number or PLACEHOLDER_NUMBER, today)
    except ValueError as refused:
        raise bulletin_jobs.Refused(text=str(refused)) from None
    files = bulletin.documents(parts)
    if fmt not in files:
        raise bulletin_jobs.Refused("sup.font_missing")
    record = bulletin.record(con, facts, parts, warehouse, number=number, made_by=user.username,
                             districts=_districts(facts.area, scope))
    bulletin_id = bulletins.keep(warehouse, record, files, datetime.now())
    auth.audit("bulletin", f"{bulletin_id}: {facts.area.code} {facts.period.label}", user=user, origin=origin)
    return bulletin_id


def _poll(user, job, lang: str):
    """Where the job stands; when done, its file (read back from the kept bulletins, within the
    user's districts)."""
    if user is None:
        return no_update, dbc.Alert(t("forbidden", lang), color="warning"), no_update, None, *STOPPED
    warehouse = data.warehouse_path()
    state = bulletin_jobs.status(warehouse, user.username, job)
    if state.state in ("queued", "running"):
        return no_update, working(state.seconds, lang), no_update, no_update, *WORKING
    if state.state == "none":
        return no_update, None, no_update, None, *STOPPED
    if state.state == "refused":
        words = t(state.key, lang) if state.key else state.text
        return no_update, dbc.Alert(words, color="danger" if state.key else "info"), no_update, None, *STOPPED
    found = bulletins.issued_file(warehouse, state.bulletin_id, state.fmt, user.scope) \
        if state.state == "done" else None
    if found is None:
        return no_update, dbc.Alert(t("bul.failed", lang), color="danger"), no_update, None, *STOPPED
    content, record = found
    name = _file_name(record, state.fmt)
    sent, link = downloads.deliver(warehouse, user.username, content, name)
    return (sent, dbc.Alert(t("bul.made", lang, name=name), color="success"), state.bulletin_id, None,
            *STOPPED[:3], link)


def working(seconds: float, lang: str):
    """A job under way: how long so far, and that leaving the page loses nothing."""
    return dbc.Alert([dbc.Spinner(size="sm", spinner_class_name="me-2"),
                      t("bul.working", lang, seconds=int(seconds))], color="info", className="d-flex align-items-center")


def _file_name(record: dict, fmt: str) -> str:
    """A kept bulletin's file as the user receives it: 通报_<area>_<period>.<fmt>."""
    return f"{bulletin.file_stem(record['area'], record['period'])}.{fmt}"


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
          Output(ids.FILE_LINK, "data", allow_duplicate=True),
          Input(ids.BUL_HISTORY_DOCX, "n_clicks"), Input(ids.BUL_HISTORY_PDF, "n_clicks"),
          State(ids.BUL_HISTORY_PICK, "value"), State(ids.LANG, "data"), prevent_initial_call=True)
def download_issued(_docx, _pdf, chosen, lang):
    """A bulletin made before, the very file kept then (later resubmissions never change it)."""
    from dash import ctx
    if not {ids.BUL_HISTORY_DOCX: _docx, ids.BUL_HISTORY_PDF: _pdf}.get(ctx.triggered_id):
        return no_update, no_update, no_update
    lang = "en" if lang == "en" else "zh"
    user = _maker()
    if user is None:
        return no_update, dbc.Alert(t("forbidden", lang), color="warning"), no_update
    fmt = "pdf" if ctx.triggered_id == ids.BUL_HISTORY_PDF else "docx"
    found = bulletins.issued_file(data.warehouse_path(), chosen, fmt, data.current_scope())
    if found is None:
        return no_update, dbc.Alert(t("bul.not_found", lang), color="warning"), no_update
    content, record = found
    auth.audit("bulletin_download", f"{record['id']}.{fmt}")
    sent, link = downloads.deliver(data.warehouse_path(), user.username, content, _file_name(record, fmt))
    return sent, None, link
