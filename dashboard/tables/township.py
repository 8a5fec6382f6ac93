"""The township profile's tables: indicators with ranks, facilities, open rectifications."""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from dashboard.tables import indicator_links, name_column, profile_links, yes_no


def _rank(rank, of) -> str:
    return "—" if pd.isna(rank) else f"{int(rank)} / {int(of)}"


def indicators(frame: pd.DataFrame, filters):
    """Shapes township.indicator_ranks: each indicator's value, target and rank among peers."""
    lang = filters.lang
    frame = frame.copy()
    frame["indicator"] = name_column(frame, lang, "indicator")
    frame["indicator_link"] = indicator_links(frame, lang)
    frame["meets"] = yes_no(frame["meets_target"], lang)
    frame["district_rank_text"] = [_rank(r, o) for r, o in zip(frame["district_rank"], frame["district_of"])]
    frame["city_rank_text"] = [_rank(r, o) for r, o in zip(frame["city_rank"], frame["city_of"])]
    frame["numerator"] = frame["numerator"].astype(float)
    frame["denominator"] = frame["denominator"].astype(float)
    columns = [("indicator_link", t("col.indicator", lang), "link"),
               ("value", t("col.value", lang), "rate_or_count"), ("target", t("col.target", lang), "rate_or_count"),
               ("meets", t("col.meets", lang), "text"),
               ("previous_value", t("col.previous_value", lang), "rate_or_count"),
               ("district_rank_text", t("tp.col.district_rank", lang), "text"),
               ("city_rank_text", t("tp.col.city_rank", lang), "text"),
               ("numerator", t("col.numerator", lang), "int"), ("denominator", t("col.denominator", lang), "int"),
               ("indicator_code", t("col.code", lang), "text")]
    return columns, frame


STATE_TEXT = {"operating": "tp.state.operating", "closed": "tp.state.closed", "planned": "tp.state.planned"}


def facilities(frame: pd.DataFrame, filters):
    """Shapes township.facilities: every facility of the registry, its state today."""
    lang = filters.lang
    frame = frame.copy()
    frame["profile"] = profile_links(frame, lang)
    frame["type_name"] = [t(f"type.{v}", lang) for v in frame["type"]]
    frame["ownership_name"] = [t(f"ownership.{v}", lang) if isinstance(v, str) else "—" for v in frame["ownership"]]
    frame["state_name"] = [t(STATE_TEXT[v], lang) for v in frame["state"]]
    for column in ("opened_on", "closed_on"):
        frame[column] = frame[column].map(lambda v: "" if pd.isna(v) else str(pd.Timestamp(v).date()))
    columns = [("profile", t("col.facility", lang), "link"), ("type_name", t("col.type", lang), "text"),
               ("ownership_name", t("tp.col.ownership", lang), "text"), ("state_name", t("col.status", lang), "text"),
               ("opened_on", t("tp.col.opened", lang), "text"), ("closed_on", t("tp.col.closed", lang), "text"),
               ("facility_code", t("col.code", lang), "text")]
    return columns, frame


def findings(frame: pd.DataFrame, filters):
    """Shapes township.open_findings: the overdue first, with days overdue."""
    lang = filters.lang
    frame = frame.copy()
    frame["profile"] = profile_links(frame, lang)
    for column in ("visit_date", "rectify_by"):
        frame[column] = frame[column].map(lambda v: "" if pd.isna(v) else str(pd.Timestamp(v).date()))
    frame["status"] = [t("fac.overdue" if overdue else "fac.open", lang) for overdue in frame["overdue"]]
    columns = [("profile", t("col.facility", lang), "link"), ("visit_date", t("col.visit_date", lang), "text"),
               ("findings", t("col.findings", lang), "text"), ("rectify_by", t("col.rectify_by", lang), "text"),
               ("status", t("col.status", lang), "text"), ("days_overdue", t("col.days_overdue", lang), "int")]
    return columns, frame
