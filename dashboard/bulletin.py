"""The monthly bulletin (月度通报) as a document: its blocks worded from the warehouse's figures
(`warehouse.queries.bulletin.facts`) with the sentences of the settings (`bulletin.sentences`),
then written as .docx (officials edit before issuing) or PDF; the 通报 page previews the blocks.

Every sentence is a template of the settings filled with figures; a sentence whose rule does not
hold is left out (docs/bulletin.md). The document is in Chinese, as a bureau issues it."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from html import escape

import pandas as pd

from dashboard.i18n import pct, period_name, projection_sentence, t
from warehouse.queries.bulletin import BulletinFacts

LANG = "zh"
CHANGE_NEW = "新"
BELOW_SHOWN = 3          # indicators below target named in the main table (all of them in the annex)


@dataclass
class Block:
    kind: str                       # title | number | recipients | heading | paragraph | table | signature | annex
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def fill(template: str, **values) -> str:
    """The template with each {name} replaced by its value; an unknown name stays as written
    (a template can name only plain values: no attribute or index access)."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def names(frame: pd.DataFrame | None, none: str) -> str:
    """Facilities as a bulletin names them: name (township), joined by 、."""
    if frame is None or frame.empty:
        return none
    return "、".join(f"{n}（{town}）" for n, town in zip(frame["name"], frame["township_name"]))


def names_with_months(frame: pd.DataFrame | None, none: str) -> str:
    """Facilities with the months of their reports in question: name（township，7月、9月）."""
    if frame is None or frame.empty:
        return none
    return "、".join(f"{n}（{town}，{'、'.join(f'{int(m[5:])}月' for m in months)}）"
                    for n, town, months in zip(frame["name"], frame["township_name"], frame["months"]))


def change_text(change) -> str:
    if change is None or pd.isna(change):
        return CHANGE_NEW
    change = int(change)
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "—"


def blocks(facts: BulletinFacts, settings: dict, number: str, issued_on: date) -> list[Block]:
    """The bulletin, block by block. `settings`: the warehouse's bulletin.* settings (issuer,
    document_number, recipients, sentences …, and reporting.deadline_day)."""
    s = settings["sentences"]
    period = period_name(facts.period.label, LANG)
    area = facts.area.name
    out = [Block("number", fill(settings["document_number"], year=issued_on.year, number=number)),
           Block("title", fill(s["title"], period=period, area=area)),
           Block("recipients", settings["recipients"]),
           Block("heading", s["heading_overall"])]
    counts = {k: facts.facilities.get(k, 0) for k in ("CHC", "CHS", "THC", "VC")}
    overall = [fill(s["facilities"], period_end=f"{facts.period.end:%Y年%-m月%-d日}", area=area, **counts)]
    r = facts.reporting
    if r["expected"]:
        overall.append(fill(s["reporting"], period=period, expected=r["expected"], received=r["received"],
                            completeness=pct(r["completeness"]), timely=r["timely"], timeliness=pct(r["timeliness"]),
                            completeness_target=pct(r["completeness_target"], 0),
                            timeliness_target=pct(r["timeliness_target"], 0)))
    if facts.indicators["judged"]:
        overall.append(fill(s["indicators"], judged=facts.indicators["judged"], met=facts.indicators["met"]))
    m = facts.milestone
    if m is not None and m.get("total"):
        state = s["milestone_met"] if m["met"] else fill(s["milestone_short"], needed=m["needed"])
        overall.append(fill(s["milestone"], as_of=f"{m['as_of']:%Y年%-m月%-d日}", counted=m["counted"], total=m["total"],
                            share=pct(m["share"]), year=m["year"], target=pct(m["target_share"], 0), state=state))
        # the areas not yet at their target, and when they will be at the pace of the last 12 months
        overall += [projection_sentence(p, LANG) for p in facts.projections if p.needed]
    c = facts.circle
    if c is not None and c.get("share") is not None:
        parts = [fill(s["circle_part"], kind=s[kind], share=pct(c[kind]["share"]), target=pct(c[kind]["target"], 0))
                 for kind in ("urban", "rural") if c.get(kind)]
        overall.append(fill(s["circle"], share=pct(c["share"]), parts="；".join(parts)))
    overdue = facts.overdue if facts.overdue is not None else pd.DataFrame()
    overall.append(fill(s["overdue"], count=len(overdue)) if len(overdue) else s["overdue_none"])
    out += [Block("paragraph", text) for text in overall]

    out.append(Block("heading", s["heading_ranking"]))
    ranking = facts.ranking
    out.append(Block("paragraph", fill(s["ranking"], count=len(ranking))))
    out.append(ranking_table(ranking, BELOW_SHOWN))

    out.append(Block("heading", s["heading_praise"]))
    none = s["none"]
    deadline = settings["deadline_day"]
    out += [Block("paragraph", fill(s["praised"], names=names(facts.praised, none))),
            Block("paragraph", fill(s["named"], names=names(facts.named, none))),
            Block("paragraph", fill(s["lagging"], periods=settings["consecutive_periods"],
                                    count=settings["name_count"], names=names(facts.lagging, none))),
            Block("paragraph", fill(s["missing"], period=period, names=names_with_months(facts.missing, none))),
            Block("paragraph", fill(s["late"], period=period, deadline=deadline,
                                    names=names_with_months(facts.late, none)))]
    if len(overdue):
        out.append(Block("table", header=["机构", "街道/乡镇", "督导日期", "发现问题", "整改期限", "逾期天数"],
                         rows=[[o.name, o.township_name, f"{o.visit_date:%Y-%m-%d}", str(o.findings or ""),
                                f"{o.rectify_by:%Y-%m-%d}", str(int(o.days_overdue))]
                               for o in overdue.itertuples()]))

    out.append(Block("heading", s["heading_next"]))
    out += [Block("paragraph", f"{n}. {text}") for n, text in enumerate(requirements(facts, settings), start=1)]

    out.append(Block("signature", f"{settings['issuer']}\n{issued_on:%Y年%-m月%-d日}"))
    out.append(Block("annex", s["annex_ranking"]))
    out.append(ranking_table(ranking, None))
    out.append(Block("annex", s["annex_indicators"]))
    out.append(indicator_table(facts))
    return out


