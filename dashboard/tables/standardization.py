"""The standardization page's tables: milestones, districts or townships compared, what each
center lacks, stations that lost a star."""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import milestone_state, t
from dashboard.tables import profile_links


def milestones(frame: pd.DataFrame, filters):
    """Shapes standardization.milestones."""
    lang = filters.lang
    frame = frame.copy()
    frame["status"] = [t(milestone_state(met, over), lang) for met, over in zip(frame["met"], frame["over"])]
    frame["as_of"] = frame["as_of"].astype(str)
    columns = [("year", t("std.col.year", lang), "text"), ("target_share", t("std.col.target", lang), "pct"),
               ("share", t("std.col.share", lang), "pct"), ("counted", t("std.col.counted", lang), "int"),
               ("total", t("std.col.total", lang), "int"), ("needed", t("std.col.needed", lang), "int"),
               ("status", t("std.col.status", lang), "text"), ("as_of", t("std.col.as_of", lang), "text")]
    return columns, frame


def compare(frame: pd.DataFrame, filters):
    """Shapes standardization.comparison_to_milestone."""
    lang = filters.lang
    frame = frame.assign(township_code=frame["code"] if filters.area.level != "city" else None)
    columns = [("name", t("col.name", lang), "township"), ("counted", t("std.col.counted", lang), "int"),
               ("total", t("std.col.total", lang), "int"), ("share", t("std.col.share", lang), "pct"),
               ("target_share", t("std.col.target", lang), "pct"), ("needed", t("std.col.needed", lang), "int"),
               ("code", t("col.code", lang), "text")]
    return columns, frame


def _lacks(row, lang: str) -> list[str]:
    found = []
    if row.lacks_premises:
        found.append(t("std.gap.premises", lang))
    if row.lacks_equipment:
        found.append(t("std.gap.equipment", lang))
    if row.lacks_standardization:
        found.append(t("std.gap.standardization", lang))
    if row.lacks_area:
        found.append(t("std.gap.area", lang, area=f"{row.building_area_m2:,.0f}", standard=f"{row.area_standard:,.0f}"))
    if row.lacks_tcm:
        found.append(t("std.gap.tcm", lang, share=f"{row.tcm_share:.0%}", norm=f"{row.tcm_norm:.0%}"))
    if row.lacks_quality_demo:
        found.append(t("std.gap.quality", lang))
    return found


def gaps(frame: pd.DataFrame, filters):
    """Shapes standardization.gap_list: each center's lacks in words."""
    lang = filters.lang
    frame = frame.copy()
    found = [_lacks(r, lang) for r in frame.itertuples()]
    frame["lacks"] = ["；".join(f) if lang == "zh" else "; ".join(f) for f in found]
    frame["lack_count"] = [len(f) for f in found]
    frame["profile"] = profile_links(frame, lang)
    columns = [("profile", t("col.facility", lang), "link"), ("township_name", t("col.township", lang), "township"),
               ("district_name", t("col.district", lang), "text"), ("lack_count", t("std.col.lack_count", lang), "int"),
               ("lacks", t("std.col.lacks", lang), "text"), ("facility_code", t("col.code", lang), "text")]
    return columns, frame


def lost(frame: pd.DataFrame, filters):
    """Shapes standardization.lost_stars."""
    lang = filters.lang
    frame = frame.copy()
    frame["change"] = [f"{'★' * int(a)} → {'★' * int(b)}" for a, b in zip(frame["previous"], frame["star_rating"])]
    frame["assessed_on"] = frame["assessed_on"].astype(str)
    frame["profile"] = profile_links(frame, lang)
    columns = [("profile", t("col.facility", lang), "link"), ("township_name", t("col.township", lang), "township"),
               ("change", t("std.col.from_to", lang), "whole"), ("assessed_on", t("std.col.date", lang), "text")]
    return columns, frame
