"""The supervision route drawn as a plan: numbered stops joined in visiting order, from the bureau
and back. A plain plot (longitude across, latitude up, at the stops' scale) rather than a map:
map text needs a glyph server, which an offline machine has not, and the numbers are what an
inspector reads the route by."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from dashboard.figures.common import BAD, FONT, NEUTRAL
from dashboard.i18n import t

BUREAU = "#212121"


def route_figure(ordered, start: tuple[float, float], lang: str, height: int = 300) -> go.Figure:
    """`ordered`: the stops in visiting order (lon, lat, name); `start`: the bureau's (lon, lat)."""
    lons = [start[0], *ordered["lon"], start[0]]
    lats = [start[1], *ordered["lat"], start[1]]
    numbers = [str(n + 1) for n in range(len(ordered))]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=lons, y=lats, mode="lines", line={"width": 2, "color": NEUTRAL}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers+text", text=[t("sup.route.bureau", lang)],
                             textposition="bottom center", marker={"size": 14, "symbol": "square", "color": BUREAU},
                             hovertext=[t("sup.pdf.back", lang)], hoverinfo="text"))
    # the number inside each stop's circle, its name beside it
    fig.add_trace(go.Scatter(x=list(ordered["lon"]), y=list(ordered["lat"]), mode="markers+text", text=numbers,
                             textposition="middle center", textfont={"color": "white", "size": 11},
                             marker={"size": 20, "color": BAD, "line": {"width": 1, "color": "white"}},
                             hovertext=[f"{n}. {name}" for n, name in zip(numbers, ordered["name"])],
                             hoverinfo="text"))
    # an invisible circle as wide as the stop's: the name starts beside the circle, not under it
    fig.add_trace(go.Scatter(x=list(ordered["lon"]), y=list(ordered["lat"]), mode="markers+text",
                             marker={"size": 22, "opacity": 0},
                             text=list(ordered["name"]), textposition="middle right",
                             textfont={"size": 11, "color": "#37474f"}, hoverinfo="skip", cliponaxis=False))
    middle = sum(lats) / len(lats)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False,
                      font={"family": FONT}, paper_bgcolor="white", plot_bgcolor="#fafbfc",
                      hoverlabel={"font": {"family": FONT}})
    fig.update_xaxes(visible=False, range=_padded(lons, 0.25))
    # a degree of longitude is cos(latitude) of a degree of latitude on the ground: kept so, the
    # distances between stops look as they are
    fig.update_yaxes(visible=False, range=_padded(lats, 0.12), scaleanchor="x",
                     scaleratio=1 / math.cos(math.radians(middle)))
    return fig


def _padded(values, share: float) -> list[float]:
    low, high = min(values), max(values)
    pad = max((high - low) * share, 0.005)
    return [low - pad, high + pad]
