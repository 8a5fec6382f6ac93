"""The supervision page's table: facilities by visit priority, each with its reasons."""
from __future__ import annotations

import pandas as pd

from dashboard.brief import reasons
from dashboard.i18n import t
from dashboard.tables import profile_links


def ranking(frame: pd.DataFrame, filters):
    """Shapes supervision.ranked: the reasons of each score in words."""
    lang = filters.lang
    frame = frame.copy()
    joiner = "；" if lang == "zh" else "; "
    frame["reasons"] = [joiner.join(reasons(r, lang)) for r in frame.to_dict("records")]
    frame["type_name"] = frame["type"].map(lambda k: t(f"type.short.{k}", lang))
    frame["profile"] = profile_links(frame, lang)
    columns = [("rank", t("cmp.rank", lang), "int"), ("profile", t("col.facility", lang), "link"),
               ("type_name", t("col.type", lang), "text"), ("township_name", t("col.township", lang), "text"),
               ("score", t("sup.col.score", lang), "dec"), ("reasons", t("sup.col.reasons", lang), "text")]
    return columns, frame
