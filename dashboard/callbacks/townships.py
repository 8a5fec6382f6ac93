"""Township comparison callbacks: filters → warehouse.queries.comparison → scorecard, charts, tables."""
from __future__ import annotations

from types import SimpleNamespace

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback

from dashboard import data, ids, paging
from dashboard.callbacks.common import caption, indicator_section
from dashboard.callbacks.shell import all_label, page_title
from dashboard.components import column_defs, empty, paged_grid, with_indicator_header
from dashboard.figures import comparison as figures
from dashboard.figures.common import empty_figure
from dashboard.i18n import period_name, t
from dashboard.tables import Table, grid_rows
from dashboard.tables import townships as shapes
from warehouse.cache import per_version
from warehouse.queries import areas, comparison, coverage, registry

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
HIDDEN = {"display": "none"}


def _chosen(filters) -> list[str]:
    return [c for c in str(filters.params.get("compare") or "").split(",") if c]


TABLES = {
    "townships-scorecard": Table(lambda con, f: comparison.township_scorecard(con, f.scope, f.area, f.period),
                                 shapes.scorecard_export),
    "townships-side": Table(lambda con, f: comparison.side_by_side(
        con, f.scope, f.area, f.period, f.as_of, coverage.default_radius_m(con), _chosen(f),
        f.params.get("per") == "per10k"), shapes.side_by_side),
}


def scorecard_grid(con, filters) -> tuple[list[dict], list[dict]]:
    """The scorecard's grid rows and column definitions (each column as wide as its widest value,
    each indicator header with its ⓘ, the name pinned). Shaping 300 townships × 24 indicators
    takes longer than their SQL, and every user of a version asks the same: kept per version
    (keyed by what it depends on; the shaper reads only the language)."""
    return _scorecard_grid(con, filters.scope, filters.area, filters.period, filters.lang)


@per_version(maxsize=32)
def _scorecard_grid(con, scope, area, period, lang):
    answer = comparison.township_scorecard(con, scope, area, period)
    columns, frame = shapes.scorecard(answer, SimpleNamespace(lang=lang))
    codes = {field: code for code, field in shapes.indicator_fields(answer[0]).items()}
    rows = grid_rows(columns, frame)
    defs = [with_indicator_header(spec, codes[spec["field"]], lang) if spec["field"] in codes else spec
            for spec in column_defs(columns, rows)]
    # pinned at its own width (not a flexible share): on a phone the score and rank stay beside it
    defs[0].update(pinned="left", width=defs[0]["minWidth"])
    defs[0].pop("flex", None)
    return rows, defs


@callback(Output(ids.CMP_HEADER, "children"), Output(ids.CMP_SCORECARD_HOLDER, "children"),
          Output(ids.CMP_SCORECARD_CAPTION, "children"), Output(ids.CMP_SCORECARD_TITLE, "children"), *FILTERS)
def update_scorecard(area, period, lang):
    """The scorecard's grid with its columns, caption and title. Its rows come in blocks
    (`scorecard_rows`): a new grid for new filters asks for its first block itself, so no block
    of the old filters can land in it."""
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    header = page_title(t("cmp.title", filters.lang), filters)
    rules = comparison.scorecard_rules(con)
    title = t("cmp.scorecard", filters.lang, amber=f"{100 * rules['amber_points']:g}")
    if filters.period is None:
        return header, empty(t("empty.no_data", filters.lang)), t("empty.no_data", filters.lang), title
    _, defs = scorecard_grid(con, filters)
    score_rule = t(f"cmp.score.{rules['score']}", filters.lang)
    return header, paged_grid(ids.CMP_SCORECARD, 460, filters.lang, defs), f"{score_rule} · {caption(filters)}", title


@callback(Output(ids.CMP_SCORECARD, "getRowsResponse"), Input(ids.CMP_SCORECARD, "getRowsRequest"),
          State(ids.AREA, "value"), State(ids.PERIOD, "value"), State(ids.LANG, "data"), prevent_initial_call=True)
def scorecard_rows(request, area, period, lang):
    """The block of scorecard rows the grid asks for, sorted and filtered on the server; by rank
    unless a column is sorted: the first block is the best townships, never every one."""
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    if filters.period is None:
        return {"rowData": [], "rowCount": 0}
    rows, _ = scorecard_grid(con, filters)
    return paging.rows_block(rows, request, default_sort=("rank", "asc"))


@callback(Output(ids.CMP_SELECTED, "options"), Output(ids.CMP_SELECTED, "value"), Input(ids.AREA, "value"),
          Input(ids.LANG, "data"), State(ids.CMP_SELECTED, "value"), State(ids.CMP_INITIAL, "data"))
def township_options(area, lang, current, initial):
    """The townships of the selected area; the choice (from the URL at first) keeps those still offered."""
    con = data.cursor()
    scope = data.current_scope()
    chosen = areas.resolve_area(con, scope, area) or areas.CITY
    frame = areas.area_options(con, scope)
    frame = frame[frame["level"] == "township"]
    if chosen.level != "city":
        frame = frame[frame["district_code"] == chosen.district_code]
    options = [{"label": row.name, "value": row.code} for row in frame.itertuples()]
    offered = {o["value"] for o in options}
    keep = [c for c in (current or initial or []) if c in offered][:comparison.MAX_COMPARED]
    return options, keep


