"""Figures of the township comparison page."""
from __future__ import annotations

import copy
import functools
import math
import re

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (
    NEUTRAL,
    base_layout,
    empty_figure,
    judged_colours,
    ranked_values,
    rate_range,
    unique_labels,
)
from dashboard.i18n import pct

PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f"]


def ranking(frame: pd.DataFrame, is_count: bool, target, reference: list[tuple[str, float]], selected: set[str],
            empty_message: str, every: bool = False) -> tuple[go.Figure, int]:
    """One indicator across townships, best on top, coloured as the warehouse judged each
    (`meets_target`); selected townships outlined; target and area lines. A long ranking shows
    its ends (shown_ends) unless `every` one is asked for; returns the figure and how many
    townships it leaves out."""
    frame = frame.dropna(subset=["value"]).sort_values("value")
    if frame.empty:
        return empty_figure(empty_message), 0
    frame = frame.assign(label=unique_labels(frame["township_name"], frame["district_name"]))
    frame, hidden = (frame, 0) if every else shown_ends(frame, selected)
    fig = go.Figure(ranked_values(
        list(frame["value"]), list(frame["label"]),
        judged_colours(frame["meets_target"]), not is_count,
        opacity=[1.0 if not selected or c in selected else 0.35 for c in frame["township_code"]],
        customdata=frame[["numerator", "denominator", "district_name"]].fillna(0).to_numpy(),
        hovertemplate=("%{y} · %{customdata[2]}: %{x:" + (",.0f" if is_count else ".1%")
                       + "}<br>%{customdata[0]:,.0f} / %{customdata[1]:,.0f}<extra></extra>")))
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color="#6d4c41")
    for label, value in reference:
        if value is not None and value == value:
            fig.add_vline(x=value, line_dash="dot", line_color=NEUTRAL,
                          annotation_text=f"{label} {value:,.0f}" if is_count else f"{label} {pct(value)}",
                          annotation_position="bottom right")
    if not is_count:
        fig.update_xaxes(tickformat=".0%",
                         range=rate_range(frame["value"], target, *(value for _, value in reference)))
    return base_layout(fig, max(280, 22 * len(frame) + 60)), hidden


# A ranking longer than twice this shows its best and its worst this many (and the townships
# chosen for comparison), with a "⋯" row where the others are: every township is in the scorecard.
ENDS_SHOWN = 20
GAP_LABEL = "⋯"


def is_long(frame: pd.DataFrame) -> bool:
    """Whether a ranking of these townships draws only its ends (and so offers to show all)."""
    return int(frame["value"].notna().sum()) > 2 * ENDS_SHOWN


def shown_ends(frame: pd.DataFrame, selected: set[str]) -> tuple[pd.DataFrame, int]:
    """The rows a ranking draws, in its order, with a gap row ("⋯") wherever some were left out;
    and how many were left out."""
    if not is_long(frame):
        return frame, 0
    keep = [n < ENDS_SHOWN or n >= len(frame) - ENDS_SHOWN or code in selected
            for n, code in enumerate(frame["township_code"])]
    rows, previous, gaps = [], -1, 0
    for n, (kept, row) in enumerate(zip(keep, frame.to_dict("records"))):
        if not kept:
            continue
        if n > previous + 1:
            gaps += 1        # each gap a category of its own ("⋯", "⋯⋯"), or the axis would merge them
            rows.append({"label": GAP_LABEL * gaps, "value": None, "meets_target": None,
                         "township_code": "", "numerator": None, "denominator": None, "district_name": ""})
        rows.append(row)
        previous = n
    return pd.DataFrame(rows), keep.count(False)


