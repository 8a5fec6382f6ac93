"""Every table a page shows, built once for the screen and for its xlsx/csv export, so both hold
the same rows for the same filters. A builder returns (columns, frame): columns are
(field, header, kind) with kind text | int | pct | dec."""
from __future__ import annotations

import pandas as pd

from dashboard.data import Filters, today
from dashboard.i18n import milestone_state, t
from dashboard.workbook import csv_bytes, xlsx_bytes
from warehouse.cache import per_version
from warehouse.geometry import clamp_radius
from warehouse.queries import coverage, overview, registry

TYPE_KEYS = ("CHC", "CHS", "THC", "VC")


def _name(frame: pd.DataFrame, lang: str) -> pd.Series:
    return frame["name_en"] if lang == "en" else frame["name_zh"]


def overview_indicators(con, filters: Filters):
    lang = filters.lang
    frame = overview.area_indicator_values(con, filters.scope, filters.area, filters.period)
    frame = frame[frame["direction"] != "watch"].copy()
    frame["indicator"] = _name(frame, lang)
    frame["indicator_link"] = [indicator_link(n, c, lang) for n, c in zip(frame["indicator"], frame["indicator_code"])]
    frame["category_name"] = frame["category_en"] if lang == "en" else frame["category_zh"]
    frame["gap"] = frame["value"] - frame["target"]
    frame["relative_gap"] = frame["gap"] / frame["target"]
    frame["meets"] = frame["meets_target"].map({True: t("yes", lang), False: t("no", lang)})
    frame["is_count"] = frame["denominator"].isna() & frame["numerator"].notna()
    frame = frame.sort_values(["relative_gap", "indicator_code"], na_position="last")
    columns = [("indicator_link", t("col.indicator", lang), "link"), ("category_name", t("col.category", lang), "text"),
               ("value", t("col.value", lang), "rate_or_count"), ("target", t("col.target", lang), "rate_or_count"),
               ("gap", t("col.gap", lang), "rate_or_count"), ("meets", t("col.meets", lang), "text"),
               ("numerator", t("col.numerator", lang), "int"), ("denominator", t("col.denominator", lang), "int"),
               ("indicator_code", t("col.code", lang), "text")]
    return columns, frame


def profile_link(name: str, code: str, lang: str) -> str:
    """A markdown link to a facility's profile; brackets in names cannot break out of it."""
    label = str(name).replace("[", "(").replace("]", ")").replace("\\", "")
    return f"[{label}](/facility/{code}{'?lang=en' if lang == 'en' else ''})"


def indicator_link(name: str, code: str, lang: str) -> str:
    """An ⓘ opening the indicator's entry in the indicator dictionary (指标说明), then its name (the
    ⓘ first: a narrow column cuts the end of a long name off)."""
    label = str(name).replace("[", "(").replace("]", ")").replace("\\", "")
    return f"[ⓘ](/indicators?code={code}{'&lang=en' if lang == 'en' else ''}) {label}"


# What a link column holds as plain text, in exports (a link's markdown means nothing in a file).
LINK_TEXT = {"profile": "name", "indicator_link": "indicator"}


def overview_overdue(con, filters: Filters):
    lang = filters.lang
    frame = overview.overdue_rectifications(con, filters.scope, filters.area, today())
    frame["type_name"] = frame["type"].map(lambda k: t(f"type.short.{k}", lang))
    frame["profile"] = [profile_link(n, c, lang) for n, c in zip(frame["name"], frame["facility_code"])]
    columns = [("profile", t("col.facility", lang), "link"), ("type_name", t("col.type", lang), "text"),
               ("township_name", t("col.township", lang), "text"), ("visit_date", t("col.visit_date", lang), "text"),
               ("score", t("col.score", lang), "dec"), ("findings", t("col.findings", lang), "text"),
               ("rectify_by", t("col.rectify_by", lang), "text"),
               ("days_overdue", t("col.days_overdue", lang), "int"),
               ("facility_code", t("col.code", lang), "text")]
    for col in ("visit_date", "rectify_by"):
        frame[col] = frame[col].astype(str)
    return columns, frame


