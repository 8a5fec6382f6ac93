"""The coverage map: townships coloured by a metric, facilities, uncovered communities, suggested sites.
Offline by design: SVG shapes and points with no basemap, or the web map over the bureau's own tile
server when one is configured (`on_tiles`); no text drawn on the map (hover only)."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import FONT, TARGET, base_layout, empty_figure
from dashboard.i18n import count, number, pct, t

METRICS = {
    # metric: (format, colour scale, higher is better)
    "covered_share": ("pct", "Greens", True),
    "facilities_per_10k": ("dec", "Blues", True),
    "residents_per_center": ("int", "OrRd", False),
    "gps_per_10k": ("dec", "Purples", True),
    "standardized_share": ("pct", "Greens", True),
}
# the colour bar and the legend are drawn under the map, within the figure's height
UNDER_MAP_PX = 110
# the legend under the map, not on it (on a phone its rows covered a third of the map), and under
# the colour bar (metric_layer)
LEGEND_UNDER_MAP = {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0, "bgcolor": "rgba(255,255,255,0)"}
TYPE_STYLE = {"CHC": ("#0d47a1", 14), "THC": ("#6a1b9a", 14), "VC": ("#757575", 7)}
STAR_COLOURS = {1: "#b2dfdb", 2: "#80cbc4", 3: "#26a69a", 4: "#00897b", 5: "#004d40"}


def format_metric(value, metric: str, lang: str) -> str:
    kind = METRICS[metric][0]
    if kind == "pct":
        return pct(value)
    return count(value, lang) if kind == "int" else number(value, 1)


def _bounds(geojson: dict) -> tuple[float, float, float, float] | None:
    lons, lats = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for c in coords:
                walk(c)
    for feature in geojson.get("features", []):
        walk(feature["geometry"]["coordinates"])
    return (min(lons), min(lats), max(lons), max(lats)) if lons else None


def view(geojson: dict, points: pd.DataFrame, height: int) -> dict:
    bounds = _bounds(geojson)
    if bounds is None and not points.empty:
        bounds = (points["lon"].min(), points["lat"].min(), points["lon"].max(), points["lat"].max())
    if bounds is None:
        return {"center": {"lon": 116.4, "lat": 39.9}, "zoom": 9}
    lon0, lat0, lon1, lat1 = bounds
    span_lon, span_lat = max(lon1 - lon0, 0.005), max(lat1 - lat0, 0.005)
    zoom = min(math.log2(900 * 360 / (256 * span_lon)), math.log2(height * 170 / (256 * span_lat))) - 0.4
    return {"center": {"lon": (lon0 + lon1) / 2, "lat": (lat0 + lat1) / 2}, "zoom": max(min(zoom, 15), 5)}


def basemap(tile_url: str | None, attribution: str | None) -> dict:
    """No tiles unless a tile server is configured: white-bg fetches nothing."""
    if not tile_url:
        return {"style": "white-bg"}
    return {"style": "white-bg", "layers": [{"sourcetype": "raster", "source": [tile_url], "below": "traces",
                                              "sourceattribution": attribution or ""}]}


def metric_layer(metrics: pd.DataFrame, metric: str, lang: str) -> dict:
    """The choropleth's properties that depend on the chosen metric: all a metric change sends
    (dashboard.callbacks.coverage patches them into the map the browser has)."""
    fmt, scale, _ = METRICS[metric]
    metric_name = t(f"cov.metric.{metric}", lang)
    shown = metrics.assign(text=[format_metric(v, metric, lang) for v in metrics[metric]])
    columns = ["township_name", "text", "population", "facilities", "uncovered_communities"]
    return {"z": shown[metric].astype(float).round(6).tolist(), "colorscale": scale, "name": metric_name,
            # under the map, not on it: on a phone a standing bar covered a fifth of the map
            "colorbar": {"title": {"text": metric_name, "side": "top"}, "orientation": "h", "thickness": 10,
                         "len": 0.5, "lenmode": "fraction", "x": 0.0, "xanchor": "left", "y": -0.02, "yanchor": "top",
                         "tickformat": ".0%" if fmt == "pct" else None},
            "customdata": shown[columns].to_numpy().tolist(),
            "hovertemplate": (f"<b>%{{customdata[0]}}</b><br>{metric_name}: %{{customdata[1]}}"
                              f"<br>{t('col.population', lang)}: %{{customdata[2]:,}}"
                              f"<br>{t('cov.hover.facilities', lang)}: %{{customdata[3]:,}}"
                              f"<br>{t('col.uncovered', lang)}: %{{customdata[4]:,}}<extra></extra>")}


def coverage_map(layers, metric: str, sites: pd.DataFrame, lang: str, empty_message: str,
                 height: int = 660, tiles: dict | None = None) -> go.Figure:
    """`layers`: warehouse.queries.coverage.MapLayers. Drawn by township only, the map has no
    facility or uncovered points (their counts are in the townships' hover). Without a tile
    server (`tiles`) the map is plain SVG shapes and points (plotly's geo); with one, the web map
    over its tiles (`on_tiles`)."""
    geojson, metrics = layers.boundaries, layers.metrics
    points = layers.facilities if layers.facilities is not None else pd.DataFrame()
    uncovered = layers.uncovered if layers.uncovered is not None else pd.DataFrame()
    web = on_tiles(tiles)
    marks = go.Scattermap if web else go.Scattergeo
    if layers.by_township and not geojson.get("features"):
        return _township_points(metrics, metric, sites, lang, empty_message, height, tiles)
    if not geojson.get("features") and points.empty:
        return empty_figure(empty_message, height)
    fig = go.Figure()
    if geojson.get("features") and not metrics.empty:
        # see-through over tiles or under points (a dark township hid a dark marker); else the colour
        # bar's own colours
        see_through = web or not points.empty or not uncovered.empty
        fig.add_trace(shapes(geojson, metrics["township_code"], web, marker_opacity=0.55 if see_through else 0.8,
                             marker_line_width=1 if web else 0.6, marker_line_color="#607d8b", showscale=True,
                             **metric_layer(metrics, metric, lang)))
    if not uncovered.empty:
        fig.add_trace(marks(
            lon=uncovered["lon"], lat=uncovered["lat"], mode="markers", name=t("cov.uncovered.legend", lang),
            marker={"size": 9, "color": "#d32f2f", "opacity": 0.85},
            customdata=uncovered[["name", "township_name", "population"]].to_numpy(),
            hovertemplate=(f"<b>%{{customdata[0]}}</b> · %{{customdata[1]}}<br>{t('col.population', lang)}: "
                           f"%{{customdata[2]:,}}<extra>{t('cov.uncovered.legend', lang)}</extra>")))
    for label, frame, colour, size in _facility_groups(points, lang):
        # one trace per type (stations: per star rating), so the type and stars go in the template
        # once; each point carries only what differs (3,000 points at province scale)
        custom = frame.assign(state=["—" if pd.isna(s) else t("yes", lang) if bool(s) else t("no", lang)
                                     for s in frame["standardized"]])
        fig.add_trace(marks(
            lon=frame["lon"].round(5), lat=frame["lat"].round(5), mode="markers", name=label,
            marker={"size": size, "color": colour},
            customdata=custom[["facility_code", "name", "township_name", "state"]].to_numpy(),
            hovertemplate=(f"<b>%{{customdata[1]}}</b><br>{label} · %{{customdata[2]}}<br>"
                           f"{t('cov.hover.standardized', lang)}: %{{customdata[3]}}"
                           f"<br><i>{t('cov.hover.open_profile', lang)}</i><extra></extra>")))
    _add_sites(fig, sites, lang, marks)
    return map_layout(fig, tiles, height, geojson, points, UNDER_MAP_PX, legend=LEGEND_UNDER_MAP, clickmode="event")


def on_tiles(tiles: dict | None) -> bool:
    """Whether a map is drawn over a tile server's basemap: the one thing that needs the WebGL web
    map (MapLibre). Without tiles, SVG shapes and points draw the same, and a browser on two busy
    cores showed them a third of a second and more sooner (docs/performance.md)."""
    return bool((tiles or {}).get("layers"))


def shapes(geojson: dict, locations, web: bool, **style):
    """Areas of `geojson` (features by id): on the web map, or as SVG shapes (wound as d3 reads them)."""
    if web:
        return go.Choroplethmap(geojson=geojson, locations=locations, featureidkey="id", **style)
    return go.Choropleth(geojson=clockwise(geojson), locationmode="geojson-id", locations=locations,
                         featureidkey="id", **style)


def map_layout(fig: go.Figure, tiles: dict | None, height: int, geojson: dict, points: pd.DataFrame,
               under_map: int = 0, **extra) -> go.Figure:
    """The web map over the tiles, centred and zoomed on the shapes and points it draws (`view`, in
    the height less `under_map`); or the SVG map, which fits itself to them."""
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0}, font={"family": FONT},
                      hoverlabel={"font": {"family": FONT}}, **extra)
    if on_tiles(tiles):
        return fig.update_layout(map={**tiles, **view(geojson, points, height - under_map)})
    # transverse Mercator: as true to shapes as the web map's Mercator, and it fills the frame when fitted
    fig.update_geos(fitbounds="locations", visible=False, projection_type="transverse mercator",
                    bgcolor="rgba(0,0,0,0)")
    return fig.update_layout(dragmode="pan", paper_bgcolor="white")


def _add_sites(fig: go.Figure, sites: pd.DataFrame, lang: str, marks=go.Scattergeo) -> None:
    if sites.empty:
        return
    fig.add_trace(marks(lon=sites["lon"], lat=sites["lat"], mode="markers", showlegend=False,
                        hoverinfo="skip", marker={"size": 22, "color": "#212121"}))
    fig.add_trace(marks(
        lon=sites["lon"], lat=sites["lat"], mode="markers", name=t("cov.sites.legend", lang),
        marker={"size": 16, "color": "#ffca28"},
        customdata=sites[["rank", "name", "township_name", "residents_gained"]].to_numpy(),
        hovertemplate=(f"#%{{customdata[0]}} <b>%{{customdata[1]}}</b> · %{{customdata[2]}}<br>"
                       f"{t('col.gained', lang)}: %{{customdata[3]:,}}<extra></extra>")))


def clockwise(geojson: dict) -> dict:
    """The shapes with their outer rings clockwise and their holes anticlockwise, as the SVG map
    (d3) reads them; GeoJSON's own rule is the opposite, and a ring the wrong way round is read
    as the whole globe but that shape."""
    def ring(points: list, outer: bool) -> list:
        twice_area = sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in zip(points, points[1:]))
        return points[::-1] if (twice_area > 0) == outer else points

    def polygon(rings: list) -> list:
        return [ring(r, n == 0) for n, r in enumerate(rings)]

    features = []
    for feature in geojson.get("features", []):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Polygon":
            geometry = {**geometry, "coordinates": polygon(geometry["coordinates"])}
        elif geometry.get("type") == "MultiPolygon":
            geometry = {**geometry, "coordinates": [polygon(p) for p in geometry["coordinates"]]}
        features.append({**feature, "geometry": geometry})
    return {**geojson, "features": features}


def _township_points(metrics: pd.DataFrame, metric: str, sites: pd.DataFrame, lang: str, empty_message: str,
                     height: int, tiles: dict | None) -> go.Figure:
    """Townships as points coloured by the metric, for an area drawn by township that has no
    township boundaries loaded."""
    placed = metrics.dropna(subset=["lon", "lat"])
    if placed.empty:
        return empty_figure(empty_message, height)
    layer = metric_layer(placed, metric, lang)
    marks = go.Scattermap if on_tiles(tiles) else go.Scattergeo
    fig = go.Figure(marks(
        lon=placed["lon"].round(5), lat=placed["lat"].round(5), mode="markers", name=layer["name"],
        marker={"size": 14, "color": layer["z"], "colorscale": layer["colorscale"], "showscale": True,
                "colorbar": layer["colorbar"]},
        customdata=layer["customdata"], hovertemplate=layer["hovertemplate"]))
    _add_sites(fig, sites, lang, marks)
    return map_layout(fig, tiles, height, {}, placed, UNDER_MAP_PX)


def _facility_groups(points: pd.DataFrame, lang: str):
    """Facilities as legend groups: centers, township centers, stations by star rating, village clinics."""
    if points.empty:
        return
    for kind in ("CHC", "THC"):
        frame = points[points["type"] == kind]
        if not frame.empty:
            yield t(f"type.{kind}", lang), frame, *TYPE_STYLE[kind]
    stations = points[points["type"] == "CHS"]
    for stars in (5, 4, 3, 2, 1):
        frame = stations[stations["star_rating"] == stars]
        if not frame.empty:
            yield t("cov.stars", lang, stars=stars), frame, STAR_COLOURS[stars], 9
    unrated = stations[stations["star_rating"].isna()]
    if not unrated.empty:
        yield t("cov.no_stars", lang), unrated, "#9e9e9e", 9
    frame = points[points["type"] == "VC"]
    if not frame.empty:
        yield t("type.VC", lang), frame, *TYPE_STYLE["VC"]


# the trend's lines: (field, label key, colour); urban and rural carry their target
TREND_LINES = (("covered_share", "cov.total", "#1565c0"), ("urban_share", "cov.urban", "#00838f"),
               ("rural_share", "cov.rural", "#6a1b9a"), ("street_share", "cov.trend.streets", "#ef6c00"))


def coverage_trend(trend: dict, lang: str, empty_message: str, view_from=None) -> go.Figure:
    """Coverage month by month (warehouse.queries.coverage.coverage_over_time): the shares above,
    residents per CHC/THC below; the planned scenario dashed after today's month, the urban and
    rural targets dotted. The view starts at `view_from` (the first month of service data); a
    double click shows every month since the first facility opened."""
    from plotly.subplots import make_subplots
    months = trend["months"]
    if months.empty:
        return empty_figure(empty_message)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.06)
    x_of = {scenario: pd.to_datetime(frame["month"]) for scenario, frame in months.groupby("scenario")}
    for scenario, frame in months.groupby("scenario"):
        planned = scenario == "planned"
        x = x_of[scenario]
        suffix = f"（{t('cov.trend.planned', lang)}）" if planned and lang == "zh" else \
            f" ({t('cov.trend.planned', lang)})" if planned else ""
        for field, label, colour in TREND_LINES:
            if frame[field].isna().all():
                continue
            fig.add_trace(go.Scatter(
                x=x, y=frame[field], mode="lines", name=t(label, lang) + suffix, legendgroup=field + scenario,
                line={"color": colour, "width": 2, "dash": "dash" if planned else "solid", "shape": "hv"},
                hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra>" + t(label, lang) + suffix + "</extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=x, y=frame["residents_per_center"], mode="lines", name=t("cov.metric.residents_per_center", lang) + suffix,
            legendgroup="per_center" + scenario, showlegend=False,
            line={"color": TARGET, "width": 2, "dash": "dash" if planned else "solid", "shape": "hv"},
            hovertemplate="%{x|%Y-%m}: %{y:,.0f}<extra>" + t("cov.metric.residents_per_center", lang) + "</extra>"),
            row=2, col=1)
    start, end = pd.to_datetime(months["month"]).min(), pd.to_datetime(months["month"]).max()
    for part, colour in (("urban", "#00838f"), ("rural", "#6a1b9a")):
        if months[f"{part}_share"].isna().all():
            continue
        target = trend[f"{part}_target"]
        fig.add_trace(go.Scatter(
            x=[start, end], y=[target, target], mode="lines", hoverinfo="skip",
            name=t("cov.trend.target", lang, part=t(f"cov.{part}", lang), target=pct(target, 0)),
            line={"color": colour, "width": 1, "dash": "dot"}), row=1, col=1)
    # the shares' axis starts a little under the lowest share or target in view, so a change of a
    # few points shows (the ticks say where it starts)
    in_view = months if view_from is None else months[pd.to_datetime(months["month"]) >= pd.Timestamp(view_from)]
    lowest = pd.concat([in_view[field] for field, _, _ in TREND_LINES]).dropna()
    marks = [trend[f"{part}_target"] for part in ("urban", "rural") if not months[f"{part}_share"].isna().all()]
    floor = min([*lowest.tolist(), *marks], default=0.0)
    fig.update_yaxes(range=[max(0.0, math.floor((floor - 0.05) * 10) / 10), 1.02], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(title_text=t("cov.trend.per_center_axis", lang), title_font={"size": 11}, rangemode="tozero",
                     row=2, col=1)
    if view_from is not None and pd.Timestamp(view_from) > start:
        fig.update_xaxes(range=[pd.Timestamp(view_from), end + pd.Timedelta(days=15)])
        # the lower chart scaled to the months in view, not to the early years of few centers
        shown = months.loc[pd.to_datetime(months["month"]) >= pd.Timestamp(view_from), "residents_per_center"]
        if shown.notna().any():
            fig.update_yaxes(range=[0, float(shown.max()) * 1.15], row=2, col=1)
    return base_layout(fig, 420)
