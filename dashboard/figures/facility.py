"""Figures of the facility profile."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import BAD, GOOD, NEUTRAL, TARGET, base_layout, empty_figure
from dashboard.figures.coverage import map_layout, on_tiles, shapes
from dashboard.i18n import t


def location(lon, lat, name: str, geometry: str | None, tiles: dict | None = None) -> go.Figure:
    """The facility as a point inside its township's outline (SVG; the web map over a tile
    server's basemap when one is configured: dashboard.figures.coverage.on_tiles)."""
    if lon is None or lat is None:
        return empty_figure("—", 220)
    geojson = {"type": "FeatureCollection", "features": []}
    web = on_tiles(tiles)
    fig = go.Figure()
    if geometry:
        geojson["features"].append({"type": "Feature", "id": "t", "properties": {}, "geometry": json.loads(geometry)})
        fig.add_trace(shapes(geojson, ["t"], web, z=[1], colorscale=[[0, "#e3f2fd"], [1, "#e3f2fd"]],
                             showscale=False, marker_line_color="#607d8b", marker_line_width=1, hoverinfo="skip"))
    marks = go.Scattermap if web else go.Scattergeo
    fig.add_trace(marks(lon=[lon], lat=[lat], mode="markers", marker={"size": 14, "color": BAD},
                        hovertext=[name], hoverinfo="text"))
    points = pd.DataFrame({"lon": [lon], "lat": [lat]})
    return map_layout(fig, tiles, 220, geojson, points, showlegend=False)


def trend(series: pd.DataFrame, name: str, is_count: bool, lang: str, empty_message: str,
          own_label: str | None = None) -> go.Figure:
    """Monthly values with the target and the district; months without a report and flagged values
    marked. `own_label` names the line of the place itself (the facility by default)."""
    if series.empty or series["value"].isna().all():
        return empty_figure(empty_message)
    x = pd.to_datetime(series["period"] + "-01")
    fmt = ",.0f" if is_count else ".1%"
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=x, y=series["value"], mode="lines+markers", name=own_label or t("fac.trend.facility", lang),
        line={"color": NEUTRAL}, marker={"size": 4},
        customdata=series[["numerator", "denominator"]].fillna(0).to_numpy(),
        hovertemplate=f"%{{x|%Y-%m}}: %{{y:{fmt}}} (%{{customdata[0]:,.0f}}/%{{customdata[1]:,.0f}})<extra></extra>"))
    if not is_count and series["district_value"].notna().any():
        fig.add_trace(go.Scatter(x=x, y=series["district_value"], mode="lines", name=t("fac.trend.district", lang),
                                 line={"color": "#90a4ae", "dash": "dot"},
                                 hovertemplate=f"%{{x|%Y-%m}}: %{{y:{fmt}}}<extra></extra>"))
    target = series["target"].dropna()
    if not target.empty:
        fig.add_hline(y=float(target.iloc[-1]), line_dash="dash", line_color=TARGET,
                      annotation_text=t("ov.target_line", lang, target=f"{target.iloc[-1]:.0%}" if not is_count
                                        else f"{target.iloc[-1]:g}"), annotation_position="top left")
    missing = series[~series["received"].astype(bool)]
    if not missing.empty:
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(missing["period"] + "-01"), y=[0] * len(missing), mode="markers",
            name=t("fac.trend.missing", lang), marker={"symbol": "x", "size": 9, "color": "#9e9e9e"},
            hovertemplate="%{x|%Y-%m}: " + t("fac.trend.missing", lang) + "<extra></extra>"))
    flagged = series[series["flagged"].astype(bool) & series["value"].notna()]
    if not flagged.empty:
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(flagged["period"] + "-01"), y=flagged["value"], mode="markers",
            name=t("fac.trend.flagged", lang), marker={"size": 11, "color": BAD, "symbol": "circle-open",
                                                        "line": {"width": 2}},
            hovertemplate="%{x|%Y-%m}: %{y:" + fmt + "} · " + t("fac.trend.flagged", lang) + "<extra></extra>"))
    if not is_count:
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return base_layout(fig, 320)


# The calendar's colour levels of the warehouse's states (facility.submission_calendar).
CALENDAR_LEVELS = {"missing": 0, "late": 1, "on_time": 2}


def calendar(reports: pd.DataFrame, lang: str, empty_message: str) -> go.Figure:
    """Years × months: on time, late or missing."""
    if reports.empty:
        return empty_figure(empty_message, 220)
    frame = reports.assign(year=reports["period"].str[:4], month=reports["period"].str[5:7].astype(int))
    frame["state"] = frame["state"].map(CALENDAR_LEVELS)
    labels = {0: t("fac.calendar.missing", lang), 1: t("fac.calendar.late", lang), 2: t("fac.calendar.on_time", lang)}
    years = sorted(frame["year"].unique(), reverse=True)
    z = [[None] * 12 for _ in years]
    text = [[""] * 12 for _ in years]
    for row in frame.itertuples():
        i = years.index(row.year)
        z[i][row.month - 1] = row.state
        submitted = "" if pd.isna(row.submitted_on) else f" · {pd.Timestamp(row.submitted_on).date()}"
        text[i][row.month - 1] = f"{row.period}: {labels[row.state]}{submitted}"
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"{m}" for m in range(1, 13)], y=years, text=text, hoverinfo="text", zmin=0, zmax=2,
        colorscale=[[0, BAD], [0.33, BAD], [0.34, "#f9a825"], [0.66, "#f9a825"], [0.67, GOOD], [1, GOOD]],
        showscale=False, xgap=2, ygap=2))
    fig.update_yaxes(type="category")
    fig.update_xaxes(type="category", title_text="月" if lang == "zh" else "month")
    for state, colour in ((2, GOOD), (1, "#f9a825"), (0, BAD)):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=labels[state],
                                 marker={"size": 10, "color": colour, "symbol": "square"}))
    return base_layout(fig, max(160, 34 * len(years) + 80))
