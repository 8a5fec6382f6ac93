"""Coverage map callbacks: filters and radius → warehouse.queries.coverage → map, tables, sites."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, Patch, State, callback, ctx, html, no_update

from dashboard import auth, data, ids, uploads
from dashboard.callbacks.common import caption, radius_m
from dashboard.callbacks.shell import page_title
from dashboard.components import column_defs, empty, kpi
from dashboard.figures import coverage as figures
from dashboard.i18n import count, pct, t
from dashboard.tables import Table, grid_rows
from dashboard.tables import coverage as shapes
from warehouse import candidate_sites
from warehouse.queries import areas, coverage

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
RADIUS = Input(ids.COV_RADIUS, "value")
SITES = (Input(ids.COV_SITE_DISTRICT, "value"), Input(ids.COV_SITE_COUNT, "value"),
         Input(ids.COV_SITE_KIND, "value"), Input(ids.COV_SITE_CANDIDATES, "value"), Input(ids.COV_SITE_FILE, "value"))
SITE_PARAMS = tuple(site.component_id["name"] for site in SITES)     # their names in the URL, in that order


def planned_district(filters) -> str | None:
    """The district sites are suggested for: the selected area's own, or the one chosen."""
    return filters.area.district_code or filters.params.get("site_district") or None


def site_count(filters) -> int:
    try:
        return min(max(int(filters.params.get("sites") or 3), 1), coverage.MAX_SITES)
    except (TypeError, ValueError):
        return 3


def site_option(filters, name: str, choices: tuple[str, ...]) -> str:
    """A plan option as sent (the URL, its control); anything else is read as the first choice."""
    value = filters.params.get(name)
    return value if isinstance(value, str) and value in choices else choices[0]


def candidate_list(filters):
    """The kept candidate list the plan names (site_file), as (its file's name, its sites), or None."""
    return candidate_sites.load(data.warehouse_path(), filters.params.get("site_file"))


def plan_arguments(con, filters) -> tuple | None:
    """The arguments of coverage.suggest_sites and site_plan for the filters (None: no district):
    the planner's named sites only when the candidates are a list ('file')."""
    district = planned_district(filters)
    if not district:
        return None
    candidates = site_option(filters, "site_candidates", coverage.SITE_CANDIDATES)
    kept = candidate_list(filters) if candidates == "file" else None
    return (filters.scope, district, radius_m(con, filters), site_count(filters),
            site_option(filters, "site_kind", coverage.AREA_KINDS), candidates, kept[1] if kept else ())


def suggested_sites(con, filters):
    plan = plan_arguments(con, filters)
    return coverage.suggest_sites(con, *plan) if plan else None


TABLES = {
    "coverage-areas": Table(lambda con, f: coverage.coverage_table(con, f.scope, f.area, radius_m(con, f)),
                            shapes.areas),
    "coverage-uncovered": Table(lambda con, f: coverage.communities(con, f.scope, f.area, radius_m(con, f)),
                                shapes.uncovered),
    "coverage-sites": Table(suggested_sites, shapes.sites),
    "coverage-trend": Table(lambda con, f: coverage.coverage_over_time(con, f.scope, f.area, radius_m(con, f),
                                                                       data.today()), shapes.trend),
}


def read(area, period, lang, **params):
    con = data.cursor()
    return con, data.read_filters(con, area, period, lang, params)


@callback(Output(ids.COV_HEADER, "children"), Output(ids.COV_SUMMARY, "children"), *FILTERS, RADIUS)
def update_summary(area, period, lang, radius):
    con, filters = read(area, period, lang, radius=radius)
    lang = filters.lang
    header = page_title(t("cov.title", lang), filters)
    circle = coverage.circle_status(con, filters.scope, filters.area, radius_m(con, filters))
    if circle is None:
        return header, [empty(t("empty.no_data", lang))]
    tiles = [kpi(t("cov.total", lang), pct(circle["share"]),
                 f"{count(circle['covered_population'], lang)} / {count(circle['population'], lang)}",
                 tile_id="coverage-tile-total")]
    for part in ("urban", "rural"):
        judged = circle[part]
        tiles.append(kpi(t(f"cov.{part}", lang), pct(judged["share"]) if judged else "—",
                         t("cov.target", lang, target=pct(judged["target"], 0)) if judged else t("cov.no_residents", lang),
                         ("ok" if circle[f"{part}_ok"] else "bad") if judged else None, tile_id=f"coverage-tile-{part}"))
    tiles.append(kpi(t("col.uncovered", lang), str(circle["uncovered_communities"]),
                     t("cov.radius", lang) + f" {int(circle['radius_m'])}", tile_id="coverage-tile-uncovered"))
    return header, tiles


