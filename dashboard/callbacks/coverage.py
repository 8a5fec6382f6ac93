"""Coverage map callbacks: filters and radius → warehouse.queries.coverage → map, tables, sites."""
from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, Patch, State, callback, ctx, html, no_update

from dashboard import data, ids, tables
from dashboard.callbacks.common import caption, default_radius
from dashboard.callbacks.shell import page_title
from dashboard.components import column_defs, empty, kpi
from dashboard.figures import coverage as figures
from dashboard.i18n import count, pct, t
from warehouse.queries import areas, coverage

FILTERS = (Input(ids.AREA, "value"), Input(ids.PERIOD, "value"), Input(ids.LANG, "data"))
RADIUS = Input(ids.COV_RADIUS, "value")
SITES = (Input(ids.COV_SITE_DISTRICT, "value"), Input(ids.COV_SITE_COUNT, "value"))


def read(area, period, lang, **params):
    con = data.cursor()
    return con, data.read_filters(con, area, period, lang, params)


@callback(Output(ids.COV_HEADER, "children"), Output(ids.COV_SUMMARY, "children"), *FILTERS, RADIUS)
def update_summary(area, period, lang, radius):
    con, filters = read(area, period, lang, radius=radius)
    lang = filters.lang
    header = page_title(t("cov.title", lang), filters)
    table = coverage.coverage_table(con, filters.scope, filters.area, tables.coverage_radius(filters, default_radius(con)))
    if table.empty:
        return header, [empty(t("empty.no_data", lang))]
    total = table[table["is_total"]].iloc[0]
    tiles = [kpi(t("cov.total", lang), pct(total["covered_share"]),
                 f"{count(total['covered_population'], lang)} / {count(total['population'], lang)}",
                 tile_id="coverage-tile-total")]
    for part in ("urban", "rural"):
        target = areas.setting(con, f"coverage.{part}_target")
        share = total[f"{part}_share"]
        known = share == share and share is not None
        tiles.append(kpi(t(f"cov.{part}", lang), pct(share) if known else "—",
                         t("cov.target", lang, target=pct(target, 0)) if known else t("cov.no_residents", lang),
                         ("ok" if share >= target else "bad") if known else None, tile_id=f"coverage-tile-{part}"))
    tiles.append(kpi(t("col.uncovered", lang), str(int(total["uncovered_communities"])),
                     t("cov.radius", lang) + f" {int(tables.coverage_radius(filters, default_radius(con)))}",
                     tile_id="coverage-tile-uncovered"))
    return header, tiles


@callback(Output(ids.COV_MAP, "figure"), Output(ids.COV_MAP_CAPTION, "children"),
          *FILTERS, Input(ids.COV_METRIC, "value"), RADIUS, *SITES)
def update_map(area, period, lang, metric, radius, site_district, sites):
    con, filters = read(area, period, lang, radius=radius, site_district=site_district, sites=sites)
    metric = metric if metric in figures.METRICS else "covered_share"
    radius = tables.coverage_radius(filters, default_radius(con))
    scope, where, as_of = filters.scope, filters.area, filters.as_of
    if ctx.triggered_id == ids.COV_METRIC:
        # only the colours changed: patch the choropleth (trace 0) of the map the browser has
        metrics = coverage.township_metrics(con, scope, where, radius, as_of)
        if not metrics.empty and coverage.has_boundaries(con, scope, where):
            patch = Patch()
            for key, value in figures.metric_layer(metrics, metric, filters.lang).items():
                patch["data"][0][key] = value
            return patch, caption(filters, as_of=as_of)
    communities = coverage.communities(con, scope, where, radius)
    _, sites_frame = tables.coverage_sites(con, filters, default_radius(con))
    figure = figures.coverage_map(
        coverage.boundaries(con, scope, where), coverage.township_metrics(con, scope, where, radius, as_of), metric,
        coverage.facility_points(con, scope, where, as_of), communities[~communities["covered"]], sites_frame,
        filters.lang, t("empty.no_data", filters.lang),
        tiles=figures.basemap(areas.setting(con, "map.tile_url"), areas.setting(con, "map.tile_attribution")))
    return figure, caption(filters, as_of=as_of)


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
    columns, frame = tables.coverage_areas(con, filters, default_radius(con))
    if frame.empty:
        return [], column_defs(columns), t("empty.no_data", filters.lang)
    return tables.grid_rows(columns, frame), column_defs(columns), caption(filters, as_of=filters.as_of)