SETTINGS = ("issuer", "document_number", "recipients", "sentences", "consecutive_periods", "name_count",
            "praise_count", "falling_months", "rank_stations")


def bulletin_settings(con) -> dict:
    """The bulletin.* settings as the warehouse holds them, and the reports' deadline day."""
    from warehouse.queries.areas import setting
    values = {key: setting(con, f"bulletin.{key}") for key in SETTINGS}
    values["deadline_day"] = setting(con, "reporting.deadline_day")
    return values


def areas_of(con, scope) -> list[str]:
    """The names of the districts a scope covers, in code order."""
    from warehouse.queries.areas import area_options
    options = area_options(con, scope)
    return list(options.loc[options["level"] == "district", "name"])


def compose(con, scope, area_code: str, period_label: str, number: str, today: date):
    """The bulletin of an area (a district, or 'all') for a month (2026-10) or quarter (2026Q3):
    (blocks, facts, settings). ValueError names what is wrong with the area or the period."""
    from warehouse.periods import parse_period
    from warehouse.queries import bulletin
    from warehouse.queries.areas import resolve_area
    period = parse_period(period_label)
    if period is None or period.kind not in ("month", "quarter"):
        raise ValueError(f"期间应为月份（2026-10）或季度（2026Q3） / the period must be a month or a quarter: {period_label!r}")
    area = resolve_area(con, scope, area_code)
    if area is None or area.level == "township":
        raise ValueError(f"区域应为区县代码或 all / the area must be a district code or 'all': {area_code!r}")
    if area.level == "city" and scope.districts is not None:
        # a user of some districts: "all" is theirs, named as they are, never 全市
        area = replace(area, name="、".join(areas_of(con, scope)))
    settings = bulletin_settings(con)
    facts = bulletin.facts(con, scope, area, period, today)
    return blocks(facts, settings, number, today), facts, settings


def file_stem(area_code: str, period_label: str) -> str:
    return f"通报_{area_code}_{period_label}"


def documents(parts: list[Block]) -> dict[str, bytes]:
    """The bulletin as .docx and, when a CJK font is installed, as PDF (keys: docx, pdf)."""
    files = {"docx": docx(parts)}
    try:
        files["pdf"] = pdf(parts)
    except FileNotFoundError:           # no CJK font on this machine: the Word file is still made
        pass
    return files


def record(con, facts: BulletinFacts, parts: list[Block], warehouse, **extra) -> dict:
    """What a bulletin is kept with: its area and period, the warehouse version and the digest of
    the rules it was computed from, and its whole text (and whatever the caller adds)."""
    from warehouse.derived import rules_digest
    from warehouse.store import current_version_file, db_path
    version = current_version_file(db_path(warehouse))
    return {"area": facts.area.code, "area_name": facts.area.name, "period": facts.period.label, **extra,
            "warehouse_version": version.name if version is not None else None,
            "rules_digest": rules_digest(con), "text": plain_text(parts)}


