"""Analysis callbacks: the page's controls (its URL) → the server's reading of them (`selection`) →
warehouse.queries.analysis.values → a pivot table, a chart or a township map; and the user's
favourites, kept with the accounts."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import auth, data, ids
from dashboard.analysis_view import NAMES, href, query_string, read_query, read_view
from dashboard.components import PIN_FROM_COLUMNS, column_defs, empty
from dashboard.figures import analysis as figures
from dashboard.figures.common import empty_figure
from dashboard.i18n import period_name, stamp, t
from dashboard.tables import Table, grid_rows
from dashboard.tables import analysis as shapes
from warehouse.accounts import MAX_FAVOURITE_NAME, MAX_FAVOURITES, AccountError
from warehouse.periods import latest_complete, periods_up_to
from warehouse.queries import analysis, registry
from warehouse.queries.analysis import MAX_CELLS, Selection

# the page's controls, in the order of the view's fields (dashboard.analysis_view.NAMES)
CONTROLS = (ids.ANA_INDICATORS, ids.ANA_LEVEL, ids.ANA_AREAS, ids.ANA_RELATIVE, ids.ANA_KIND, ids.ANA_PERIODS,
            ids.ANA_ROWS, ids.ANA_COLS, ids.ANA_VIEW)
SHOWN, HIDDEN = {}, {"display": "none"}
CHART_HEIGHT = 460


def period_choice(view, state) -> tuple[str, list[str]]:
    """The periods a view means at the data horizon: a relative choice resolved
    (analysis.relative_periods), or the chosen periods that hold data (else the latest complete)."""
    if state.latest_month is None:
        return view.kind, []
    if view.relative != "fixed":
        return analysis.relative_periods(view.relative, state.latest_month)
    offered = {p.label for p in periods_up_to(state.first_month, state.latest_month, view.kind)}
    chosen = sorted(p for p in view.periods if p in offered)
    return view.kind, chosen or [latest_complete(state.latest_month, view.kind).label]


def selection(con, filters) -> Selection:
    """What the view in `filters.params` asks of the warehouse, as the server reads it: indicators
    of the registry only, the city level only for those who see every district (else districts);
    the areas go as sent, and the query keeps those of the user's districts."""
    view = read_view(filters.params)
    known = set(registry.indicators(con)["indicator_code"])
    level = "district" if view.level == "city" and filters.scope.districts is not None else view.level
    kind, periods = period_choice(view, filters.state)
    return Selection(tuple(c for c in view.indicators if c in known), level, view.areas, kind, tuple(periods))


TABLES = {
    "analysis-pivot": Table(lambda con, f: analysis.values(con, f.scope, selection(con, f)), shapes.pivot),
}


def _filters(con, lang, controls):
    return data.read_filters(con, None, None, lang, dict(zip(NAMES, controls)))


@callback(Output(ids.ANA_INDICATORS, "options"), Output(ids.ANA_INDICATORS, "value"),
          Output(ids.ANA_AREAS, "options"), Output(ids.ANA_AREAS, "value"),
          Output(ids.ANA_PERIODS, "options"), Output(ids.ANA_PERIODS, "value"), Output(ids.ANA_FIXED, "style"),
          Output(ids.ANA_INITIAL, "data"),
          Input(ids.LANG, "data"), Input(ids.ANA_LEVEL, "value"), Input(ids.ANA_KIND, "value"),
          Input(ids.ANA_RELATIVE, "value"), State(ids.ANA_INDICATORS, "value"), State(ids.ANA_AREAS, "value"),
          State(ids.ANA_PERIODS, "value"), State(ids.ANA_INITIAL, "data"))