@callback(Output(ids.CMP_RANK_INDICATOR, "options"), Output(ids.CMP_RANK_INDICATOR, "value"),
          Output(ids.CMP_RANK_INFO, "href"), Output(ids.CMP_RANK_GRAPH, "figure"), Output(ids.CMP_RANK_CAPTION, "children"),
          Output(ids.CMP_RANK_ALL, "style"), *FILTERS, Input(ids.CMP_RANK_INDICATOR, "value"), Input(ids.CMP_SELECTED, "value"),
          Input(ids.CMP_RANK_ALL, "value"))
def update_ranking(area, period, lang, indicator, selected, every=None):
    """The ranking section in one request: its indicator choice and the chart."""
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lang = filters.lang
    choice = indicator_section(con, lang, indicator)
    indicator = choice[1]
    ranking = comparison.township_ranking(con, filters.scope, filters.area, filters.period, indicator) \
        if filters.period is not None else None
    if ranking is None:
        return *choice, empty_figure(t("empty.no_data", lang)), "", HIDDEN
    spec = ranking.indicator
    label = all_label(filters.scope, lang) if filters.area.code == "all" else filters.area.name
    name = spec["name_en"] if lang == "en" else spec["name_zh"]
    # a count's target is per facility, so each township has its own (docs/indicators.md): no common line
    figure, hidden = figures.ranking(
        ranking.parts, not spec["is_rate"], spec["target"] if spec["is_rate"] else None, [(label, spec["value"])],
        set(selected or []), t("empty.period", lang, period=period_name(filters.period.label, lang)),
        every="all" in (every or []))
    ends = t("cmp.ranking.ends", lang, shown=figures.ENDS_SHOWN, hidden=hidden) + " " if hidden else ""
    # "show all" is offered where the ranking is long enough to be cut
    return *choice, figure, f"{ends}{name} · " + caption(filters), None if figures.is_long(ranking.parts) else HIDDEN


# set once, as the page opens, before the side-by-side section asks the server for its charts
clientside_callback(ClientsideFunction(namespace="jiceng", function_name="isPhone"),
                    Output(ids.CMP_PHONE, "data"), Input(ids.CMP_INITIAL, "data"))


@callback(Output(ids.CMP_SIDE_TABLE, "rowData"), Output(ids.CMP_SIDE_TABLE, "columnDefs"),
          Output(ids.CMP_SIDE_CAPTION, "children"), Output(ids.CMP_MULTIPLES, "figure"),
          *FILTERS, Input(ids.CMP_SELECTED, "value"), Input(ids.CMP_PER, "value"), Input(ids.CMP_PHONE, "data"))
def update_side_by_side(area, period, lang, selected, per, phone):
    con = data.cursor()
    chosen = [c for c in (selected or []) if isinstance(c, str)][:comparison.MAX_COMPARED]
    filters = data.read_filters(con, area, period, lang, {"compare": ",".join(chosen), "per": per})
    lang = filters.lang
    if filters.period is None:
        return [], [], t("empty.no_data", lang), empty_figure(t("empty.no_data", lang))
    if len(chosen) < 2:
        return [], [], t("cmp.side.need", lang), empty_figure(t("cmp.side.need", lang), 200)
    columns, frame = TABLES["townships-side"].build(con, filters)
    names = {c[0]: c[1] for c in columns[1:]}
    series = comparison.township_series(con, filters.scope, list(names), 24, filters.state.latest_month)
    multiples = figures.small_multiples(series, registry.indicators(con), names, lang, t("empty.no_data", lang),
                                        phone=phone is True)
    return (grid_rows(columns, frame, helpers=("kind",)), column_defs(columns, frame), caption(filters), multiples)


@callback(Output(ids.CMP_OUTCOME, "options"), Output(ids.CMP_OUTCOME, "value"), Output(ids.CMP_OUTCOME_INFO, "href"),
          Output(ids.CMP_SCATTER, "figure"), Output(ids.CMP_SCATTER_CAPTION, "children"),
          *FILTERS, Input(ids.CMP_RESOURCE, "value"), Input(ids.CMP_OUTCOME, "value"))
def update_scatter(area, period, lang, resource, outcome):
    """The resources-against-outcome section in one request: its outcome choice and the chart."""
    con = data.cursor()
    filters = data.read_filters(con, area, period, lang)
    lang = filters.lang
    choice = indicator_section(con, lang, outcome)
    outcome = choice[1]
    answer = comparison.resources_against_outcome(con, filters.scope, filters.area, filters.period, filters.as_of,
                                                  resource, outcome) if filters.period is not None else None
    if answer is None:
        return *choice, empty_figure(t("empty.no_data", lang)), ""
    spec = answer.indicator
    name = spec["name_en"] if lang == "en" else spec["name_zh"]
    figure = figures.scatter(answer.parts, resource, name, t(f"cmp.resource.{resource}", lang), not spec["is_rate"],
                             t("empty.period", lang, period=period_name(filters.period.label, lang)))
    return *choice, figure, caption(filters)