def requirements(facts: BulletinFacts, settings: dict) -> list[str]:
    """四、下一步要求: a sentence for each rule that holds (docs/bulletin.md), else the closing one."""
    s = settings["sentences"]
    chosen = []
    m = facts.milestone
    if m is not None and m.get("total") and not m["met"]:
        chosen.append(fill(s["require_milestone"], year=m["year"], target=pct(m["target_share"], 0), needed=m["needed"]))
    for f in facts.falling:
        chosen.append(fill(s["require_falling"], indicator=f["name_zh"], months=settings["falling_months"],
                           from_value=_value(f["from"], f["is_count"]), to_value=_value(f["to"], f["is_count"])))
    late, missing = len(facts.late), len(facts.missing)
    if late or missing:
        chosen.append(fill(s["require_reporting"], period=period_name(facts.period.label, LANG), late=late,
                           missing=missing,
                           deadline=settings["deadline_day"]))
    if facts.overdue is not None and len(facts.overdue):
        chosen.append(fill(s["require_overdue"], count=len(facts.overdue)))
    return chosen or [s["require_none"]]


def _value(value, is_count: bool) -> str:
    return f"{value:,.0f}" if is_count else pct(value)


def ranking_table(ranking: pd.DataFrame, below_shown: int | None) -> Block:
    rows = []
    for r in ranking.itertuples():
        below = list(r.below_zh)
        text = "、".join(below if below_shown is None else below[:below_shown])
        if below_shown is not None and len(below) > below_shown:
            text += f"等{len(below)}项"
        rows.append([str(int(r.rank)), r.name, t(f"type.short.{r.type}", LANG), r.township_name, f"{r.score:.1f}",
                     change_text(r.change), f"{int(r.met)}/{int(r.judged)}", text or "—"])
    return Block("table", header=["排名", "机构", "类型", "街道/乡镇", "综合得分", "较上期", "达标/参评指标", "未达标指标"],
                 rows=rows)


def indicator_table(facts: BulletinFacts) -> Block:
    rows = [[i["name_zh"], _value(i["value"], i["is_count"]) if i["value"] is not None else "—",
             _value(i["target"], i["is_count"]) if i["target"] is not None else "—",
             "是" if i["meets_target"] is True else "否" if i["meets_target"] is False else "—"]
            for i in facts.indicator_values]
    return Block("table", header=["指标", "完成值", "目标", "达标"], rows=rows)


def plain_text(parts: list[Block]) -> str:
    """The document's words in order (for tests and the page's search), tables row by row."""
    lines = []
    for b in parts:
        if b.kind == "table":
            lines += ["\t".join(b.header)] + ["\t".join(row) for row in b.rows]
        else:
            lines.append(b.text)
    return "\n".join(lines)