def update_controls(lang, level, kind, relative, indicators, areas, periods, initial):
    """The choices the list controls offer, in the page's language: the registry's indicators,
    the level's areas in the user's districts, the kind's periods with data (newest first); each
    choice keeps what is offered (the first indicator when none is left; the latest complete
    period when none is). A dropdown drops a value its options do not hold yet: on the page's
    first call the choices are the link's (the initial store, emptied then)."""
    first = isinstance(initial, dict)
    if first:
        indicators, areas, periods = (initial.get(name) for name in ("indicators", "areas", "periods"))
    con = data.cursor()
    filters = data.read_filters(con, None, None, lang, {"indicators": indicators, "level": level, "areas": areas,
                                                        "relative": relative, "kind": kind, "periods": periods})
    view, lang, state = read_view(filters.params), filters.lang, filters.state

    def send(kept, current):
        # nothing when the control holds the choice already: each write fires the view again
        return kept if first or kept != current else no_update

    registered = registry.indicators(con)
    indicator_options = [{"label": name, "value": code} for code, name in
                         zip(registered["indicator_code"], registered["name_en" if lang == "en" else "name_zh"])]
    known = list(registered["indicator_code"])
    kept_indicators = [c for c in view.indicators if c in known] or known[:1]

    offered = analysis.area_choices(con, filters.scope, selection(con, filters).level)
    names = offered["area_name"].fillna(t("area.all", lang))
    shared = set(names[names.duplicated()])
    area_options = [{"label": f"{n} · {c}" if n in shared else n, "value": c}
                    for n, c in zip(names, offered["area_code"])]
    kept_areas = [c for c in view.areas if c in set(offered["area_code"])]

    period_options, kept_periods = [], []
    if state.latest_month is not None:
        period_options = [{"label": period_name(p.label, lang), "value": p.label}
                          for p in periods_up_to(state.first_month, state.latest_month, view.kind)]
        kept_periods = period_choice(view, state)[1] if view.relative == "fixed" else []
    return (indicator_options, send(kept_indicators, indicators), area_options, send(kept_areas, areas),
            period_options, send(kept_periods, periods), SHOWN if view.relative == "fixed" else HIDDEN, None)


def map_unavailable(chosen: Selection, lang: str) -> str | None:
    """Why the view cannot be a map (one indicator, one period, by township), or None."""
    if chosen.level == "township" and len(chosen.indicators) == 1 and len(chosen.periods) == 1:
        return None
    return t("ana.map.unavailable", lang, indicators=len(chosen.indicators), periods=len(chosen.periods),
             level=t(f"level.{chosen.level}", lang))


def periods_text(view, chosen: Selection, lang: str) -> str:
    names = [period_name(p, lang) for p in chosen.periods]
    span = t("ana.span", lang, first=names[0], last=names[-1]) if len(names) > 1 else "".join(names)
    if view.relative != "fixed":
        return f"{t(f'ana.relative.{view.relative}', lang)}{'：' if lang == 'zh' else ': '}{span}"
    return ("、" if lang == "zh" else ", ").join(names) if len(names) <= 4 else span


@callback(Output(ids.ANA_HEADER, "children"), Output(ids.ANA_MESSAGE, "children"),
          Output(ids.ANA_TABLE, "rowData"), Output(ids.ANA_TABLE, "columnDefs"), Output(ids.ANA_TABLE_BOX, "style"),
          Output(ids.ANA_GRAPH, "figure"), Output(ids.ANA_GRAPH_BOX, "style"), Output(ids.ANA_CAPTION, "children"),
          *[Input(c, "value") for c in CONTROLS], Input(ids.LANG, "data"))
def update_view(*values):
    """The view: a pivot table, a line or bar chart, or a township map, of one `analysis.values`
    answer (the map: `analysis.township_map`, the same answer and the townships' outlines)."""
    *controls, lang = values
    con = data.cursor()
    filters = _filters(con, lang, controls)
    lang, view = filters.lang, read_view(filters.params)
    title = html.Div(t("ana.title", lang), className="page-title")
    if filters.state.latest_month is None:
        return [title], empty(t("empty.no_data", lang)), [], [], SHOWN, empty_figure(""), HIDDEN, ""
    chosen = selection(con, filters)
    caption = t("ana.caption", lang, periods=periods_text(view, chosen, lang),
                horizon=period_name(filters.state.latest_month.strftime("%Y-%m"), lang),
                loaded=stamp(filters.state.loaded_at, with_time=True))
    unavailable = map_unavailable(chosen, lang) if view.view == "map" else None
    if view.view == "map" and unavailable is None:
        answer, outlines = analysis.township_map(con, filters.scope, chosen)
    else:
        answer, outlines = TABLES["analysis-pivot"].fetch(con, filters), None
    areas = answer.cells // max(1, len(chosen.indicators) * len(chosen.periods))
    header = [title, html.Div(t("ana.summary", lang, indicators=len(chosen.indicators), areas=areas,
                                periods=len(chosen.periods)), className="page-subtitle")]
    if answer.refused:
        refusal = dbc.Alert(t("ana.too_many", lang, cells=f"{answer.cells:,}", limit=f"{MAX_CELLS:,}"),
                            color="warning", className="mb-2")
        return header, refusal, [], [], HIDDEN, empty_figure(""), HIDDEN, caption
    if answer.values.empty:
        return header, empty(t("ana.empty", lang)), [], [], HIDDEN, empty_figure(""), HIDDEN, caption
    if view.view == "table":
        columns, frame = shapes.pivot(answer, filters)
        defs = column_defs(columns, frame)
        for spec in defs:
            if spec["field"] == "indicator_label":
                spec["minWidth"] = max(spec["minWidth"], 200)      # indicator names are long
        if len(defs) >= PIN_FROM_COLUMNS:
            defs[0]["pinned"] = "left"      # a wide pivot scrolls sideways at a desk: its row names stay
        rows = grid_rows(columns, frame, helpers=("is_count",))
        return header, None, rows, defs, SHOWN, empty_figure(""), HIDDEN, caption
    return header, None, [], [], HIDDEN, chart(answer, outlines, view, unavailable, lang), SHOWN, caption