def coverage_radius(filters: Filters, default: float) -> float:
    return clamp_radius(filters.params.get("radius") or default)


def coverage_areas(con, filters: Filters, default_radius: float):
    lang = filters.lang
    frame = coverage.coverage_table(con, filters.scope, filters.area, coverage_radius(filters, default_radius))
    frame.loc[frame["code"] == "all", "name"] = t("area.all" if filters.scope.districts is None else "area.mine", lang)
    columns = [("name", t("col.name", lang), "text"), ("population", t("col.population", lang), "int"),
               ("covered_population", t("col.covered", lang), "int"),
               ("covered_share", t("col.covered_share", lang), "pct"),
               ("urban_share", t("col.urban_share", lang), "pct"), ("rural_share", t("col.rural_share", lang), "pct"),
               ("uncovered_communities", t("col.uncovered", lang), "int"), ("code", t("col.code", lang), "text")]
    return columns, frame


def coverage_uncovered(con, filters: Filters, default_radius: float):
    lang = filters.lang
    frame = coverage.communities(con, filters.scope, filters.area, coverage_radius(filters, default_radius))
    frame = frame[~frame["covered"]].sort_values(["population", "code"], ascending=[False, True])
    columns = [("name", t("col.name", lang), "text"), ("township_name", t("col.township", lang), "text"),
               ("district_name", t("col.district", lang), "text"), ("population", t("col.population", lang), "int"),
               ("code", t("col.code", lang), "text")]
    return columns, frame


def site_district(filters: Filters) -> str | None:
    return filters.area.district_code or filters.params.get("site_district") or None


def site_count(filters: Filters) -> int:
    try:
        return min(max(int(filters.params.get("sites") or 3), 1), 10)
    except (TypeError, ValueError):
        return 3


def coverage_sites(con, filters: Filters, default_radius: float):
    lang = filters.lang
    district = site_district(filters)
    columns = [("rank", t("col.rank", lang), "int"), ("name", t("col.site", lang), "text"),
               ("township_name", t("col.township", lang), "text"),
               ("residents_gained", t("col.gained", lang), "int"),
               ("communities_gained", t("col.gained_communities", lang), "int"),
               ("cumulative_gained", t("col.cumulative", lang), "int"), ("code", t("col.code", lang), "text")]
    if not district:
        return columns, pd.DataFrame(columns=[c[0] for c in columns])
    frame = coverage.suggest_sites(con, filters.scope, district, coverage_radius(filters, default_radius),
                                   site_count(filters))
    return columns, frame


def to_file(columns, frame: pd.DataFrame, fmt: str) -> bytes:
    """The table as the user sees it: headers in their language, raw numbers (not text); a link
    column is exported as the facility's name."""
    frame = frame.assign(**{c[0]: frame[LINK_TEXT.get(c[0], "name")] for c in columns
                            if c[2] == "link" and LINK_TEXT.get(c[0], "name") in frame})
    table = frame[[c[0] for c in columns]].rename(columns={c[0]: c[1] for c in columns})
    if fmt == "csv":
        return csv_bytes(table)
    return xlsx_bytes({"data": table})


SCORE_KINDS = ("scorecell", "scorecount")


def grid_rows(columns, frame: pd.DataFrame, helpers: tuple[str, ...] = ()) -> list[dict]:
    """Rows for AG Grid: the shown columns, plus helper fields formatters read (`x__state`, `kind`)."""
    fields = [c[0] for c in columns] + [h for h in frame.columns if h in helpers or any(
        str(h).startswith(f"{c[0]}__") for c in columns if c[2] in SCORE_KINDS)]
    table = frame[list(dict.fromkeys(fields))]
    floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    # six decimals show every figure as precisely as it is formatted and keep responses small;
    # NaN in a float column goes out as null (Dash's encoder), other columns need None
    table = table.round({c: 6 for c in floats})
    others = [c for c in table.columns if c not in floats and table[c].isna().any()]
    if others:
        table = table.assign(**{c: table[c].astype(object).where(table[c].notna(), None) for c in others})
    names = [str(c) for c in table.columns]
    return [dict(zip(names, row)) for row in zip(*(table[c].tolist() for c in table.columns))]