@callback(Output(ids.COV_MAP, "figure"), Output(ids.COV_MAP_CAPTION, "children"),
          Output(ids.COV_SITE_DISTRICT, "options"), Output(ids.COV_SITE_DISTRICT, "value"),
          Output(ids.COV_SITE_DISTRICT, "disabled"),
          Output(ids.COV_SITES_TABLE, "rowData"), Output(ids.COV_SITES_TABLE, "columnDefs"),
          Output(ids.COV_SITES_SUMMARY, "children"), Output(ids.COV_SITES_CAPTION, "children"),
          *FILTERS, Input(ids.COV_METRIC, "value"), RADIUS, *SITES)
def update_map_and_plan(area, period, lang, metric, radius, *site_values):
    """The map and the site plan it draws, in one request: the district to plan for, the
    suggested sites (table and summary) and the map with them. A map and a plan asked for
    separately made the map wait for the district's own round trip."""
    con, filters = read(area, period, lang, radius=radius, **dict(zip(SITE_PARAMS, site_values)))
    metric = metric if metric in figures.METRICS else "covered_share"
    radius = radius_m(con, filters)
    scope, where, as_of = filters.scope, filters.area, filters.as_of
    if ctx.triggered_id == ids.COV_METRIC:
        # only the colours changed: patch the choropleth (trace 0) of the map the browser has
        metrics = coverage.township_metrics(con, scope, where, radius, as_of)
        if not metrics.empty and coverage.has_boundaries(con, scope, where):
            patch = Patch()
            for key, value in figures.metric_layer(metrics, metric, filters.lang).items():
                patch["data"][0][key] = value
            return (patch, caption(filters, as_of=as_of)) + (no_update,) * 7
    options, district, fixed = site_district_choice(con, filters, radius)
    filters = replace(filters, params={**filters.params, "site_district": district})
    layers = coverage.map_layers(con, scope, where, radius, as_of)
    site_columns, sites = TABLES["coverage-sites"].build(con, filters)
    figure = figures.coverage_map(
        layers, metric, sites, filters.lang, t("empty.no_data", filters.lang),
        tiles=figures.basemap(areas.setting(con, "map.tile_url"), areas.setting(con, "map.tile_attribution")))
    note = t("cov.by_township", filters.lang, limit=count(layers.max_points, filters.lang)) if layers.by_township else ""
    return (figure, caption(filters, as_of=as_of, note=note), options, district, fixed, *site_plan(con, filters, site_columns, sites))


@callback(Output(ids.COV_TREND_GRAPH, "figure"), Output(ids.COV_TREND_CAPTION, "children"), *FILTERS, RADIUS)
def update_trend(area, period, lang, radius):
    con, filters = read(area, period, lang, radius=radius)
    trend = TABLES["coverage-trend"].fetch(con, filters)
    figure = figures.coverage_trend(trend, filters.lang, t("empty.no_data", filters.lang), filters.state.first_month)
    return figure, caption(filters, as_of=data.today(), note=t("cov.trend.help", filters.lang))


@callback(Output(ids.URL, "href", allow_duplicate=True), Input(ids.COV_MAP, "clickData"),
          State(ids.AREA, "value"), State(ids.PERIOD, "value"), State(ids.LANG, "data"), prevent_initial_call=True)
