"""Every table a page shows, built once for the screen and for its xlsx/csv export, so both hold
the same rows for the same filters. A builder returns (columns, frame): columns are
(field, header, kind) with kind text | int | pct | dec."""
from __future__ import annotations

import io

import pandas as pd

from dashboard.data import Filters, today
from dashboard.i18n import t
from warehouse.queries import coverage, overview

TYPE_KEYS = ("CHC", "CHS", "THC", "VC")


def _name(frame: pd.DataFrame, lang: str) -> pd.Series:
    return frame["name_en"] if lang == "en" else frame["name_zh"]


def overview_indicators(con, filters: Filters):
    lang = filters.lang
    frame = overview.area_indicator_values(con, filters.scope, filters.area, filters.period)
    frame = frame[frame["direction"] != "watch"].copy()
    frame["indicator"] = _name(frame, lang)
    frame["category_name"] = frame["category_en"] if lang == "en" else frame["category_zh"]
    frame["gap"] = frame["value"] - frame["target"]
    frame["relative_gap"] = frame["gap"] / frame["target"]
    frame["meets"] = frame["meets_target"].map({True: t("yes", lang), False: t("no", lang)})
    frame["is_count"] = frame["denominator"].isna() & frame["numerator"].notna()
    frame = frame.sort_values(["relative_gap", "indicator_code"], na_position="last")
    columns = [("indicator", t("col.indicator", lang), "text"), ("category_name", t("col.category", lang), "text"),
               ("value", t("col.value", lang), "rate_or_count"), ("target", t("col.target", lang), "rate_or_count"),
               ("gap", t("col.gap", lang), "rate_or_count"), ("meets", t("col.meets", lang), "text"),
               ("numerator", t("col.numerator", lang), "int"), ("denominator", t("col.denominator", lang), "int"),
               ("indicator_code", t("col.code", lang), "text")]
    return columns, frame


def profile_link(name: str, code: str, lang: str) -> str:
    """A markdown link to a facility's profile; brackets in names cannot break out of it."""
    label = str(name).replace("[", "(").replace("]", ")").replace("\\", "")
    return f"[{label}](/facility/{code}{'?lang=en' if lang == 'en' else ''})"


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
    try:
        radius = float(filters.params.get("radius") or default)
    except (TypeError, ValueError):
        radius = default
    return min(max(radius, 100.0), 5000.0)


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
    frame = frame.assign(**{c[0]: frame["name"] for c in columns if c[2] == "link" and "name" in frame})
    table = frame[[c[0] for c in columns]].rename(columns={c[0]: c[1] for c in columns})
    if fmt == "csv":
        return table.to_csv(index=False).encode("utf-8-sig")   # Excel on Windows reads the BOM
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, index=False, sheet_name="data")
    return buffer.getvalue()


def grid_rows(columns, frame: pd.DataFrame) -> list[dict]:
    table = frame[[c[0] for c in columns]].astype(object)
    return table.where(table.notna(), None).to_dict("records")


def facility_indicators(con, filters: Filters, code: str):
    from warehouse.queries import facility
    lang = filters.lang
    frame = facility.indicator_table(con, filters.scope, code, filters.period)
    frame["indicator"] = _name(frame, lang)
    frame["category_name"] = frame["category_en"] if lang == "en" else frame["category_zh"]
    frame["meets"] = frame["meets_target"].map({True: t("yes", lang), False: t("no", lang)})
    columns = [("category_name", t("col.category", lang), "text"), ("indicator", t("col.indicator", lang), "text"),
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