def small_multiples(series: pd.DataFrame, indicators: pd.DataFrame, names: dict, lang: str,
                    empty_message: str, phone: bool = False) -> go.Figure | dict:
    """Every indicator over the last months, one line per chosen township: four charts a row, two
    on a phone (titles wrapped to the chart, wider gaps for the axes' numbers). Built as a plain
    figure dict on a cached subplot grid: plotly's objects validate each of the 28 subplots and
    50 lines again on every call, which took most of this callback's time."""
    if series.empty:
        return empty_figure(empty_message)
    name = "name_en" if lang == "en" else "name_zh"
    codes = list(indicators["indicator_code"])
    cols, spacing = (PHONE_COLUMNS, PHONE_SPACING) if phone else (COLUMNS, MULTIPLES_SPACING)
    titles = tuple(wrap_title(title, PHONE_TITLE_PX) if phone else title for title in indicators[name])
    layout = copy.deepcopy(_multiples_layout(titles, math.ceil(len(codes) / cols), cols, spacing))
    traces = []
    by_indicator = dict(tuple(series.groupby("indicator_code", sort=False)))
    is_rate = dict(zip(indicators["indicator_code"], indicators["denominator"].notna()))
    targets = dict(zip(indicators["indicator_code"], indicators["target"]))
    layout.setdefault("shapes", [])
    for n, code in enumerate(codes):
        part = by_indicator.get(code, series.iloc[:0])
        axis = "" if n == 0 else str(n + 1)
        # a rate reads in percent, against its target; the years under every small chart
        layout[f"xaxis{axis}"].update(showticklabels=True, tickformat="%Y", dtick="M12", tick0="2000-01-01",
                                      tickfont={"size": 9})
        if is_rate[code]:
            # whole percents, with a decimal where the range is narrow (a referral rate of 1–2%)
            layout[f"yaxis{axis}"].update(tickformat=".1~%")
            target = targets[code] if targets[code] == targets[code] else None      # NaN: no target
            flat = part["value"].dropna()
            if len(flat) and flat.min() == flat.max():
                # one value all along (every report on time: 100%): plotly would span it ±100%
                shown = [flat.iloc[0]] + ([target] if target is not None else [])
                layout[f"yaxis{axis}"].update(range=[min(shown) - FLAT_MARGIN, max(shown) + FLAT_MARGIN])
            if target is not None:
                layout["shapes"].append({"type": "line", "xref": f"x{axis} domain", "yref": f"y{axis}", "x0": 0, "x1": 1,
                                         "y0": target, "y1": target,
                                         "line": {"color": "#6d4c41", "width": 1, "dash": "dash"}})
        for township, line in part.groupby("township_code", sort=True):
            traces.append({
                "type": "scatter", "x": (line["period"] + "-01").tolist(), "y": line["value"].tolist(),
                "mode": "lines", "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                "line": {"color": PALETTE[list(names).index(township) % len(PALETTE)] if township in names else "#999",
                         "width": 1.5},
                "name": names.get(township, township), "legendgroup": township, "showlegend": n == 0,
                "hovertemplate": f"{names.get(township, township)} %{{x|%Y-%m}}: "
                                 + ("%{y:.1%}" if is_rate[code] else "%{y:,.0f}") + "<extra></extra>"})
    return {"data": traces, "layout": layout}


COLUMNS, MULTIPLES_SPACING = 4, 0.05      # charts a row; between columns, as a share of the width
FLAT_MARGIN = 0.02      # above and below a rate that never changes (and its target): two points
# A phone (under 576 px): two a row, the gap wide enough for the right chart's axis numbers (95%),
# each title wrapped to about a chart's width (a 390 px screen leaves each chart about 130 px)
PHONE_COLUMNS, PHONE_SPACING, PHONE_TITLE_PX = 2, 0.14, 125
# The titles' 11 px font: a CJK character 11 px, a Latin letter about 6.
TITLE_WIDE_PX, TITLE_NARROW_PX = 11.0, 6.2
TITLE_WORD = re.compile(r"[^\s\u2e80-\uffff]+|[\u2e80-\uffff]")