def facility_indicators(con, filters: Filters, code: str):
    from warehouse.queries import facility
    lang = filters.lang
    frame = facility.indicator_table(con, filters.scope, code, filters.period)
    frame["indicator"] = _name(frame, lang)
    frame["indicator_link"] = [indicator_link(n, c, lang) for n, c in zip(frame["indicator"], frame["indicator_code"])]
    frame["category_name"] = frame["category_en"] if lang == "en" else frame["category_zh"]
    frame["meets"] = frame["meets_target"].map({True: t("yes", lang), False: t("no", lang)})
    columns = [("category_name", t("col.category", lang), "text"),
               ("indicator_link", t("col.indicator", lang), "link"),
               ("value", t("col.value", lang), "rate_or_count"), ("numerator", t("col.numerator", lang), "int"),
               ("denominator", t("col.denominator", lang), "int"), ("target", t("col.target", lang), "rate_or_count"),
               ("meets", t("col.meets", lang), "text"),
               ("change_previous", t("col.change_previous", lang), "rate_or_count"),
               ("change_last_year", t("col.change_last_year", lang), "rate_or_count"),
               ("district_percentile", t("col.pct_district", lang), "pct"),
               ("city_percentile", t("col.pct_city", lang), "pct"), ("indicator_code", t("col.code", lang), "text")]
    return columns, frame


def facility_warnings(con, filters: Filters, code: str):
    from warehouse.queries import facility
    lang = filters.lang
    frame = facility.warnings(con, filters.scope, code)
    frame["measure_name"] = frame["measure_en"] if lang == "en" else frame["measure_zh"]
    frame["message"] = frame["message_en"] if lang == "en" else frame["message_zh"]
    columns = [("period", t("col.period", lang), "text"), ("measure_name", t("col.measure", lang), "text"),
               ("value", t("col.value", lang), "text"), ("message", t("col.message", lang), "text"),
               ("file_name", t("col.file", lang), "text"), ("row_number", t("col.row", lang), "int")]
    return columns, frame


def facility_inspections(con, filters: Filters, code: str):
    from warehouse.queries import facility
    lang = filters.lang
    frame = facility.inspections(con, filters.scope, code)
    now = pd.Timestamp(today())

    def status(row):
        if pd.isna(row.rectify_by):
            return "—"
        if not pd.isna(row.rectified_on):
            return t("fac.rectified", lang)
        return t("fac.overdue" if pd.Timestamp(row.rectify_by) < now else "fac.open", lang)
    frame["status"] = [status(r) for r in frame.itertuples()]
    for col in ("visit_date", "rectify_by", "rectified_on"):
        frame[col] = frame[col].map(lambda v: "" if pd.isna(v) else str(pd.Timestamp(v).date()))
    frame["kind_name"] = frame["kind"].map(lambda k: t(f"inspection.{k}", lang) if isinstance(k, str) else "—")
    columns = [("visit_date", t("col.visit_date", lang), "text"), ("kind_name", t("col.kind", lang), "text"),
               ("inspector", t("col.inspector", lang), "text"), ("score", t("col.score", lang), "dec"),
               ("findings", t("col.findings", lang), "text"), ("rectify_by", t("col.rectify_by", lang), "text"),
               ("rectified_on", t("col.rectified_on", lang), "text"), ("status", t("col.status", lang), "text")]
    return columns, frame


def standardization_milestones(con, filters: Filters):
    from warehouse.queries import standardization
    lang = filters.lang
    frame = standardization.milestones(con, filters.scope, filters.area)
    frame["status"] = [t(milestone_state(met, over), lang) for met, over in zip(frame["met"], frame["over"])]
    frame["as_of"] = frame["as_of"].astype(str)
    columns = [("year", t("std.col.year", lang), "text"), ("target_share", t("std.col.target", lang), "pct"),
               ("share", t("std.col.share", lang), "pct"), ("counted", t("std.col.counted", lang), "int"),
               ("total", t("std.col.total", lang), "int"), ("needed", t("std.col.needed", lang), "int"),
               ("status", t("std.col.status", lang), "text"), ("as_of", t("std.col.as_of", lang), "text")]
    return columns, frame