@callback(Output(ids.COV_UNCOVERED_TABLE, "rowData"), Output(ids.COV_UNCOVERED_TABLE, "columnDefs"),
          Output(ids.COV_UNCOVERED_CAPTION, "children"), *FILTERS, RADIUS)
def update_uncovered(area, period, lang, radius):
    con, filters = read(area, period, lang, radius=radius)
    columns, frame = tables.coverage_uncovered(con, filters, default_radius(con))
    if frame.empty and not filters.state.has_registry:
        return [], column_defs(columns), t("empty.no_data", filters.lang)
    if frame.empty:
        radius = int(tables.coverage_radius(filters, default_radius(con)))
        return [], column_defs(columns), t("empty.none_uncovered", filters.lang, radius=radius)
    return tables.grid_rows(columns, frame), column_defs(columns), caption(filters, as_of=filters.as_of)


@callback(Output(ids.COV_SITE_DISTRICT, "options"), Output(ids.COV_SITE_DISTRICT, "value"),
          Output(ids.COV_SITE_DISTRICT, "disabled"),
          Input(ids.AREA, "value"), Input(ids.LANG, "data"), RADIUS, State(ids.COV_SITE_DISTRICT, "value"))
def site_districts(area, lang, radius, current):
    """The district to plan for: the selected area's own, or (for the whole city) a choice that
    starts at the district with the most uncovered residents."""
    con = data.cursor()
    scope = data.current_scope()
    options_frame = areas.area_options(con, scope)
    districts = options_frame[options_frame["level"] == "district"]
    options = [{"label": row.name, "value": row.code} for row in districts.itertuples()]
    chosen = areas.resolve_area(con, scope, area)
    if chosen is not None and chosen.district_code:
        return options, chosen.district_code, True
    codes = set(districts["code"])
    if current in codes:
        return options, current, False
    table = coverage.coverage_table(con, scope, areas.CITY, float(radius or default_radius(con)))
    parts = table[~table["is_total"]].assign(uncovered=lambda f: f["population"] - f["covered_population"])
    best = parts.sort_values(["uncovered", "code"], ascending=[False, True])["code"].head(1).tolist()
    return options, best[0] if best else None, False


@callback(Output(ids.COV_SITES_TABLE, "rowData"), Output(ids.COV_SITES_TABLE, "columnDefs"),
          Output(ids.COV_SITES_SUMMARY, "children"), Output(ids.COV_SITES_CAPTION, "children"),
          *FILTERS, RADIUS, *SITES)
def update_sites(area, period, lang, radius, site_district, sites):
    con, filters = read(area, period, lang, radius=radius, site_district=site_district, sites=sites)
    lang = filters.lang
    if not filters.state.has_registry:
        return [], [], empty(t("empty.no_data", lang)), ""
    columns, frame = tables.coverage_sites(con, filters, default_radius(con))
    if tables.site_district(filters) is None:
        return [], column_defs(columns), empty(t("empty.choose_district", lang)), ""
    if frame.empty:
        return [], column_defs(columns), empty(t("empty.no_sites", lang)), caption(filters, as_of=filters.as_of)
    summary = t("cov.sites.summary", lang, count=len(frame), gained=count(frame["residents_gained"].sum(), lang))
    return (tables.grid_rows(columns, frame), column_defs(columns), html.Strong(summary),
            caption(filters, as_of=filters.as_of))