def wrap_title(title: str, width_px: float) -> str:
    """The title in lines (plotly's <br>) of at most `width_px`, broken between words or between
    any two Chinese characters, the lines as even as that many allow (no last word left alone); a
    word longer than a line keeps a line of its own."""
    tokens = []
    for match in TITLE_WORD.finditer(title):
        word = match.group()
        spaced = bool(tokens) and title[match.start() - 1].isspace()
        tokens.append((word, TITLE_WIDE_PX if ord(word[0]) >= 0x2E80 else TITLE_NARROW_PX * len(word), spaced))
    lines = _fill(tokens, width_px)
    total = sum(px for _, px, _ in tokens)
    target = max(total / len(lines), max((px for _, px, _ in tokens), default=0.0))
    while target < width_px:            # the narrowest width that needs no more lines
        even = _fill(tokens, target)
        if len(even) == len(lines):
            return "<br>".join(even)
        target += TITLE_NARROW_PX
    return "<br>".join(lines)


def _fill(tokens: list[tuple[str, float, bool]], width_px: float) -> list[str]:
    lines, line, used = [], "", 0.0
    for word, px, spaced in tokens:
        gap = TITLE_NARROW_PX if line and spaced else 0.0
        if line and used + gap + px > width_px:
            lines.append(line)
            line, used, gap = "", 0.0, 0.0
        line += (" " if gap else "") + word
        used += gap + px
    return [*lines, line] if line else lines or [""]


@functools.lru_cache(maxsize=32)
def _multiples_layout(titles: tuple[str, ...], rows: int, cols: int, spacing: float = MULTIPLES_SPACING) -> dict:
    """make_subplots' grid (top row first, each title centred above its cell), laid out here: its
    builder validates every one of the 28 cells' axes, 0.25 s on a process's first side-by-side
    table. tests/test_dashboard.py holds the two equal."""
    layout = base_layout(go.Figure(), 170 * rows + 60).to_plotly_json()["layout"]
    x_style, y_style = layout.pop("xaxis"), layout.pop("yaxis")
    # plotly's arithmetic, so the domains are the same floats: a cell's start is the widths before
    # it plus the gaps; rows are counted from the bottom
    vertical = 0.5 / rows
    width = (1.0 - spacing * (cols - 1)) / cols
    height = (1.0 - vertical * (rows - 1)) / rows
    annotations = []
    for n in range(rows * cols):
        row, col = divmod(n, cols)
        below = rows - 1 - row
        x0 = sum([width] * col) + col * spacing
        y0 = sum([height] * below) + below * vertical
        x, y = [x0, x0 + width], [min(max(y0, 0.0), 1.0), min(max(y0 + height, 0.0), 1.0)]
        suffix = "" if n == 0 else str(n + 1)
        layout[f"xaxis{suffix}"] = {**x_style, "anchor": f"y{suffix}", "domain": x,
                                    "showticklabels": False, "type": "date"}
        layout[f"yaxis{suffix}"] = {**y_style, "anchor": f"x{suffix}", "domain": y}
        if n < len(titles) and titles[n]:
            annotations.append({"font": {"size": 11}, "showarrow": False, "text": titles[n], "x": sum(x) / 2.0,
                                "xanchor": "center", "xref": "paper", "y": y[1], "yanchor": "bottom", "yref": "paper"})
    layout["annotations"] = annotations
    return layout


def scatter(frame: pd.DataFrame, resource: str, outcome_name: str, resource_name: str, is_count: bool,
            empty_message: str) -> go.Figure:
    """Resource against outcome per township; bubble size = residents."""
    frame = frame.dropna(subset=[resource, "value"])
    if frame.empty:
        return empty_figure(empty_message)
    size = 8 + 30 * (frame["population"] / frame["population"].max()) ** 0.5
    fig = go.Figure(go.Scatter(
        x=frame[resource], y=frame["value"], mode="markers", marker={"size": size, "color": NEUTRAL, "opacity": 0.6,
                                                                     "line": {"color": "white", "width": 1}},
        customdata=frame[["township_name", "district_name", "population"]].to_numpy(),
        hovertemplate=(f"%{{customdata[0]}} · %{{customdata[1]}}<br>{resource_name}: %{{x:.2f}}<br>{outcome_name}: "
                       + ("%{y:,.0f}" if is_count else "%{y:.1%}") + "<br>%{customdata[2]:,}<extra></extra>")))
    fig.update_xaxes(title_text=resource_name)
    fig.update_yaxes(title_text=outcome_name, tickformat=None if is_count else ".0%")
    return base_layout(fig, 360)