def standardization_compare(con, filters: Filters):
    from warehouse.queries import standardization
    lang = filters.lang
    current = standardization.current_milestone(standardization.milestones(con, filters.scope, filters.area),
                                                standardization.horizon(con))
    target = current["target_share"] if current else 0.0
    frame = standardization.comparison(con, filters.scope, filters.area, target)
    columns = [("name", t("col.name", lang), "text"), ("counted", t("std.col.counted", lang), "int"),
               ("total", t("std.col.total", lang), "int"), ("share", t("std.col.share", lang), "pct"),
               ("target_share", t("std.col.target", lang), "pct"), ("needed", t("std.col.needed", lang), "int"),
               ("code", t("col.code", lang), "text")]
    return columns, frame


def standardization_gaps(con, filters: Filters):
    from warehouse.queries import areas as area_queries
    from warehouse.queries import standardization
    lang = filters.lang
    frame = standardization.gap_list(con, filters.scope, filters.area)
    norm = area_queries.setting(con, "standards.tcm_share_min")

    def lacks(row) -> list[str]:
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
            found.append(t("std.gap.tcm", lang, share=f"{row.tcm_share:.0%}", norm=f"{norm:.0%}"))
        if row.lacks_quality_demo:
            found.append(t("std.gap.quality", lang))
        return found
    found = [lacks(r) for r in frame.itertuples()]
    frame["lacks"] = ["；".join(f) if lang == "zh" else "; ".join(f) for f in found]
    frame["lack_count"] = [len(f) for f in found]
    frame["profile"] = [profile_link(n, c, lang) for n, c in zip(frame["name"], frame["facility_code"])]
    columns = [("profile", t("col.facility", lang), "link"), ("township_name", t("col.township", lang), "text"),
               ("district_name", t("col.district", lang), "text"), ("lack_count", t("std.col.lack_count", lang), "int"),
               ("lacks", t("std.col.lacks", lang), "text"), ("facility_code", t("col.code", lang), "text")]
    return columns, frame


def standardization_lost(con, filters: Filters):
    from warehouse.queries import standardization
    lang = filters.lang
    frame = standardization.lost_stars(con, filters.scope, filters.area)
    frame["change"] = [f"{'★' * int(a)} → {'★' * int(b)}" for a, b in zip(frame["previous"], frame["star_rating"])]
    frame["assessed_on"] = frame["assessed_on"].astype(str)
    frame["profile"] = [profile_link(n, c, lang) for n, c in zip(frame["name"], frame["facility_code"])]
    columns = [("profile", t("col.facility", lang), "link"), ("township_name", t("col.township", lang), "text"),
               ("change", t("std.col.from_to", lang), "text"), ("assessed_on", t("std.col.date", lang), "text")]
    return columns, frame


def township_scorecard(con, filters: Filters):
    """Townships × indicators, one row per township; the export carries every numerator and
    denominator behind the rates."""
    return _township_scorecard(con, filters.scope, filters.area, filters.period, filters.lang)


def township_scorecard_grid(con, filters: Filters) -> tuple[list[dict], list]:
    """The scorecard's grid rows and columns. Shaping 300 townships × 24 indicators takes longer
    than their SQL, and every user of a version asks the same: kept per version."""
    return _township_scorecard_grid(con, filters.scope, filters.area, filters.period, filters.lang)


@per_version(maxsize=32)
def _township_scorecard_grid(con, scope, area, period, lang):
    columns, frame = _township_scorecard(con, scope, area, period, lang)
    return grid_rows(columns, frame), columns


