from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import plotly.graph_objects as go

FONT = ("PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, Noto Sans CJK SC, system-ui, sans-serif")
GOOD, BAD, NEUTRAL, TARGET = "#2e7d32", "#c62828", "#1565c0", "#6d4c41"
UNJUDGED = "#9e9e9e"


def judged_colours(meets) -> list[str]:
    """A bar's colour from the warehouse's judgement (`meets()`): met, not met, nothing to judge."""
    return [UNJUDGED if pd.isna(m) else GOOD if m else BAD for m in meets]


def base_layout(fig: go.Figure, height: int = 320, **extra) -> go.Figure:
    fig.update_layout(
        font={"family": FONT, "size": 12}, height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10},
        paper_bgcolor="white", plot_bgcolor="white", hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}, **extra)
    fig.update_xaxes(gridcolor="#eceff1", automargin=True)
    fig.update_yaxes(gridcolor="#eceff1", automargin=True)
    return fig


def empty_figure(message: str, height: int = 320) -> go.Figure:
    fig = go.Figure()
    # a chart's text does not wrap by itself: a long message is broken after its clauses, or a
    # half-width chart (or a phone) cuts both its ends off
    fig.add_annotation(text=clause_lines(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#6c757d"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, height)


def clause_lines(message: str) -> str:
    """The message with a line break after each sentence or clause (。，：; ". ", ", ", ": ")."""
    return re.sub(r"(?<=[。，：])(?!$)|(?<=[.,:]) (?=\S)", "<br>", message)


def unique_labels(names, qualifiers, codes=None) -> list[str]:
    """Labels that tell places or facilities apart: a name shared by several (城关镇 is in many
    districts; 新村社区卫生服务站 in many townships) gets its qualifier (the district or township)
    in brackets, and one still shared after that its code too; categories would merge them."""
    names, qualifiers = [str(n) for n in names], [str(q) for q in qualifiers]
    repeated = {n for n, times in Counter(names).items() if times > 1}
    labels = [f"{n}（{q}）" if n in repeated else n for n, q in zip(names, qualifiers)]
    if codes is None:
        return labels
    codes = [str(c) for c in codes]
    still = {label for label, times in Counter(labels).items() if times > 1}
    return [f"{n}（{q} · {c}）" if label in still else label
            for label, n, q, c in zip(labels, names, qualifiers, codes)]


def rate_range(values, *marks) -> list[float]:
    """An axis for rates in a narrow band (most between 88% and 99%): from a little below the lowest
    of the values, target and area line to a little above the highest, so differences show."""
    known = [float(v) for v in [*values, *marks] if v is not None and v == v]
    low, high = min(known), max(known)
    pad = max(0.02, 0.08 * (high - low))
    return [max(0.0, low - pad), high + pad]


def ranked_values(x, y, colours, is_rate: bool, **trace):
    """A ranking's trace: bars for counts (their length means something from 0); dots for rates
    on a zoomed axis (rate_range), where bars from 0% would all look alike."""
    if is_rate:
        return go.Scatter(x=x, y=y, mode="markers+text", textposition="middle right",
                          marker={"color": colours, "size": 11, "line": {"color": "white", "width": 1},
                                  **({"opacity": trace.pop("opacity")} if "opacity" in trace else {})},
                          cliponaxis=False, **trace)
    opacity = trace.pop("opacity", None)
    return go.Bar(x=x, y=y, orientation="h", marker={"color": colours, **({"opacity": opacity} if opacity else {})},
                  textposition="auto", **trace)
