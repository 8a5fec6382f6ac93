"""Upload callbacks: receive → dry run report → load on confirmation; history and rollback.
Every step checks the session's user may upload; files are scoped to the user's districts."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import auth, data, ids, uploads
from dashboard.components import column_defs
from dashboard.i18n import label, t
from dashboard.workbook import xlsx_bytes
from etl.problems import message_head
from warehouse.actions import kept_versions, load_batches, restore_version, rollback_upload
from warehouse.ingest import RollbackRefused
from warehouse.permissions import may_roll_back
from warehouse.queries import areas
from warehouse.store import StoreDamaged

STATUS_COLOUR = {"accepted": "success", "unchanged": "secondary", "rejected": "danger", "skipped": "secondary"}


def _uploader():
    user = auth.current_user()
    return user if user is not None and user.may("upload") else None


def problem_rows(results, lang: str) -> list[dict]:
    rows = []
    for result in results:
        for kind, items in (("problem", result.problems), ("warning", result.warnings)):
            for p in items:
                rows.append({"file": result.path.name, "kind": kind, "sheet": p.sheet or "", "row": p.row,
                             "column": p.column or "", "value": p.value or "",
                             "reason": p.en if lang == "en" else p.zh})
    return rows


def unlisted_note(problems, lang: str):
    """How many problems a rejected file has beyond those listed, by reason."""
    unlisted = problems.unlisted()
    if not unlisted:
        return None
    reasons = "; ".join(f"{count:,} × {message_head(code, lang)}" for code, count in unlisted.most_common())
    return html.Div(t("up.unlisted", lang, count=f"{sum(unlisted.values()):,}", reasons=reasons),
                    className="small text-muted mt-2")


def report(results, lang: str, loaded: bool):
    """Per file: status, counts, and every problem and warning with where it is, in the UI language."""
    cards = []
    for result in results:
        rows = [r for r in problem_rows([result], lang)]
        table = dbc.Table([
            html.Thead(html.Tr([html.Th(h) for h in (t("col.where", lang), t("col.value", lang), t("col.problem", lang))])),
            html.Tbody([html.Tr([html.Td(" ".join(str(x) for x in (r["sheet"], f"#{r['row']}" if r["row"] else "",
                                                                r["column"]) if x)),
                                 html.Td(r["value"]), html.Td(r["reason"])],
                                className="table-danger" if r["kind"] == "problem" else "table-warning")
                        for r in rows[:500]])], size="sm", className="mb-0 small") if rows else None
        summary = t("up.summary", lang, rows=f"{result.rows:,}", changed=f"{result.changed:,}",
                    warnings=len(result.warnings))
        status = "would_load" if result.status == "accepted" and not loaded else result.status
        cards.append(dbc.Card([
            dbc.CardHeader([dbc.Badge(t(f"up.status.{status}", lang), color=STATUS_COLOUR[result.status],
                                      className="me-2"), html.Strong(result.path.name),
                            html.Span(f" · {', '.join(result.kinds)}", className="text-muted")]),
            dbc.CardBody([html.Div(summary, className="small mb-2") if result.status != "rejected" else None, table,
                          unlisted_note(result.problems, lang)]),
        ], className="mb-2 upload-result"))
    title = t("up.loaded" if loaded else "up.dry_run", lang)
    return [html.H6(title)] + cards


def progress(job, mode: str, lang: str):
    """Where a running check or load is: queued behind another load, or file n of m."""
    if job.state == "queued":
        return dbc.Alert(t("up.queued", lang), color="info")
    label = t(f"up.progress.{mode}", lang, done=job.done + 1 if job.file else job.done, total=job.total,
              file=job.file)
    return html.Div([html.Div(label, className="small mb-1"),
                     # a sliver from the start: a bar at zero looks stuck
                     dbc.Progress(value=max(3, 100 * job.done / max(job.total, 1)), striped=True, animated=True)])


@callback(Output(ids.UP_LIMITS, "children"), Input(ids.LANG, "data"))
def show_limits(lang):
    """The limits uploads are checked against, as the warehouse applies them."""
    limits = areas.upload_limits(data.cursor())
    return t("up.limits", "en" if lang == "en" else "zh", file_mb=f"{limits['max_mb']:g}",
             total_mb=f"{limits['max_total_mb']:g}")


@callback(Output(ids.UP_TOKEN, "data"), Output(ids.UP_REPORT, "children"), Output(ids.UP_LOAD, "disabled"),
          Output(ids.UP_REPORT_DOWNLOAD, "disabled"), Output(ids.UP_POLL, "disabled"), Output(ids.UP_MODE, "data"),
          Input(ids.UP_UPLOAD, "contents"), Input(ids.UP_LOAD, "n_clicks"), Input(ids.UP_DISCARD, "n_clicks"),
          Input(ids.UP_POLL, "n_intervals"),
          State(ids.UP_UPLOAD, "filename"), State(ids.UP_TOKEN, "data"), State(ids.UP_MODE, "data"),
          State(ids.LANG, "data"), prevent_initial_call=True)
def handle_upload(contents, _load, _discard, _tick, names, token, mode, lang):
    """Receive → check (its own process) → report → load on confirmation (its own process) →
    report. The page polls the job while it runs."""
    user = _uploader()
    if user is None:
        return None, dbc.Alert(t("forbidden", lang), color="warning"), True, True, True, None
    warehouse = data.warehouse_path()
    if ctx.triggered_id == ids.UP_DISCARD:
        uploads.discard(warehouse, user, token)
        return None, None, True, True, True, None
    if ctx.triggered_id == ids.UP_LOAD:
        if not uploads.start(warehouse, user, token, "load"):
            return no_update, dbc.Alert(t("up.nothing", lang), color="warning"), True, no_update, True, no_update
        auth.audit("upload_started", ", ".join(p.name for p in uploads.files_of(warehouse, user, token)))
        return token, progress(uploads.Job("queued"), "load", lang), True, True, False, "load"
    if ctx.triggered_id == ids.UP_POLL:
        return poll(warehouse, user, token, mode, lang)
    if not contents:
        return (no_update,) * 6
    try:
        max_mb = areas.upload_limits(data.cursor())["max_mb"]
        token = uploads.receive(warehouse, user, names or [], contents, max_mb)
    except uploads.UploadRefused as refused:
        return (None, dbc.Alert(t(f"up.refused.{refused.code}", lang, name=refused.name), color="danger"),
                True, True, True, None)
    uploads.start(warehouse, user, token, "check")
    return token, progress(uploads.Job("queued"), "check", lang), True, True, False, "check"


def poll(warehouse, user, token, mode, lang):
    job = uploads.status(warehouse, user, token, mode)
    if job.state in ("queued", "running"):
        return no_update, progress(job, mode, lang), True, True, False, no_update
    if job.state == "failed":
        message = t("up.failed", lang) + (f" {job.message}" if job.message else "")
        return no_update, dbc.Alert(message, color="danger"), True, True, True, no_update
    if job.state == "none":
        return None, None, True, True, True, None
    if mode == "load":
        if uploads.first_look(warehouse, token, mode):
            auth.audit("upload", "; ".join(f"{r.path.name}: {r.status} ({r.changed} changes, batch {r.batch_id})"
                                           for r in job.results))
        return token, report(job.results, lang, loaded=True), True, False, True, no_update
    loadable = any(r.status == "accepted" for r in job.results)
    return token, report(job.results, lang, loaded=False), not loadable, False, True, no_update


@callback(Output(ids.UP_REPORT_FILE, "data"), Input(ids.UP_REPORT_DOWNLOAD, "n_clicks"),
          State(ids.UP_TOKEN, "data"), State(ids.LANG, "data"), prevent_initial_call=True)
def download_report(_clicks, token, lang):
    """The validation report as a workbook to send back to the facility (the check's results)."""
    user = _uploader()
    if user is None or not token:
        return no_update
    job = uploads.status(data.warehouse_path(), user, token, "check")
    if job.state != "done":
        return no_update
    results = job.results
    summary = pd.DataFrame([{"file": r.path.name,
                             "status": t("up.status.would_load" if r.status == "accepted" else f"up.status.{r.status}", lang),
                             "rows": r.rows, "problems": r.problem_total, "warnings": len(r.warnings)} for r in results])
    details = pd.DataFrame(problem_rows(results, lang), columns=["file", "kind", "sheet", "row", "column", "value",
                                                                 "reason"])
    return dcc.send_bytes(xlsx_bytes({"summary": summary, "problems": details}), "validation_report.xlsx")


@callback(Output(ids.UP_HISTORY, "rowData"), Output(ids.UP_HISTORY, "columnDefs"),
          Output(ids.UP_ROLLBACK_BATCH, "options"), Output(ids.UP_ROLLBACK_MESSAGE, "children"),
          Input(ids.LANG, "data"), Input(ids.UP_POLL, "disabled"), Input(ids.UP_ROLLBACK, "n_clicks"),
          State(ids.UP_ROLLBACK_BATCH, "value"))
def history(lang, _polling_stopped, _rollback, batch):
    """The load history, again whenever a check or a load ends (its polling stops) or after a rollback."""
    user = _uploader()
    if user is None:
        return [], [], [], None
    message = None
    if ctx.triggered_id == ids.UP_ROLLBACK and batch is not None:
        try:
            touched = rollback_upload(data.warehouse_path(), batch, user)
            auth.audit("rollback", f"batch {batch} ({touched} rows)")
            message = dbc.Alert(t("up.rollback.done", lang, batch=batch, rows=touched), color="success")
        except RollbackRefused as refused:
            message = dbc.Alert(t(f"up.rollback.{refused.code}", lang), color="danger")
        except PermissionError:
            auth.audit("refused", f"roll back batch {batch}")
            message = dbc.Alert(t("up.rollback.not_yours", lang), color="danger")
    frame = load_batches(data.cursor(), user.scope.district_list())
    frame["loaded_at"] = frame["loaded_at"].astype(str).str[:16]
    frame["status"] = frame["status"].map(lambda s: t(f"up.batch.{s}", lang))
    frame["kind"] = frame["kind"].map(lambda k: label("kind", k, lang))
    columns = [("batch_id", t("col.batch", lang), "int"), ("file_name", t("col.file", lang), "text"),
               ("kind", t("col.kind", lang), "text"), ("loaded_at", t("col.loaded_at", lang), "text"),
               ("loaded_by", t("col.loaded_by", lang), "text"),
               ("rows_accepted", t("col.rows", lang), "int"), ("status", t("col.status", lang), "text"),
               ("message", t("col.message", lang), "text")]
    rows = frame[[c[0] for c in columns]].astype(object)
    options = [{"label": f"{r.batch_id} · {r.file_name}", "value": int(r.batch_id)}
               for r in frame.itertuples() if r.status == t("up.batch.accepted", lang)
               and may_roll_back(user, r.loaded_by)]
    return rows.where(rows.notna(), None).to_dict("records"), column_defs(columns, rows), options, message


@callback(Output(ids.UP_VERSIONS, "children"), Output(ids.UP_RESTORE_VERSION, "options"),
          Output(ids.UP_RESTORE_MESSAGE, "children"),
          Input(ids.LANG, "data"), Input(ids.UP_POLL, "disabled"), Input(ids.UP_RESTORE, "n_clicks"),
          State(ids.UP_RESTORE_VERSION, "value"))
def versions(lang, _polling_stopped, _restore, version):
    """Administrators: the kept versions, and a restore (itself a new version)."""
    user = auth.current_user()
    if user is None or not user.may("restore_version"):
        return None, [], None
    message = None
    if ctx.triggered_id == ids.UP_RESTORE and isinstance(version, str) and version:
        try:
            new = restore_version(data.warehouse_path(), version, user)
            auth.audit("restore", f"{version} published again as {new}")
            message = dbc.Alert(t("up.restore.done", lang, version=version, new=new), color="success")
        except StoreDamaged as damaged:
            message = dbc.Alert(t("up.restore.failed", lang, reason=str(damaged)), color="danger")
    rows = kept_versions(data.warehouse_path())

    def state(row) -> str:
        words = [t("up.version.current", lang)] if row["current"] else []
        words.append(t("up.version.complete" if row["complete"] else "up.version.incomplete", lang))
        if not row["opens"]:
            words.append(t("up.version.damaged", lang))
        return " · ".join(words)

    table = dbc.Table([html.Tbody([html.Tr([html.Td(r["version"]), html.Td(f"{r['written']:%Y-%m-%d %H:%M}"),
                                            html.Td(f"{r['megabytes']:,.1f} MB"), html.Td(state(r))],
                                           className="table-danger" if not r["opens"] else None)
                                   for r in rows])], size="sm", className="small mb-0")
    options = [{"label": f"{r['version']} · {r['written']:%Y-%m-%d %H:%M}", "value": r["version"]}
               for r in rows if r["opens"] and not r["current"]]
    return table, options, message