def chart(answer, outlines, view, unavailable: str | None, lang: str):
    """The chart a view asks for, or a figure saying why it cannot be drawn."""
    if unavailable:
        return empty_figure(unavailable, CHART_HEIGHT)
    frame = shapes.labelled(answer.values, lang)
    if view.view == "map":
        if not outlines["features"]:
            return empty_figure(t("ana.map.no_outlines", lang), CHART_HEIGHT)
        return figures.township_map(frame, outlines, lang)
    series = len(figures.series_of(frame, "period" if view.view == "line" else figures.bar_axis(frame)))
    if series > figures.MAX_SERIES:
        return empty_figure(t("ana.too_many_series", lang, limit=figures.MAX_SERIES, series=series), CHART_HEIGHT)
    return figures.chart(frame, view.view, lang, CHART_HEIGHT)


# --- favourites ---------------------------------------------------------------------------------

def favourite_links(favourites: list[dict], lang: str):
    """The user's favourites as links to the analysis page, each read again through the view's
    rules (a stored query becomes a link only in the page's own spelling); names are text."""
    if not favourites:
        return html.Div(t("ana.fav.none", lang), className="text-muted small")
    return html.Ul([html.Li(dcc.Link(f["name"], href=href(read_query(f["query"]), lang),
                                     className="analysis-favourite-link")) for f in favourites],
                   className="mb-0 ps-3")


def own_favourites() -> list[dict]:
    user = auth.current_user()
    return auth.accounts().list_favourites(user) if user is not None and user.may("read") else []


@callback(Output(ids.ANA_FAV_LIST, "children"), Output(ids.ANA_FAV_PICK, "options"), Output(ids.ANA_FAV_PICK, "value"),
          Output(ids.ANA_FAV_MESSAGE, "children"),
          Input(ids.ANA_FAV_SAVE, "n_clicks"), Input(ids.ANA_FAV_DELETE, "n_clicks"), Input(ids.LANG, "data"),
          State(ids.ANA_FAV_NAME, "value"), State(ids.ANA_FAV_PICK, "value"), *[State(c, "value") for c in CONTROLS])
def manage_favourites(save, delete, lang, name, picked, *controls):
    """Saves the view on screen under a name, or deletes a favourite: the session's user's own
    (warehouse.accounts checks the permission and keys every row by that user)."""
    lang = "en" if lang == "en" else "zh"
    user, store, message = auth.current_user(), auth.accounts(), None
    try:
        if ctx.triggered_id == ids.ANA_FAV_SAVE and save:
            kept = store.save_favourite(user, name, query_string(read_view(dict(zip(NAMES, controls)))))
            auth.audit("favourite_save", kept)
            message = html.Span(t("ana.fav.saved", lang, name=kept), className="text-success")
        elif ctx.triggered_id == ids.ANA_FAV_DELETE and delete and picked:
            store.delete_favourite(user, picked)
            auth.audit("favourite_delete", picked)
            message = html.Span(t("ana.fav.deleted", lang, name=picked), className="text-success")
    except AccountError as refused:
        message = html.Span(t(f"ana.fav.error.{refused.code}", lang, limit=MAX_FAVOURITE_NAME
                              if refused.code == "favourite_name" else MAX_FAVOURITES), className="text-danger")
    except PermissionError:
        message = html.Span(t("ana.fav.error.forbidden", lang), className="text-danger")
    favourites = own_favourites()
    return (favourite_links(favourites, lang), [{"label": f["name"], "value": f["name"]} for f in favourites],
            None, message)
