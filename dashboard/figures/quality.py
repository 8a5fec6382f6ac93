"""Data-quality figures: the reporting grid."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import BAD, GOOD, base_layout, empty_figure, unique_labels
from dashboard.i18n import t

STATES = ("on_time", "late", "missing", "not_expected")
COLOURS = {"on_time": GOOD, "late": "#f9a825", "missing": BAD, "not_expected": "#e0e0e0"}


def reporting_grid(grid, lang: str, empty_message: str) -> go.Figure:
    """The reporting grid (warehouse.queries.quality.ReportingGrid): a row per facility, or per
    township or district when the area has more facilities than fit."""
    if grid.level == "facility":
        return facility_grid(grid.cells, lang, empty_message)
    return area_grid(grid.cells, lang, empty_message)


def facility_grid(frame: pd.DataFrame, lang: str, empty_message: str) -> go.Figure:
    """Facilities × months, each cell on time, late, missing or not expected (quality.reporting_grid).
    A row is a facility (by code): facilities sharing a name get their township, then their code."""
    if frame.empty:
        return empty_figure(empty_message, 240)
    codes, labels, months = _rows_and_months(frame, "facility_code", "township_name")
    lookup = {(r.facility_code, r.period): STATES.index(r.state) for r in frame.itertuples()}
    z = [[lookup.get((f, m)) for m in months] for f in codes]
    text = [[f"{labels[f]} {m}: {t('dq.state.' + STATES[lookup[(f, m)]], lang)}" if (f, m) in lookup else ""
             for m in months] for f in codes]
    scale = []
    for n, state in enumerate(STATES):
        scale += [[n / 4, COLOURS[state]], [(n + 1) / 4, COLOURS[state]]]
    fig = go.Figure(go.Heatmap(z=z, x=months, y=[labels[f] for f in codes], text=text, hoverinfo="text",
                               zmin=-0.5, zmax=3.5, colorscale=scale, showscale=False, xgap=1, ygap=1))
    for state in STATES:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=t(f"dq.state.{state}", lang),
                                 marker={"symbol": "square", "size": 10, "color": COLOURS[state]}))
    return base_layout(_category_axes(fig), max(260, 12 * len(codes) + 80))


def area_grid(frame: pd.DataFrame, lang: str, empty_message: str) -> go.Figure:
    """Townships or districts × months, each cell the share of the reports expected that came on
    time (red none, green all; grey where nothing was expected), its counts on hover."""
    if frame.empty:
        return empty_figure(empty_message, 240)
    codes, labels, months = _rows_and_months(frame, "code", "district_name")
    cells = {(r.code, r.period): r for r in frame.itertuples()}

    def share(code, month):
        cell = cells.get((code, month))
        return None if cell is None or not cell.expected else round(cell.on_time / cell.expected, 4)

    def hover(code, month):
        cell = cells.get((code, month))
        if cell is None or not cell.expected:
            return t("dq.grid.nothing_expected", lang, name=labels[code], month=month)
        return t("dq.grid.cell", lang, name=labels[code], month=month, on_time=cell.on_time,
                 expected=cell.expected, late=cell.late, missing=cell.missing)
    fig = go.Figure(go.Heatmap(
        z=[[share(c, m) for m in months] for c in codes], x=months, y=[labels[c] for c in codes],
        text=[[hover(c, m) for m in months] for c in codes], hoverinfo="text", zmin=0, zmax=1,
        colorscale=[[0, BAD], [0.8, COLOURS["late"]], [1, GOOD]], xgap=1, ygap=1,
        # above the grid, where the other charts have their legends: below it are the months
        colorbar={"title": {"text": t("dq.grid.on_time_share", lang), "side": "right"}, "orientation": "h",
                  "thickness": 10, "len": 0.5, "x": 0, "xanchor": "left", "y": 1.01, "yanchor": "bottom",
                  "tickformat": ".0%"}))
    return base_layout(_category_axes(fig), max(300, 14 * len(codes) + 140))


def _rows_and_months(frame: pd.DataFrame, key: str, qualifier: str) -> tuple[list, dict, list]:
    """A grid's rows in the frame's order (by code: two that share a name stay apart, labelled with
    their qualifier, then their code) and its months in order."""
    rows = frame.drop_duplicates(key)
    codes = list(rows[key])
    return codes, dict(zip(codes, unique_labels(rows["name"], rows[qualifier], codes))), sorted(frame["period"].unique())


def _category_axes(fig: go.Figure) -> go.Figure:
    fig.update_yaxes(autorange="reversed", type="category", tickfont={"size": 9})
    fig.update_xaxes(type="category")
    return fig
