"""Exports: any table's export button downloads that table, for the filters on screen."""
from __future__ import annotations

from dataclasses import dataclass, field

from dash import ALL, Input, Output, State, callback, ctx, no_update

from dashboard import auth, data, downloads, ids
from dashboard.callbacks.analysis import TABLES as ANALYSIS
from dashboard.callbacks.coverage import TABLES as COVERAGE
from dashboard.callbacks.facility import TABLES as FACILITY
from dashboard.callbacks.overview import TABLES as OVERVIEW
from dashboard.callbacks.quality import TABLES as QUALITY
from dashboard.callbacks.standardization import TABLES as STANDARDIZATION
from dashboard.callbacks.township import TABLES as TOWNSHIP
from dashboard.callbacks.townships import TABLES as TOWNSHIPS
from dashboard.data import Filters
from dashboard.tables import Table, to_file
from warehouse.cache import per_version

# Every exportable table, by the key its buttons carry: the same Table the page shows.
TABLES: dict[str, Table] = {**OVERVIEW, **COVERAGE, **STANDARDIZATION, **TOWNSHIPS, **QUALITY, **FACILITY,
                           **TOWNSHIP, **ANALYSIS}


@callback(
    Output(ids.DOWNLOAD, "data"), Output(ids.FILE_LINK, "data", allow_duplicate=True),
    Input({"type": "export", "table": ALL, "format": ALL}, "n_clicks"),
    State(ids.AREA, "value"), State(ids.PERIOD, "value"), State(ids.LANG, "data"),
    State({"type": "param", "name": ALL}, "value"), State(ids.URL, "pathname"),
    prevent_initial_call=True,
)
def export_table(clicks, area, period, lang, param_values, pathname):
    trigger = ctx.triggered_id
    user = auth.current_user()
    if not trigger or not any(clicks) or trigger.get("table") not in TABLES or user is None or not user.may("export"):
        return no_update, no_update
    params = {item["id"]["name"]: item.get("value") for item in ctx.states_list[3]}
    if isinstance(params.get("compare"), list):
        params["compare"] = ",".join(str(c) for c in params["compare"])
    if (pathname or "").startswith("/facility/"):
        params["facility"] = pathname.rsplit("/", 1)[-1]
    if (pathname or "").startswith("/township/"):
        params["township"] = pathname.rsplit("/", 1)[-1]
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang, params)
    if filters.period is None:
        return no_update, no_update
    fmt = "csv" if trigger.get("format") == "csv" else "xlsx"
    key = (filters.scope, filters.area, filters.period, filters.lang,
           tuple(sorted((k, str(v)) for k, v in filters.params.items())))
    content, rows = _export_file(con, _Request(key, filters), trigger["table"], fmt)
    name = f"{trigger['table']}_{filters.area.code}_{filters.period.label}.{fmt}"
    auth.audit("export", f"{name} ({rows} rows)")
    return downloads.deliver(data.warehouse_path(), user.username, content, name)


@dataclass(frozen=True)
class _Request:
    """What an export depends on (`key`), with the checked filters that build it."""
    key: tuple
    filters: Filters = field(compare=False, hash=False)


@per_version(maxsize=16)
def _export_file(con, request: _Request, table: str, fmt: str) -> tuple[bytes, int]:
    """The file's bytes and row count. Writing a province's 5,000 flags as xlsx takes longer than
    finding them, and colleagues download the same tables: kept per warehouse version."""
    columns, frame = TABLES[table].build(con, request.filters)
    return to_file(columns, frame, fmt), len(frame)