def open_profile(click, area, period, lang):
    """Clicking a facility opens its profile page, keeping the filters."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    custom = point.get("customdata")
    if not isinstance(custom, list) or not custom or not str(custom[0]).strip():
        return no_update
    con = data.cursor()
    known = coverage.facility_points(con, data.current_scope(), areas.CITY, data.today())
    code = str(custom[0])
    if code not in set(known["facility_code"]):
        return no_update
    query = {k: v for k, v in (("area", area), ("period", period), ("lang", "en" if lang == "en" else None)) if v}
    return f"/facility/{code}?{urlencode(query)}"


@callback(Output(ids.COV_TABLE, "rowData"), Output(ids.COV_TABLE, "columnDefs"),
          Output(ids.COV_TABLE_CAPTION, "children"), *FILTERS, RADIUS)
def update_area_table(area, period, lang, radius):
    con, filters = read(area, period, lang, radius=radius)
    columns, frame = TABLES["coverage-areas"].build(con, filters)
    if frame.empty:
        return [], column_defs(columns), t("empty.no_data", filters.lang)
    return grid_rows(columns, frame), column_defs(columns, frame), caption(filters, as_of=filters.as_of)


@callback(Output(ids.COV_UNCOVERED_TABLE, "rowData"), Output(ids.COV_UNCOVERED_TABLE, "columnDefs"),
          Output(ids.COV_UNCOVERED_CAPTION, "children"), *FILTERS, RADIUS)
def update_uncovered(area, period, lang, radius):
    con, filters = read(area, period, lang, radius=radius)
    columns, frame = TABLES["coverage-uncovered"].build(con, filters)
    if frame.empty and not filters.state.has_registry:
        return [], column_defs(columns), t("empty.no_data", filters.lang)
    if frame.empty:
        radius = int(radius_m(con, filters))
        return [], column_defs(columns), t("empty.none_uncovered", filters.lang, radius=radius)
    return grid_rows(columns, frame), column_defs(columns, frame), caption(filters, as_of=filters.as_of)


def site_district_choice(con, filters, radius: float) -> tuple[list[dict], str | None, bool]:
    """The district to plan for (options, the chosen code, fixed): the selected area's own, or
    (for the whole city) the one chosen, starting at the district with the most uncovered residents."""
    options_frame = areas.area_options(con, filters.scope)
    districts = options_frame[options_frame["level"] == "district"]
    options = [{"label": row.name, "value": row.code} for row in districts.itertuples()]
    if filters.area.district_code:
        return options, filters.area.district_code, True
    current = filters.params.get("site_district")
    if current in set(districts["code"]):
        return options, current, False
    return options, coverage.neediest_district(con, filters.scope, radius), False


def site_plan(con, filters, columns, frame) -> tuple:
    """The suggested sites (`TABLES["coverage-sites"]`, built by the caller, who draws them on the
    map too) as the grid's rows and columns, the plan in words, and the caption."""
    lang = filters.lang
    if not filters.state.has_registry:
        return [], [], empty(t("empty.no_data", lang)), ""
    plan = plan_arguments(con, filters)
    if plan is None:
        return [], column_defs(columns), empty(t("empty.choose_district", lang)), ""
    *_, kind, candidates, named = plan
    if candidates == "file" and not named:
        missing = "cov.sites.file.missing" if filters.params.get("site_file") else "cov.sites.file.none"
        return [], column_defs(columns), empty(t(missing, lang)), ""
    summary = plan_summary(coverage.site_plan(con, *plan), kind, candidates, lang)
    if frame.empty:
        return [], column_defs(columns), summary, caption(filters, as_of=filters.as_of)
    return grid_rows(columns, frame), column_defs(columns, frame), summary, caption(filters, as_of=filters.as_of)


