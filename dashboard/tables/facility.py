"""The facility profile's tables: indicators, data warnings, supervision visits."""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from dashboard.tables import name_column, with_indicator_names


def indicators(frame: pd.DataFrame, filters):
    """Shapes facility.indicator_table."""
    lang = filters.lang
    frame = with_indicator_names(frame, lang)
    columns = [("category_name", t("col.category", lang), "text"),
               ("indicator_link", t("col.indicator", lang), "link"),
               ("value", t("col.value", lang), "rate_or_count"), ("numerator", t("col.numerator", lang), "int"),
               ("denominator", t("col.denominator", lang), "int"), ("target", t("col.target", lang), "rate_or_count"),
               ("meets", t("col.meets", lang), "text"),
               ("change_previous", t("col.change_previous", lang), f"change_{lang}"),
               ("change_last_year", t("col.change_last_year", lang), f"change_{lang}"),
               ("district_percentile", t("col.pct_district", lang), "pct"),
               ("city_percentile", t("col.pct_city", lang), "pct"), ("indicator_code", t("col.code", lang), "text")]
    return columns, frame


def warnings(frame: pd.DataFrame, filters):
    """Shapes facility.warnings."""
    lang = filters.lang
    frame = frame.copy()
    frame["measure_name"] = name_column(frame, lang, "measure")
    frame["message"] = name_column(frame, lang, "message")
    columns = [("period", t("col.period", lang), "text"), ("measure_name", t("col.measure", lang), "text"),
               ("value", t("col.value", lang), "text"), ("message", t("col.message", lang), "text"),
               ("file_name", t("col.file", lang), "text"), ("row_number", t("col.row", lang), "int")]
    return columns, frame


STATUS_TEXT = {"rectified": "fac.rectified", "overdue": "fac.overdue", "open": "fac.open"}


def inspections(frame: pd.DataFrame, filters):
    """Shapes facility.inspections (its `status` judged in the warehouse)."""
    lang = filters.lang
    frame = frame.copy()
    frame["status"] = frame["status"].map(lambda s: t(STATUS_TEXT[s], lang) if s in STATUS_TEXT else "—")
    for col in ("visit_date", "rectify_by", "rectified_on"):
        frame[col] = frame[col].map(lambda v: "" if pd.isna(v) else str(pd.Timestamp(v).date()))
    frame["kind_name"] = frame["kind"].map(lambda k: t(f"inspection.{k}", lang) if isinstance(k, str) else "—")
    columns = [("visit_date", t("col.visit_date", lang), "text"), ("kind_name", t("col.kind", lang), "text"),
               ("inspector", t("col.inspector", lang), "text"), ("score", t("col.score", lang), "dec"),
               ("findings", t("col.findings", lang), "text"), ("rectify_by", t("col.rectify_by", lang), "text"),
               ("rectified_on", t("col.rectified_on", lang), "text"), ("status", t("col.status", lang), "text")]
    return columns, frame
