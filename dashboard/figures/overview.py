"""Figures of the overview page."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (
    BAD,
    GOOD,
    NEUTRAL,
    TARGET,
    base_layout,
    empty_figure,
    judged_colours,
    unique_labels,
)
from dashboard.i18n import count, pct, t


def milestone_trend(trend: pd.DataFrame, milestones: pd.DataFrame, lang: str, empty_message: str) -> go.Figure:
    """Month-end share of CHCs counted, against the milestone steps; each milestone marked met or not."""
    if trend.empty:
        return empty_figure(empty_message)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=trend["as_of"], y=trend["share"], mode="lines", name=t("ov.trend.share", lang),
        line={"color": NEUTRAL, "width": 2},
        customdata=trend[["counted", "total"]].to_numpy(),
        hovertemplate="%{x|%Y-%m}: %{y:.1%} (%{customdata[0]}/%{customdata[1]})<extra></extra>"))
    steps = milestones.sort_values("year")
    if not steps.empty:
        xs = [pd.Timestamp(int(y), 1, 1) for y in steps["year"]] + [pd.Timestamp(int(steps["year"].max()), 12, 31)]
        ys = list(steps["target_share"]) + [steps["target_share"].iloc[-1]]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"shape": "hv", "dash": "dash", "color": TARGET},
                                 name=t("ov.trend.target", lang), hoverinfo="skip"))
        by_month = trend.assign(as_of=pd.to_datetime(trend["as_of"])).set_index("as_of")["share"]
        marks = []
        for year, target in zip(steps["year"], steps["target_share"]):
            end = pd.Timestamp(int(year), 12, 31)
            known = by_month[by_month.index <= end]
            if known.empty:
                continue
            marks.append((known.index[-1], known.iloc[-1], known.iloc[-1] >= target - 1e-9, year, target))
        if marks:
            fig.add_trace(go.Scatter(
                x=[m[0] for m in marks], y=[m[1] for m in marks], mode="markers", showlegend=False,
                marker={"size": 11, "color": [GOOD if m[2] else BAD for m in marks], "line": {"color": "white", "width": 1}},
                customdata=[[m[3], pct(m[4], 0), t("status.met" if m[2] else "status.missed", lang)] for m in marks],
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
    fig = go.Figure(go.Bar(
        x=frame["value"], y=unique_labels(frame["name"], frame["code"]), orientation="h", marker_color=colours,
        customdata=frame[["numerator", "denominator"]].fillna(0).to_numpy(),
        text=[pct(v) if is_rate else count(v, lang) for v in frame["value"]], textposition="auto",
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
        fig.update_xaxes(tickformat=".0%")
    base_layout(fig, max(260, 28 * len(frame) + 70))
    fig.update_layout(margin={"t": 34, "b": 10})
    return fig