def plan_summary(plan: dict, kind: str, candidates: str, lang: str):
    """coverage.site_plan in words: residents gained, each share before → after against its
    target, and how many sites the target of the plan's kind needs."""
    if plan["sites"]:
        headline = html.Strong(t(f"cov.sites.summary.{kind}", lang, count=plan["sites"],
                                 gained=count(plan["residents_gained"], lang)))
    else:
        headline = empty(t("cov.sites.clinics_count_already" if candidates == "clinics" else "empty.no_sites", lang))
    shares = [t("cov.sites.share", lang, part=t(f"cov.{part}", lang), before=pct(plan[part]["before"]),
                after=pct(plan[part]["after"]), target=pct(plan[part]["target"], 0),
                state=t("cov.sites.met" if plan[part]["met"] else "cov.sites.unmet", lang))
              for part in ("urban", "rural") if plan[part] is not None]
    judged = plan["judged"]
    if not judged:
        needed = t("cov.sites.no_residents_of_kind", lang)
    else:
        target = t("cov.sites.target.both" if len(judged) == 2 else f"cov.sites.target.{judged[0]}", lang)
        if plan["needed"] == 0:
            needed = t("cov.sites.met_now", lang, target=target)
        elif plan["needed"] is not None:
            needed = t("cov.sites.needed.one" if plan["needed"] == 1 else "cov.sites.needed", lang,
                       count=plan["needed"], target=target)
        else:
            reached = pct(plan["reached"][judged[0]]) if len(judged) == 1 else t("cov.sites.list", lang).join(
                f"{t(f'cov.sites.part.{part}', lang)} {pct(plan['reached'][part])}" for part in judged)
            needed = t("cov.sites.unreachable", lang, target=target, reached=reached)
    return html.Div([html.Div(headline, className="mb-1"), *(html.Div(share) for share in shares), html.Div(needed)])


@callback(Output(ids.COV_SITE_UPLOAD_DIV, "style"), Output(ids.COV_SITE_FILE_STATUS, "children"),
          Input(ids.COV_SITE_CANDIDATES, "value"), Input(ids.COV_SITE_FILE, "value"), Input(ids.LANG, "data"))
def show_candidate_list(candidates, key, lang):
    """The list's upload and what the plan's list is, while the candidates are a list."""
    lang = "en" if lang == "en" else "zh"
    if candidates != "file":
        return {"display": "none"}, None
    kept = candidate_sites.load(data.warehouse_path(), key)
    if kept is None:
        return {}, t("cov.sites.file.missing", lang) if key else None
    return {}, t("cov.sites.file.kept", lang, name=kept[0], count=len(kept[1]))


@callback(Output(ids.COV_SITE_FILE, "value"), Output(ids.COV_SITE_FILE_STATUS, "children", allow_duplicate=True),
          Input(ids.COV_SITE_UPLOAD, "contents"), State(ids.COV_SITE_UPLOAD, "filename"), State(ids.LANG, "data"),
          prevent_initial_call=True)
def receive_candidate_list(contents, name, lang):
    """A planner's list of candidate sites: read by etl (every problem listed, refused whole on
    any), kept beside the warehouse under its digest, and named in the page's address."""
    lang = "en" if lang == "en" else "zh"
    user = auth.current_user()
    if user is None or not user.may("plan_sites"):
        return no_update, dbc.Alert(t("cov.sites.file.forbidden", lang), color="warning", className="mb-0 py-1")
    if not contents or not isinstance(name, str):
        return no_update, no_update
    try:
        found = uploads.read_candidate_list(name, contents)
    except uploads.UploadRefused as refused:
        return no_update, dbc.Alert(t(f"up.refused.{refused.code}", lang, name=refused.name), color="danger",
                                    className="mb-0 py-1")
    if not found.accepted:
        listed = [html.Li(f"{p.where()}" + (f" 「{p.value}」" if p.value not in (None, "") else "")
                          + f"：{p.zh if lang == 'zh' else p.en}") for p in found.problems]
        return no_update, dbc.Alert([t("cov.sites.file.refused", lang, count=found.problems.total),
                                     html.Ul(listed, className="mb-0")], color="danger", className="mb-0 py-1")
    key = candidate_sites.keep(data.warehouse_path(), found.sites, uploads.safe_name(name))
    auth.audit("candidate_sites", f"{uploads.safe_name(name)} ({len(found.sites)} sites, {key})")
    return key, t("cov.sites.file.kept", lang, name=uploads.safe_name(name), count=len(found.sites))
