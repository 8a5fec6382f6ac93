"""Figures of the overview page."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (
    NEUTRAL,
    TARGET,
    base_layout,
    empty_figure,
    judged_colours,
    ranked_values,
    rate_range,
    unique_labels,
)
from dashboard.i18n import count, pct, t


def milestone_trend(trend, lang: str, empty_message: str) -> go.Figure:
    """Month-end share of CHCs counted, against the milestone steps; each milestone marked met or
    not as the warehouse judged it (overview.milestone_trend_marked)."""
    months, steps = trend.months, trend.marks
    if months.empty:
        return empty_figure(empty_message)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=months["as_of"], y=months["share"], mode="lines", name=t("ov.trend.share", lang),
        line={"color": NEUTRAL, "width": 2},
        customdata=months[["counted", "total"]].to_numpy(),
        hovertemplate="%{x|%Y-%m}: %{y:.1%} (%{customdata[0]}/%{customdata[1]})<extra></extra>"))
    if not steps.empty:
        xs = [pd.Timestamp(int(y), 1, 1) for y in steps["year"]] + [pd.Timestamp(int(steps["year"].max()), 12, 31)]
        ys = list(steps["target_share"]) + [steps["target_share"].iloc[-1]]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"shape": "hv", "dash": "dash", "color": TARGET},
                                 name=t("ov.trend.target", lang), hoverinfo="skip"))
        marks = steps.dropna(subset=["as_of"])
        if not marks.empty:
            fig.add_trace(go.Scatter(
                x=list(marks["as_of"]), y=list(marks["share"]), mode="markers", showlegend=False,
                marker={"size": 11, "color": judged_colours(marks["met"]), "line": {"color": "white", "width": 1}},
                customdata=[[y, pct(target, 0), t("status.met" if met else "status.missed", lang)]
                            for y, target, met in zip(marks["year"], marks["target_share"], marks["met"])],
                hovertemplate="%{customdata[0]}: %{y:.1%} / %{customdata[1]} · %{customdata[2]}<extra></extra>"))
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    return base_layout(fig, 300)


def ranking(frame: pd.DataFrame, indicator_name: str, is_rate: bool, target: float | None, area_value: float | None,
            area_label: str, lang: str, empty_message: str) -> go.Figure:
    """One indicator across the parts of an area, best on top, coloured as the warehouse judged
    each (`meets_target`: met, not met, or nothing to judge)."""
    frame = frame.dropna(subset=["value"])
    if frame.empty:
        return empty_figure(empty_message)
    frame = frame.sort_values("value")
    colours = judged_colours(frame["meets_target"])
    value_format = ".1%" if is_rate else ",.0f"
    fig = go.Figure(ranked_values(
        list(frame["value"]), unique_labels(frame["name"], frame["code"]), colours, is_rate,
        customdata=frame[["numerator", "denominator"]].fillna(0).to_numpy(),
        text=[pct(v) if is_rate else count(v, lang) for v in frame["value"]],
        hovertemplate=(f"%{{y}}: %{{x:{value_format}}}<br>{t('col.numerator', lang)} %{{customdata[0]:,.0f}}"
                       + (f" / {t('col.denominator', lang)} %{{customdata[1]:,.0f}}" if is_rate else "")
                       + "<extra></extra>")))
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color="#6d4c41",
                      annotation_text=t("ov.target_line", lang, target=pct(target, 0) if is_rate else count(target)),
                      annotation_position="top left")
    if area_value is not None:
        fig.add_vline(x=area_value, line_dash="dot", line_color=NEUTRAL,
                      annotation_text=f"{area_label} {pct(area_value) if is_rate else count(area_value, lang)}",
                      annotation_position="bottom right")
    if is_rate:
        fig.update_xaxes(tickformat=".0%", range=rate_range(frame["value"], target, area_value))
    base_layout(fig, max(260, 28 * len(frame) + 70))
    fig.update_layout(margin={"t": 34, "b": 10})
    return fig
