"""The township comparison's tables: the scorecard (townships × indicators) and the chosen
townships side by side."""
from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from dashboard.tables import SCORE_KINDS, indicator_link

ARROWS = {"up": "↑", "down": "↓", "steady": "→", "none": ""}
PIVOTED = (("value", ""), ("numerator", "__num"), ("denominator", "__den"), ("state", "__state"), ("arrow", "__arrow"))


def indicator_fields(cells: pd.DataFrame) -> dict[str, str]:
    """The scorecard's short field of each indicator code, in the warehouse's order."""
    return {code: f"i{n}" for n, code in enumerate(cells["indicator_code"].drop_duplicates())}


def scorecard(answer: tuple[pd.DataFrame, pd.DataFrame], filters):
    """Shapes comparison.township_scorecard (cells with state and arrow, totals with score and
    rank) into one row per township. Short fields (i0, i0__num …): the grid receives every
    township × every indicator × five values."""
    cells, totals = answer
    lang = filters.lang
    indicators = cells.drop_duplicates("indicator_code")[["indicator_code", "indicator_zh", "indicator_en", "is_count"]]
    fields = indicator_fields(cells)
    cells = cells.assign(field=cells["indicator_code"].map(fields), arrow=cells["arrow"].map(ARROWS))
    order = cells[["township_code", "township_name", "district_name"]].drop_duplicates("township_code")
    parts = [order.set_index("township_code")]
    for column, suffix in PIVOTED:
        wide = cells.pivot(index="township_code", columns="field", values=column)
        parts.append(wide.add_suffix(suffix))
    rows = pd.concat(parts, axis=1).reindex(order["township_code"])
    rows.index.name = "township_code"
    frame = rows.reset_index().merge(totals, on="township_code", how="left")
    name = "indicator_en" if lang == "en" else "indicator_zh"
    # the name, then its rank and score: on a phone the pinned name and those two fill the screen
    columns = [("township_name", t("col.township", lang), "township"), ("rank", t("cmp.rank", lang), "int"),
               ("score", t("cmp.score", lang), "dec"), ("met", t("cmp.met", lang), "int"),
               ("district_name", t("col.district", lang), "text")]
    columns += [(fields[code], label, "scorecount" if is_count else "scorecell")
                for code, label, is_count in zip(indicators["indicator_code"], indicators[name], indicators["is_count"])]
    return columns, frame


def scorecard_export(answer, filters):
    """The scorecard with numerator and denominator columns after every indicator."""
    columns, frame = scorecard(answer, filters)
    lang = filters.lang
    expanded = []
    for field, header, kind in columns:
        expanded.append((field, header, "dec" if kind in SCORE_KINDS else kind))
        if kind in SCORE_KINDS:
            expanded.append((f"{field}__num", f"{header} {t('col.numerator', lang)}", "int"))
            expanded.append((f"{field}__den", f"{header} {t('col.denominator', lang)}", "int"))
    return expanded, frame


def side_by_side(answer, filters):
    """Shapes comparison.side_by_side: a row per resource or indicator (led by its ⓘ), a column
    per township."""
    lang = filters.lang
    rows = answer.rows.copy()
    per10k = f"（{t('cmp.per.per10k', lang)}）" if lang == "zh" else f" ({t('cmp.per.per10k', lang)})"
    labels = [t(f"cmp.row.{key}", lang) if source == "resource" else (en if lang == "en" else zh)
              for key, source, zh, en in zip(rows["key"], rows["source"], rows["name_zh"], rows["name_en"])]
    rows.insert(0, "metric", [label + (per10k if scaled and source == "resource" else "")
                              for label, scaled, source in zip(labels, rows["per10k"], rows["source"])])
    rows["metric_link"] = [indicator_link(label, key, lang) if source == "indicator" else label
                           for label, key, source in zip(rows["metric"], rows["key"], rows["source"])]
    columns = [("metric_link", t("col.metric", lang), "link")] + [
        (code, name, "byrow") for code, name in zip(answer.townships["township_code"], answer.townships["township_name"])]
    return columns, rows
