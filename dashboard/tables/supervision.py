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
    frame["last_visit_text"] = frame["last_visit"].map(lambda d: "—" if pd.isna(d) else str(pd.Timestamp(d).date()))
    columns = [("rank", t("cmp.rank", lang), "int"), ("profile", t("col.facility", lang), "link"),
               ("type_name", t("col.type", lang), "text"), ("township_name", t("col.township", lang), "township"),
               ("score", t("sup.col.score", lang), "dec"), ("reasons", t("sup.col.reasons", lang), "text"),
               ("last_visit_text", t("sup.col.last_visit", lang), "text")]
    return columns, frame


def score_rule(weights: dict, parts, lang: str) -> str:
    """The risk score's formula in words, with the weights it is computed with."""
    terms = " + ".join(f"{float(weights.get(part, 0)):g}×{t(f'sup.part.{part}', lang)}" for part in parts
                       if float(weights.get(part, 0)))
    return t("sup.score_rule", lang, terms=terms)
