"""The analysis page's charts, from the labelled long frame (dashboard.tables.analysis.labelled):
lines over the periods, bars across the areas (or periods), a township map. Rates are drawn on a
% axis; where counts are chosen too, they get an axis of their own on the right."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import base_layout, rate_range
from dashboard.figures.coverage import UNDER_MAP_PX, map_layout, shapes
from dashboard.i18n import count, pct

# More lines or bar groups than this are unreadable: the page asks for fewer, or the table.
MAX_SERIES = 24
PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#ad1457", "#9e9d24",
           "#455a64", "#0277bd", "#d84315"]
DIMENSIONS = ("indicator", "area", "period")


def shown_values(frame: pd.DataFrame, lang: str) -> list[str]:
    """Each value as the page writes it: a rate in %, a count as a count."""
    return [pct(v) if rate else count(v, lang) for v, rate in zip(frame["value"], frame["is_rate"])]


def _varying(frame: pd.DataFrame, dimensions) -> list[str]:
    return [d for d in dimensions if frame[f"{d}_label"].nunique() > 1]


def series_of(frame: pd.DataFrame, x: str) -> list[tuple[str, pd.DataFrame]]:
    """One series per combination of the dimensions other than `x` that vary (and per kind of
    value: rates and counts never share an axis), named by those dimensions' words."""
    named = [f"{d}_label" for d in _varying(frame, [d for d in DIMENSIONS if d != x])]
    return [(" · ".join(str(k) for k in key[:-1]) or rows["indicator_label"].iloc[0], rows)
            for key, rows in frame.groupby([*named, "is_rate"], sort=False)]


def bar_axis(frame: pd.DataFrame) -> str:
    """Bars stand along the areas, or the periods when one area is chosen, or the indicators."""
    return next((d for d in ("area", "period") if frame[f"{d}_label"].nunique() > 1), "indicator")


def chart(frame: pd.DataFrame, kind: str, lang: str, height: int = 460) -> go.Figure:
    """A line chart (periods along x) or a bar chart (`bar_axis` along x) of the labelled frame,
    in the query's order (indicators as the registry orders them, areas by code). Lines of rates
    are drawn on an axis zoomed to them (rate_range: most sit between 85% and 99%); bars from 0."""
    x = "period" if kind == "line" else bar_axis(frame)
    mixed = frame["is_rate"].nunique() > 1
    fig = go.Figure()
    for number, (name, rows) in enumerate(series_of(frame, x)):
        rate, colour = bool(rows["is_rate"].iloc[0]), PALETTE[number % len(PALETTE)]
        rows = rows.sort_values("period")
        trace = dict(x=rows[f"{x}_label"], y=rows["value"], name=name,
                     customdata=shown_values(rows, lang), yaxis="y" if rate or not mixed else "y2",
                     hovertemplate="%{fullData.name}<br>%{x}: %{customdata}<extra></extra>", marker={"color": colour})
        # a count beside rates: dotted, on its own axis at the right (bars side by side across the
        # two axes: each its own offset group)
        fig.add_trace(go.Scatter(mode="lines+markers", line={"color": colour, "dash": "solid" if rate else "dot"},
                                 **trace) if kind == "line" else go.Bar(offsetgroup=str(number), **trace))
    base_layout(fig, height, barmode="group", showlegend=True)
    order = frame.sort_values("period") if x == "period" else frame
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(dict.fromkeys(order[f"{x}_label"])))
    rates = frame[frame["is_rate"].astype(bool)]["value"].dropna()
    if len(rates):
        fig.update_yaxes(tickformat=".0%", **({"range": rate_range(rates)} if kind == "line" else
                                             {"rangemode": "tozero"}))
    else:
        fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    if mixed:
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "tickformat": ",.0f", "rangemode": "tozero",
                                  "showgrid": False})
    return fig


def township_map(frame: pd.DataFrame, outlines: dict, lang: str, height: int = 560) -> go.Figure:
    """One indicator of one period by township: the townships coloured by value (the coverage
    map's outlines as SVG shapes, no tiles, no text on the map: names are in the hover)."""
    rate = bool(frame["is_rate"].iloc[0])
    indicator = frame["indicator_label"].iloc[0]
    fig = go.Figure(shapes(
        outlines, frame["area_code"], False, z=frame["value"].astype(float).round(6),
        colorscale="Blues", marker_opacity=0.75, marker_line_width=1, marker_line_color="#607d8b",
        customdata=list(zip(frame["area_label"], shown_values(frame, lang))),
        hovertemplate=f"<b>%{{customdata[0]}}</b><br>{indicator}: %{{customdata[1]}}<extra></extra>",
        colorbar={"title": {"text": indicator, "side": "top"}, "orientation": "h", "thickness": 10, "len": 0.6,
                  "x": 0.0, "xanchor": "left", "y": -0.02, "yanchor": "top",
                  "tickformat": ".0%" if rate else ",.0f"}))
    map_layout(fig, None, height, outlines, pd.DataFrame())
    return fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": UNDER_MAP_PX // 2})
