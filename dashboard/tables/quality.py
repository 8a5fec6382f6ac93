"""The data-quality page's tables: reporting rates, missing reports, outliers, consistency."""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from dashboard.tables import name_column, profile_links, yes_no


def rates(frame: pd.DataFrame, filters):
    """Shapes quality.reporting_rates (targets and `meets` from the warehouse)."""
    lang = filters.lang
    frame = frame.copy()
    frame["level_name"] = [t(f"level.{level}", lang) for level in frame["level"]]
    frame["township_code"] = frame["code"].where(frame["level"] == "township")
    frame["meets"] = yes_no(frame["meets"].astype(bool), lang)
    complete = frame["completeness_target"].iloc[0] if len(frame) else None
    timely = frame["timeliness_target"].iloc[0] if len(frame) else None
    targets = ({"c": f"{complete:.0%}", "t": f"{timely:.0%}"} if complete is not None else {"c": "—", "t": "—"})
    columns = [("level_name", t("col.type", lang), "text"), ("name", t("col.name", lang), "township"),
               ("expected", t("col.expected", lang), "int"), ("received", t("col.received", lang), "int"),
               ("completeness", t("col.completeness", lang), "pct"), ("timely", t("dq.state.on_time", lang), "int"),
               ("timeliness", t("col.timeliness", lang), "pct"),
               ("meets", t("col.meets_targets", lang, **targets), "text")]
    return columns, frame


def missing(frame: pd.DataFrame, filters):
    """Shapes overview.missing_reports."""
    lang = filters.lang
    frame = frame.copy()
    frame["type_name"] = frame["type"].map(lambda k: t(f"type.short.{k}", lang))
    frame["profile"] = profile_links(frame, lang)
    columns = [("profile", t("col.facility", lang), "link"), ("type_name", t("col.type", lang), "text"),
               ("township_name", t("col.township", lang), "township"), ("facility_code", t("col.code", lang), "text")]
    return columns, frame


def flags(frame: pd.DataFrame, filters):
    """Shapes quality.outliers or quality.consistency."""
    lang = filters.lang
    frame = frame.copy()
    frame["check_name"] = [t(f"dq.check.{c}", lang) for c in frame["check"]]
    frame["measure_name"] = name_column(frame, lang, "measure")
    frame["confirmed_text"] = frame["confirmed"].map({True: t("yes", lang), False: ""})
    frame["profile"] = profile_links(frame, lang)
    columns = [("check_name", t("col.check", lang), "text"), ("profile", t("col.facility", lang), "link"),
               ("township_name", t("col.township", lang), "township"), ("measure_name", t("col.measure", lang), "text"),
               ("period", t("col.period", lang), "text"), ("value", t("col.value", lang), "dec"),
               ("reference", t("col.reference", lang), "dec"), ("score", "z / ratio", "dec"),
               ("confirmed_text", t("col.confirmed", lang), "text"), ("note", t("fac.note", lang), "text")]
    return columns, frame