@per_version(maxsize=32)
def _township_scorecard(con, scope, area, period, lang):
    from warehouse.queries import comparison
    cells, totals = comparison.township_scorecard(con, scope, area, period)
    arrows = {"up": "↑", "down": "↓", "steady": "→", "none": ""}
    indicators = registry.indicators(con)
    # short fields (i0, i0__num ...): the grid receives 328 townships × 25 indicators × 5 values
    fields = {code: f"i{n}" for n, code in enumerate(indicators["indicator_code"])}
    cells = cells[cells["indicator_code"].isin(fields)].assign(
        field=lambda c: c["indicator_code"].map(fields), arrow=lambda c: c["arrow"].map(arrows))
    order = cells[["township_code", "township_name", "district_name"]].drop_duplicates("township_code")
    parts = [order.set_index("township_code")]
    for column, suffix in (("value", ""), ("numerator", "__num"), ("denominator", "__den"),
                           ("state", "__state"), ("arrow", "__arrow")):
        wide = cells.pivot(index="township_code", columns="field", values=column)
        parts.append(wide.add_suffix(suffix))
    rows = pd.concat(parts, axis=1).reindex(order["township_code"])
    rows.index.name = "township_code"
    frame = rows.reset_index().merge(totals, on="township_code", how="left")
    name = "name_en" if lang == "en" else "name_zh"
    columns = [("district_name", t("col.district", lang), "text"), ("township_name", t("col.township", lang), "text"),
               ("score", t("cmp.score", lang), "dec"), ("rank", t("cmp.rank", lang), "int"),
               ("met", t("cmp.met", lang), "int")]
    columns += [(fields[code], label, "scorecount" if pd.isna(denominator) else "scorecell")
                for code, label, denominator in zip(indicators["indicator_code"], indicators[name],
                                                    indicators["denominator"])]
    return columns, frame


def township_scorecard_export(con, filters: Filters):
    """The scorecard with numerator and denominator columns after every indicator."""
    columns, frame = township_scorecard(con, filters)
    lang = filters.lang
    expanded = []
    for field, header, kind in columns:
        expanded.append((field, header, "dec" if kind in SCORE_KINDS else kind))
        if kind in SCORE_KINDS:
            expanded.append((f"{field}__num", f"{header} {t('col.numerator', lang)}", "int"))
            expanded.append((f"{field}__den", f"{header} {t('col.denominator', lang)}", "int"))
    return expanded, frame


def side_by_side(con, filters: Filters, radius: float):
    """The chosen townships next to each other: resources (raw or per 10,000) and every indicator."""
    from warehouse.queries import comparison, registry
    lang = filters.lang
    chosen = [c for c in str(filters.params.get("compare") or "").split(",") if c][:comparison.MAX_COMPARED]
    per10k = filters.params.get("per") == "per10k"
    resources = comparison.township_resources(con, filters.scope, filters.area, filters.as_of, radius)
    resources = resources[resources["township_code"].isin(chosen)]
    long = comparison.township_indicators(con, filters.scope, filters.area, filters.period)
    long = long[long["township_code"].isin(chosen)]
    order = [c for c in chosen if c in set(resources["township_code"])]
    names = dict(zip(resources["township_code"], resources["township_name"]))
    lines = []
    for key, kind in (("population", "int"), ("facilities", "count"), ("residents_per_facility", "int"),
                      ("gps", "count"), ("nurses", "count"), ("covered_share", "pct"), ("standardized_share", "pct")):
        row = {"metric": t(f"cmp.row.{key}", lang), "kind": "pct" if kind == "pct" else "dec" if per10k and kind == "count" else "int"}
        for r in resources.itertuples():
            value = getattr(r, key)
            if per10k and kind == "count":
                value = value * 10000 / r.population if r.population else None
            row[r.township_code] = value
        if per10k and kind == "count":
            row["metric"] += f"（{t('cmp.per.per10k', lang)}）" if lang == "zh" else f" ({t('cmp.per.per10k', lang)})"
        lines.append(row)
    indicators = registry.indicators(con)
    name = "name_en" if lang == "en" else "name_zh"
    for code, label, denominator in zip(indicators["indicator_code"], indicators[name], indicators["denominator"]):
        part = long[long["indicator_code"] == code].set_index("township_code")
        is_count = denominator is None or denominator != denominator
        row = {"metric": label, "kind": "dec" if is_count and per10k else "int" if is_count else "pct"}
        for township in order:
            value = part["value"].get(township)
            if is_count and per10k and value is not None and value == value:
                population = resources.set_index("township_code")["population"].get(township)
                value = value * 10000 / population if population else None
            row[township] = value
        lines.append(row)
    frame = pd.DataFrame(lines)
    columns = [("metric", t("col.metric", lang), "text")] + [(c, names[c], "byrow") for c in order]
    return columns, frame


