"""Figures of the standardization page."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import base_layout, empty_figure
from dashboard.i18n import t

STAR_COLOURS = {1: "#ffcdd2", 2: "#ffe0b2", 3: "#c8e6c9", 4: "#66bb6a", 5: "#1b5e20"}


def star_distribution(frame: pd.DataFrame, lang: str, empty_message: str) -> go.Figure:
    if frame.empty:
        return empty_figure(empty_message, 300)
    fig = go.Figure()
    labels = pd.to_datetime(frame["as_of"]).dt.strftime("%Y-%m-%d")
    for stars in (1, 2, 3, 4, 5):
        part = frame[frame["star_rating"] == stars]
        fig.add_trace(go.Bar(x=labels[part.index], y=part["stations"], name=t("std.stars.legend", lang, stars=stars),
                             marker_color=STAR_COLOURS[stars],
                             hovertemplate="%{x}: %{y}<extra>" + t("std.stars.legend", lang, stars=stars) + "</extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", categoryorder="category ascending")
    return base_layout(fig, 300)
