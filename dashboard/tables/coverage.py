"""The coverage page's tables: coverage by area, uncovered communities, suggested sites."""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import t


def areas(frame: pd.DataFrame, filters):
    """Shapes coverage.coverage_table; its 'all' row is named for the user's scope."""
    lang = filters.lang
    frame = frame.copy()
    frame.loc[frame["code"] == "all", "name"] = t("area.all" if filters.scope.districts is None else "area.mine", lang)
    # below a district's row the parts are townships: their names link to their profiles
    frame["township_code"] = frame["code"].where(~frame["is_total"] & (filters.area.level != "city"))
    columns = [("name", t("col.name", lang), "township"), ("population", t("col.population", lang), "int"),
               ("covered_population", t("col.covered", lang), "int"),
               ("covered_share", t("col.covered_share", lang), "pct"),
               ("urban_share", t("col.urban_share", lang), "pct"), ("rural_share", t("col.rural_share", lang), "pct"),
               ("uncovered_communities", t("col.uncovered", lang), "int"), ("code", t("col.code", lang), "text")]
    return columns, frame


def uncovered(frame: pd.DataFrame, filters):
    """Shapes coverage.communities: the uncovered ones, most residents first."""
    lang = filters.lang
    frame = frame[~frame["covered"]].sort_values(["population", "code"], ascending=[False, True])
    columns = [("name", t("col.name", lang), "text"), ("township_name", t("col.township", lang), "township"),
               ("district_name", t("col.district", lang), "text"), ("population", t("col.population", lang), "int"),
               ("code", t("col.code", lang), "text")]
    return columns, frame


def sites(frame: pd.DataFrame | None, filters):
    """Shapes coverage.suggest_sites (None: no district chosen, an empty table): each site with
    the residents it gains and, so far in the plan, the gains and the district's covered shares."""
    lang = filters.lang
    columns = [("rank", t("col.rank", lang), "int"), ("name", t("col.site", lang), "text"),
               ("township_name", t("col.township", lang), "text"),
               ("residents_gained", t("col.gained", lang), "int"),
               ("communities_gained", t("col.gained_communities", lang), "int"),
               ("cumulative_gained", t("col.cumulative", lang), "int"),
               ("urban_share", t("col.urban_share_after", lang), "pct"),
               ("rural_share", t("col.rural_share_after", lang), "pct"), ("code", t("col.code", lang), "text")]
    if frame is None:
        return columns, pd.DataFrame(columns=[c[0] for c in columns])
    return columns, frame


def trend(answer: dict, filters):
    """Shapes coverage.coverage_over_time: a row per month and scenario, as the chart draws them."""
    lang = filters.lang
    frame = answer["months"].copy()
    frame["month_label"] = [f"{m:%Y-%m}" for m in frame["month"]]
    frame["scenario_name"] = [t(f"scenario.{s}", lang) for s in frame["scenario"]]
    columns = [("month_label", t("col.period", lang), "text"), ("scenario_name", t("col.scenario", lang), "text"),
               ("covered_population", t("col.covered", lang), "int"),
               ("covered_share", t("col.covered_share", lang), "pct"),
               ("urban_share", t("col.urban_share", lang), "pct"), ("rural_share", t("col.rural_share", lang), "pct"),
               ("streets_covered", t("col.streets_covered", lang), "int"), ("streets", t("col.streets", lang), "int"),
               ("centers", t("col.centers", lang), "int"),
               ("residents_per_center", t("col.residents_per_center", lang), "int")]
    return columns, frame
