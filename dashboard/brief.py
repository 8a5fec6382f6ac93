"""The visit brief: what an inspector takes to a facility, as data, then as PDF, xlsx or HTML.

The PDF embeds a CJK font from the machine (Debian's fonts-wqy-microhei, or the file named by
JICENG_PDF_FONT); printable in black and white: no meaning is carried by colour alone.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path

import pandas as pd

from dashboard.i18n import count, pct, stamp, t
from dashboard.tables.facility import STATUS_TEXT
from dashboard.workbook import xlsx_bytes
from warehouse.periods import Period
from warehouse.queries import areas, facility, supervision

FONT_CANDIDATES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                   "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc")


@dataclass
class FacilityBrief:
    code: str
    record: dict
    rank: int | None
    score: float | None
    reasons: list[str] = field(default_factory=list)
    below: list[dict] = field(default_factory=list)          # indicators below target
    questions: list[str] = field(default_factory=list)       # data-quality questions to ask
    findings: list[dict] = field(default_factory=list)       # past findings and whether rectified
    checklist: list[str] = field(default_factory=list)


def reasons(row, lang: str) -> list[str]:
    """Why a facility ranks where it does, one phrase per part of its score."""
    found = []
    if row["below_target"]:
        found.append(t("sup.reason.below", lang, n=int(row["below_target"]), shortfall=f"{row['shortfall'] * 100:.0f}"))
    if row["worsening"]:
        found.append(t("sup.reason.worsening", lang, n=int(row["worsening"])))
    if row["data_quality"]:
        late, warnings = int(row["late_or_missing"]), int(row["warnings"])
        key = "sup.reason.dq" if late and warnings else "sup.reason.dq_late" if late else "sup.reason.dq_warnings"
        found.append(t(key, lang, late=late, warnings=warnings))
    if row["overdue_rectifications"]:
        found.append(t("sup.reason.overdue", lang, n=int(row["overdue_rectifications"])))
    if row["open_rectifications"]:
        found.append(t("sup.reason.open", lang, n=int(row["open_rectifications"])))
    if row["low_score"]:
        found.append(t("sup.reason.low_score", lang, score=f"{row['last_score']:.0f}"))
    if row["months_since_visit"]:
        found.append(t("sup.reason.visit", lang, months=int(row["months_since_visit"])))
    if row["standardization"]:
        found.append(t("sup.reason.lost" if row["lost_standardization"] else "sup.reason.not_counted", lang))
    return found


def build(con, scope, codes: list[str], period: Period, ranking: pd.DataFrame, lang: str,
          today: date) -> list[FacilityBrief]:
    ranked = ranking.set_index("facility_code") if not ranking.empty else pd.DataFrame()
    briefs = []
    tables = facility.indicator_tables(con, scope, codes, period)
    for code in codes:
        record = facility.header(con, scope, code)
        if record is None:
            continue        # not in the user's districts, or no such facility: nothing about it
        row = ranked.loc[code] if code in ranked.index else None
        brief = FacilityBrief(code, record, int(row["rank"]) if row is not None else None,
                              float(row["score"]) if row is not None else None,
                              reasons(row, lang) if row is not None else [])
        table = tables[tables["facility_code"] == code]
        name = "name_en" if lang == "en" else "name_zh"
        for r in table[table["meets_target"] == False].itertuples():   # noqa: E712 (pandas boolean)
            brief.below.append({"indicator": getattr(r, name), "value": r.value, "target": r.target,
                                "numerator": r.numerator, "denominator": r.denominator, "is_count": bool(r.is_count),
                                "change": r.change_previous})
        recent = facility.warnings(con, scope, code)
        recent = recent[recent["period"] >= f"{period.end.year - 1}-{period.end.month:02d}"]   # the last 12 months
        for w in recent.head(8).itertuples():
            measure = w.measure_en if lang == "en" else w.measure_zh
            brief.questions.append(t("sup.question", lang, period=w.period, measure=measure, value=w.value,
                                     message=w.message_en if lang == "en" else w.message_zh))
        for i in facility.inspections(con, scope, code, today).head(4).itertuples():
            brief.findings.append({"date": stamp(i.visit_date), "score": i.score, "findings": i.findings or "",
                                   "rectify_by": stamp(i.rectify_by) if not pd.isna(i.rectify_by) else "",
                                   "state": t(STATUS_TEXT[i.status], lang) if i.status in STATUS_TEXT else "—"})
        brief.checklist = checklist(con, record, lang)
        briefs.append(brief)
    return briefs


def checklist(con, record: dict, lang: str) -> list[str]:
    """Items to verify on site, from the standards (docs/domain.md sections 3 and 5)."""
    items = []
    kind = record["type"]
    if kind == "CHC":
        key = {"new_urban": "standards.chc_area_new_urban_m2", "old_town": "standards.chc_area_old_town_m2"}
        standard = areas.setting(con, key.get(record.get("area_kind") or "", "standards.chc_area_old_town_m2"))
        items.append(t("sup.check.area", lang, area=count(record.get("building_area_m2")), standard=count(standard)))
        items.append(t("sup.check.tcm", lang, norm=pct(areas.setting(con, "standards.tcm_share_min"), 0),
                       now=pct((record.get("tcm_physicians") or 0) / record["physicians"]) if record.get("physicians")
                       else "—"))
        items.append(t("sup.check.premises", lang))
    if kind == "CHS":
        items.append(t("sup.check.area", lang, area=count(record.get("building_area_m2")),
                       standard=count(areas.setting(con, "standards.chs_area_m2"))))
        items.append(t("sup.check.station_staff", lang, physicians=areas.setting(con, "standards.chs_min_physicians"),
                       nurses=areas.setting(con, "standards.chs_min_nurses"), now_p=record.get("physicians") or 0,
                       now_n=record.get("nurses") or 0))
        items.append(t("sup.check.stars", lang, stars=int(record["star_rating"]) if record.get("star_rating") else "—"))
    if kind == "THC":
        items.append(t("sup.check.area", lang, area=count(record.get("building_area_m2")), standard="—"))
    items.append(t("sup.check.registers", lang))
    items.append(t("sup.check.rectifications", lang))
    return items


def route(con, briefs: list[FacilityBrief]) -> tuple[list[FacilityBrief], list[float]]:
    """The briefs in visiting order from the bureau and back, with the length of each leg (m)."""
    placed = [b for b in briefs if b.record.get("lon") is not None]
    if not placed:
        return briefs, []
    order, legs = supervision.route_through(con, [(b.record["lon"], b.record["lat"]) for b in placed])
    return [placed[i] for i in order], legs


def _value(item: dict) -> str:
    return count(item["value"]) if item["is_count"] else pct(item["value"])


def _change(item: dict, lang: str) -> str:
    """The trend against the previous period, readable in black and white: ↑ / ↓ and the amount, a
    rate's in percentage points."""
    change = item.get("change")
    if change is None or change != change:
        return "—"
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    if item["is_count"]:
        return f"{arrow} {abs(change):,.0f}"
    return f"{arrow} {abs(change) * 100:.1f} {t('unit.points', lang)}"


