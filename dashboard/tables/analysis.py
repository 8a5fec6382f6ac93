"""The analysis page's pivot table: the long frame of analysis.values (one row per indicator ×
area × period) turned so that one dimension runs across and the others down. Pivoting only
places the view's values; none is summed or divided again."""
from __future__ import annotations

import pandas as pd

from dashboard.analysis_view import read_view
from dashboard.i18n import period_name, t

KEYS = {"indicator": "indicator_code", "area": "area_code", "period": "period"}
LABELS = {"indicator": "indicator_label", "area": "area_label", "period": "period_label"}


def labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The frame with each dimension's words in the page's language (indicator_label, area_label,
    period_label); two areas of one name (a 城关镇 in two districts) are told apart by code."""
    frame = frame.copy()
    frame["indicator_label"] = frame["indicator_en" if lang == "en" else "indicator_zh"]
    names = frame["area_name"].where(frame["area_code"] != "all", t("area.all", lang)).fillna(frame["area_code"])
    shared = frame["area_code"].groupby(names).transform("nunique") > 1
    frame["area_label"] = names.where(~shared, names + "（" + frame["area_code"] + "）")
    frame["period_label"] = [period_name(p, lang) for p in frame["period"]]
    return frame


def ordered(frame: pd.DataFrame, dimension: str) -> list[str]:
    """A dimension's codes in reading order: indicators as the registry orders them (the frame's
    order), areas by code, periods oldest first."""
    codes = frame[KEYS[dimension]]
    return list(dict.fromkeys(codes)) if dimension == "indicator" else sorted(set(codes))


def pivot(answer, filters):
    """Shapes analysis.values: (columns, frame) with a text column for each of the two row
    dimensions (the chosen one, then the third: one of a single value too, so that a table or its
    file always says which indicator, area and period it holds), then one number column per value
    of the column dimension (fields c0, c1 …: headers are the values' names). Rates are written
    as %, counts as counts: by column when indicators run across, else by row (`is_count`)."""
    lang, view = filters.lang, read_view(filters.params)
    rows_by = list(view.row_dimensions)
    if answer.refused or answer.values.empty:
        return [(LABELS[d], t(f"ana.dim.{d}", lang), "text") for d in rows_by], pd.DataFrame(
            columns=[LABELS[d] for d in rows_by])
    frame = labelled(answer.values, lang)
    index = [KEYS[d] for d in rows_by]
    across = ordered(frame, view.cols)
    fields = {code: f"c{n}" for n, code in enumerate(across)}
    wide = frame.pivot(index=index, columns=KEYS[view.cols], values="value").reindex(columns=across)
    wide = wide.rename(columns=fields).rename_axis(columns=None).reset_index()
    place = {KEYS[d]: {code: n for n, code in enumerate(ordered(frame, d))} for d in rows_by}
    wide = wide.sort_values(index, key=lambda codes: codes.map(place[codes.name])).reset_index(drop=True)
    for dimension in rows_by:
        wide[LABELS[dimension]] = wide[KEYS[dimension]].map(dict(zip(frame[KEYS[dimension]], frame[LABELS[dimension]])))
    is_rate = dict(zip(frame["indicator_code"], frame["is_rate"].astype(bool)))
    header = dict(zip(frame[KEYS[view.cols]], frame[LABELS[view.cols]]))
    # townships down the table link to their profiles (a column of kind "township")
    by_township = "area" in rows_by and (frame["area_level"] == "township").all()
    if by_township:
        wide["township_code"] = wide["area_code"]
    columns = [(LABELS[d], t(f"ana.dim.{d}", lang), "township" if d == "area" and by_township else "text")
               for d in rows_by]
    if view.cols == "indicator":
        return columns + [(fields[c], header[c], "pct" if is_rate[c] else "int") for c in across], wide
    wide["is_count"] = ~wide["indicator_code"].map(is_rate).astype(bool)      # every row holds one indicator
    return columns + [(fields[c], header[c], "rate_or_count") for c in across], wide