def _flags(frame: pd.DataFrame, con, lang: str):
    measures = registry.measure_names(con, lang)
    frame = frame.copy()
    frame["check_name"] = [t(f"dq.check.{c}", lang) for c in frame["check"]]
    frame["measure_name"] = frame["measure"].map(lambda m: measures.get(m, m))
    frame["confirmed_text"] = frame["confirmed"].map({True: t("yes", lang), False: ""})
    frame["profile"] = [profile_link(n, c, lang) for n, c in zip(frame["name"], frame["facility_code"])]
    columns = [("check_name", t("col.check", lang), "text"), ("profile", t("col.facility", lang), "link"),
               ("township_name", t("col.township", lang), "text"), ("measure_name", t("col.measure", lang), "text"),
               ("period", t("col.period", lang), "text"), ("value", t("col.value", lang), "dec"),
               ("reference", t("col.reference", lang), "dec"), ("score", "z / ratio", "dec"),
               ("confirmed_text", t("col.confirmed", lang), "text"), ("note", t("fac.note", lang), "text")]
    return columns, frame


def quality_window(filters: Filters) -> tuple[str, str]:
    """The last 12 loaded months, as 'YYYY-MM' bounds."""
    latest = filters.state.latest_month
    first = pd.Timestamp(latest) - pd.DateOffset(months=11)
    return first.strftime("%Y-%m"), latest.strftime("%Y-%m")


def quality_outliers(con, filters: Filters):
    from warehouse.queries import quality
    return _flags(quality.outliers(con, filters.scope, filters.area), con, filters.lang)


def quality_consistency(con, filters: Filters):
    from warehouse.queries import quality
    return _flags(quality.consistency(con, filters.scope, filters.area), con, filters.lang)


def quality_rates(con, filters: Filters):
    from warehouse.queries import quality
    lang = filters.lang
    frame = quality.reporting_rates(con, filters.scope, filters.area, filters.period.start.strftime("%Y-%m"),
                                    filters.period.end.strftime("%Y-%m"))
    from warehouse.queries import areas as area_queries
    frame["level_name"] = [t(f"level.{level}", lang) for level in frame["level"]]
    complete, timely = (area_queries.setting(con, "reporting.completeness_target"),
                        area_queries.setting(con, "reporting.timeliness_target"))
    frame["meets"] = [t("yes", lang) if c >= complete and m >= timely else t("no", lang)
                      for c, m in zip(frame["completeness"], frame["timeliness"])]
    columns = [("level_name", t("col.type", lang), "text"), ("name", t("col.name", lang), "text"),
               ("expected", t("col.expected", lang), "int"), ("received", t("col.received", lang), "int"),
               ("completeness", t("col.completeness", lang), "pct"), ("timely", t("dq.state.on_time", lang), "int"),
               ("timeliness", t("col.timeliness", lang), "pct"),
               ("meets", t("col.meets_targets", lang, c=f"{complete:.0%}", t=f"{timely:.0%}"), "text")]
    return columns, frame


def quality_missing(con, filters: Filters):
    lang = filters.lang
    frame = overview.missing_reports(con, filters.scope, filters.area, quality_window(filters)[1])
    frame["type_name"] = frame["type"].map(lambda k: t(f"type.short.{k}", lang))
    frame["profile"] = [profile_link(n, c, lang) for n, c in zip(frame["name"], frame["facility_code"])]
    columns = [("profile", t("col.facility", lang), "link"), ("type_name", t("col.type", lang), "text"),
               ("township_name", t("col.township", lang), "text"), ("facility_code", t("col.code", lang), "text")]
    return columns, frame
