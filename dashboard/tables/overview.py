"""The overview's tables: indicators against target, overdue rectifications."""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from dashboard.tables import profile_links, with_indicator_names


def indicators(frame: pd.DataFrame, filters):
    """Shapes overview.judged_indicators (the furthest below target first)."""
    lang = filters.lang
    frame = with_indicator_names(frame, lang)
    columns = [("indicator_link", t("col.indicator", lang), "link"), ("category_name", t("col.category", lang), "text"),
               ("value", t("col.value", lang), "rate_or_count"), ("target", t("col.target", lang), "rate_or_count"),
               ("gap", t("col.gap", lang), f"change_{lang}"), ("meets", t("col.meets", lang), "text"),
               ("numerator", t("col.numerator", lang), "int"), ("denominator", t("col.denominator", lang), "int"),
               ("indicator_code", t("col.code", lang), "text")]
    return columns, frame


def overdue(frame: pd.DataFrame, filters):
    """Shapes overview.overdue_rectifications."""
    lang = filters.lang
    frame = frame.copy()
    frame["type_name"] = frame["type"].map(lambda k: t(f"type.short.{k}", lang))
    frame["profile"] = profile_links(frame, lang)
    for col in ("visit_date", "rectify_by"):
        frame[col] = frame[col].astype(str)
    columns = [("profile", t("col.facility", lang), "link"), ("type_name", t("col.type", lang), "text"),
               ("township_name", t("col.township", lang), "township"), ("visit_date", t("col.visit_date", lang), "text"),
               ("score", t("col.score", lang), "dec"), ("findings", t("col.findings", lang), "text"),
               ("rectify_by", t("col.rectify_by", lang), "text"),
               ("days_overdue", t("col.days_overdue", lang), "int"),
               ("facility_code", t("col.code", lang), "text")]
    return columns, frame