def docx(parts: list[Block]) -> bytes:
    """A Word document as a bureau issues one: A4, 仿宋 body, 黑体 headings, 方正小标宋 title (each
    set as the East Asian font), tables whose header row repeats on every page, page numbers."""
    from copy import deepcopy

    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt
    from docx.table import _Cell

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def font(run, east_asian: str, size: float, bold: bool = False):
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = "Times New Roman"
        fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), east_asian)

    def paragraph(text: str, east_asian: str = "仿宋_GB2312", size: float = 16, bold: bool = False,
                  align=None, indent: bool = True):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        p.paragraph_format.line_spacing = Pt(28)
        for n, line in enumerate(text.split("\n")):
            if n:
                p.add_run().add_break(WD_BREAK.LINE)
            font(p.add_run(line), east_asian, size, bold)
        return p

    for b in parts:
        if b.kind == "number":
            paragraph(b.text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        elif b.kind == "title":
            paragraph(b.text, "方正小标宋简体", 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        elif b.kind == "recipients":
            paragraph(b.text, indent=False)
        elif b.kind == "heading":
            paragraph(b.text, "黑体", 16).paragraph_format.keep_with_next = True
        elif b.kind == "annex":
            document.add_page_break()
            paragraph(b.text, "黑体", 16, indent=False).paragraph_format.keep_with_next = True
        elif b.kind == "signature":
            paragraph(b.text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif b.kind == "table":
            table = document.add_table(rows=1, cols=len(b.header))
            table.style = "Table Grid"
            table.autofit = False
            widths = column_widths(b, Cm(15.6))
            header = table.rows[0]
            # the header row repeats at the top of every page the table runs onto
            header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for cell, text in zip(header.cells, b.header):
                font(cell.paragraphs[0].add_run(text), "黑体", 10.5, bold=True)
            # python-docx spends most of a millisecond per cell (a nation's annexes took minutes):
            # one row is written through it, and rows of plain text are copies of it with their texts
            template = None
            for row in b.rows:
                plain = len(row) == len(b.header) and all(_plain(text) for text in row)
                if template is not None and plain:
                    tr = deepcopy(template)
                    for t, text in zip(tr.iterfind("/".join(qn(tag) for tag in ("w:tc", "w:p", "w:r", "w:t"))), row):
                        t.text = text
                    table._tbl.append(tr)
                    continue
                added = table.add_row()
                for tc, text in zip(added._tr.tc_lst, row):
                    font(_Cell(tc, table).paragraphs[0].add_run(text), "仿宋_GB2312", 10.5)
                if template is None and plain:
                    template = added._tr
            # each column as wide as its text needs (Word reads the cells' widths, others the grid's)
            for column, width in zip(table.columns, widths):
                column.width = int(width)
            for tr in table._tbl.tr_lst:
                for tc, width in zip(tr.tc_lst, widths):
                    tc.width = int(width)
        else:
            paragraph(b.text)
    _page_numbers(section, OxmlElement, qn)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _plain(text) -> bool:
    """Text a run holds as one w:t as it is: not empty, no line break or tab, no edge spaces."""
    return isinstance(text, str) and text != "" and text == text.strip() and not any(c in text for c in "\n\t\r")


def _page_numbers(section, element, qn) -> None:
    """— 1 — at the foot of every page (a PAGE field, so Word counts the pages)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    field = element("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = element("w:r")
    text = element("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
    p.add_run(" —")


def column_widths(table: Block, total: float) -> list[float]:
    """Widths sharing `total` by each column's longest text (a CJK character counting double), a
    long text column capped so that the short ones keep their numbers on one line."""
    def length(text: str) -> int:
        return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)
    need = [max([length(h) for h in [head]] + [length(row[n]) for row in table.rows]) for n, head in
            enumerate(table.header)]
    need = [min(n, 30) + 5 for n in need]          # + the cell's padding
    return [total * n / sum(need) for n in need]


CELL_PADDING = 6       # points, each side of a table cell (reportlab's default)


def pdf(parts: list[Block]) -> bytes:
    """The same document as PDF (the CJK font of the visit brief), tables repeating their header
    row, page numbers at the foot."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from dashboard.brief import font_path
    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CJK", font_path(), subfontIndex=0))
    body = ParagraphStyle("body", fontName="CJK", fontSize=11, leading=18, wordWrap="CJK", firstLineIndent=22)
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    styles = {"title": ParagraphStyle("title", parent=plain, fontSize=18, leading=26, alignment=1, spaceAfter=8),
              "number": ParagraphStyle("number", parent=plain, alignment=1, spaceAfter=6),
              "heading": ParagraphStyle("heading", parent=plain, fontSize=12.5, spaceBefore=8, spaceAfter=2,
                                        keepWithNext=1),
              "annex": ParagraphStyle("annex", parent=plain, fontSize=12.5, spaceAfter=4, keepWithNext=1),
              "signature": ParagraphStyle("signature", parent=plain, alignment=2, spaceBefore=12),
              "recipients": plain}
    cell = ParagraphStyle("cell", parent=plain, fontSize=8.5, leading=11)

    def laid_out(text: str, width: float):
        # a text that fits its column on one line is drawn as it is (no markup: nothing to escape);
        # only the others are laid out as wrapping paragraphs, which cost a province's ranking a second
        fits = "\n" not in text and pdfmetrics.stringWidth(text, "CJK", cell.fontSize) <= width - 2 * CELL_PADDING
        return text if fits else Paragraph(escape(text), cell)
    story = []
    for b in parts:
        if b.kind == "table":
            widths = column_widths(b, A4[0] - 44 * mm)
            data = [[laid_out(text, width) for text, width in zip(row, widths)] for row in [b.header, *b.rows]]
            table = Table(data, repeatRows=1, colWidths=widths)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                       ("FONTNAME", (0, 0), (-1, -1), "CJK"), ("FONTSIZE", (0, 0), (-1, -1), cell.fontSize),
                                       ("LEADING", (0, 0), (-1, -1), cell.leading),
                                       ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                                       ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [table, Spacer(1, 4)]
            continue
        if b.kind == "annex":
            story.append(PageBreak())
        text = "<br/>".join(escape(line) for line in b.text.split("\n"))
        story.append(Paragraph(text, styles.get(b.kind, body)))

    def page_number(canvas, doc):
        canvas.setFont("CJK", 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=22 * mm,
                      bottomMargin=22 * mm, title="月度通报").build(story, onFirstPage=page_number,
                                                                 onLaterPages=page_number)
    return out.getvalue()