def _target(item: dict) -> str:
    return count(item["target"]) if item["is_count"] else pct(item["target"], 0)


def font_path() -> str:
    for candidate in (os.environ.get("JICENG_PDF_FONT"), *FONT_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    raise FileNotFoundError("no CJK font: install Debian's fonts-wqy-microhei or set JICENG_PDF_FONT")


def pdf(briefs: list[FacilityBrief], legs: list[float], lang: str, title: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CJK", font_path(), subfontIndex=0))
    body = ParagraphStyle("body", fontName="CJK", fontSize=9.5, leading=13, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=15, leading=20, spaceAfter=4)
    sub = ParagraphStyle("sub", parent=body, fontSize=11.5, leading=16, spaceBefore=6, spaceAfter=3)

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    def table(rows, widths):
        grid = Table([[p(c) for c in r] for r in rows], colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                  ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return grid

    story = [p(title, head)]
    if legs:
        rows = [[t("sup.pdf.stop", lang), t("col.facility", lang), t("col.township", lang), t("sup.pdf.leg", lang)]]
        for n, b in enumerate(briefs):
            rows.append([str(n + 1), b.record["name"], b.record.get("township_name") or "", f"{legs[n] / 1000:.1f} km"])
        rows.append(["", t("sup.pdf.back", lang), "", f"{legs[-1] / 1000:.1f} km"])
        rows.append(["", t("sup.pdf.total", lang), "", f"{sum(legs) / 1000:.1f} km"])
        story += [p(t("sup.route", lang), sub), table(rows, [14 * mm, 70 * mm, 50 * mm, 30 * mm])]
    for b in briefs:
        story += [PageBreak(), p(f"{b.record['name']}（{b.code}）" if lang == "zh" else f"{b.record['name']} ({b.code})",
                                 head)]
        facts = [t(f"type.{b.record['type']}", lang), b.record.get("township_name") or "",
                 b.record.get("district_name") or ""]
        if b.rank:
            facts.append(t("sup.pdf.rank", lang, rank=b.rank, score=f"{b.score:.1f}"))
        story.append(p(" · ".join(facts)))
        if b.reasons:
            story += [p(t("sup.reasons", lang), sub)] + [p("• " + r) for r in b.reasons]
        story.append(p(t("sup.below", lang), sub))
        if b.below:
            rows = [[t("col.indicator", lang), t("col.value", lang), t("col.target", lang), t("col.change_previous", lang),
                     t("sup.pdf.numbers", lang)]]
            rows += [[i["indicator"], _value(i), _target(i), _change(i, lang),
                      f"{count(i['numerator'])} / {count(i['denominator'])}" if not i["is_count"] else ""]
                     for i in b.below]
            story.append(table(rows, [62 * mm, 22 * mm, 20 * mm, 24 * mm, 42 * mm]))
        else:
            story.append(p(t("sup.none", lang)))
        story.append(p(t("sup.questions", lang), sub))
        story += [p("• " + q) for q in b.questions] or [p(t("sup.none", lang))]
        story.append(p(t("sup.findings", lang), sub))
        if b.findings:
            rows = [[t("col.visit_date", lang), t("col.score", lang), t("col.findings", lang), t("col.rectify_by", lang),
                     t("col.status", lang)]]
            rows += [[f["date"], f"{f['score']:.1f}", f["findings"], f["rectify_by"], f["state"]] for f in b.findings]
            story.append(table(rows, [24 * mm, 14 * mm, 80 * mm, 24 * mm, 22 * mm]))
        else:
            story.append(p(t("sup.none", lang)))
        story.append(p(t("sup.checklist", lang), sub))
        story += [p("□ " + item) for item in b.checklist]
        story.append(Spacer(1, 4 * mm))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                      bottomMargin=15 * mm, title=title).build(story)
    return buffer.getvalue()


def xlsx(briefs: list[FacilityBrief], legs: list[float], lang: str) -> bytes:
    def who(b: FacilityBrief) -> dict:
        # two facilities may share a name: every sheet carries the code beside it
        return {t("col.facility", lang): b.record["name"], t("col.code", lang): b.code}
    sheets = {
        t("sup.route", lang): pd.DataFrame([{t("sup.pdf.stop", lang): n + 1, **who(b),
                                              t("col.township", lang): b.record.get("township_name") or "",
                                              t("sup.pdf.leg", lang) + " (km)": round(legs[n] / 1000, 2) if legs else None,
                                              t("sup.reasons", lang): "; ".join(b.reasons)}
                                             for n, b in enumerate(briefs)]),
        t("sup.below", lang): pd.DataFrame([{**who(b), t("col.indicator", lang): i["indicator"],
                                              t("col.value", lang): i["value"], t("col.target", lang): i["target"],
                                              t("col.numerator", lang): i["numerator"],
                                              t("col.denominator", lang): i["denominator"]}
                                             for b in briefs for i in b.below]),
        t("sup.questions", lang): pd.DataFrame([{**who(b), t("col.message", lang): q}
                                                 for b in briefs for q in b.questions]),
        t("sup.findings", lang): pd.DataFrame([{**who(b), **f} for b in briefs for f in b.findings]),
        t("sup.checklist", lang): pd.DataFrame([{**who(b), t("sup.checklist", lang): c}
                                                 for b in briefs for c in b.checklist]),
    }
    return xlsx_bytes(sheets)


def html(briefs: list[FacilityBrief], legs: list[float], lang: str, title: str) -> str:
    """A print-friendly page (the browser prints it on A4); every value escaped."""
    parts = [f"<h1>{escape(title)}</h1>"]
    if legs:
        parts.append(f"<h2>{escape(t('sup.route', lang))}</h2><ol>")
        parts += [f"<li>{escape(b.record['name'])} ({escape(b.code)}) · {escape(b.record.get('township_name') or '')}"
                  f" · {legs[n] / 1000:.1f} km</li>" for n, b in enumerate(briefs)]
        parts.append(f"</ol><p>{escape(t('sup.pdf.total', lang))}: {sum(legs) / 1000:.1f} km</p>")
    none = f"<p>{escape(t('sup.none', lang))}</p>"
    for b in briefs:
        # every heading has its content, or says there is none (as the PDF does)
        parts.append(f"<section><h2>{escape(b.record['name'])} ({escape(b.code)})</h2>")
        if b.reasons:
            parts.append("<ul>" + "".join(f"<li>{escape(r)}</li>" for r in b.reasons) + "</ul>")
        parts.append(f"<h3>{escape(t('sup.below', lang))}</h3>")
        if b.below:
            parts.append(f"<table><tr><th>{escape(t('col.indicator', lang))}</th><th>{escape(t('col.value', lang))}</th>"
                         f"<th>{escape(t('col.target', lang))}</th><th>{escape(t('col.change_previous', lang))}</th></tr>")
            parts += [f"<tr><td>{escape(i['indicator'])}</td><td>{_value(i)}</td><td>{_target(i)}</td>"
                      f"<td>{_change(i, lang)}</td></tr>" for i in b.below]
            parts.append("</table>")
        else:
            parts.append(none)
        for title_key, items in (("sup.questions", [escape(q) for q in b.questions]),
                                 ("sup.findings", [f"{escape(f['date'])} · {f['score']:.1f} · {escape(f['findings'])} · "
                                                   f"{escape(f['state'])}" for f in b.findings]),
                                 ("sup.checklist", [f"□ {escape(c)}" for c in b.checklist])):
            parts.append(f"<h3>{escape(t(title_key, lang))}</h3>")
            parts.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else none)
        parts.append("</section>")
    style = ("body{font-family:'WenQuanYi Micro Hei','Microsoft YaHei',sans-serif;max-width:800px;margin:auto;"
             "color:#000}table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px 6px}"
             "section{page-break-before:always}")
    return (f"<!DOCTYPE html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")
