"""The monthly bulletin (月度通报): its ranking, praised and named facilities, the consecutive-last
rule and the figures of 一、总体情况 by hand on a tiny city; the sample city's district against the
numbers its pages show; the .docx re-read, the PDF's text, and the command line."""
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from dashboard import bulletin as document
from warehouse.periods import parse_period
from warehouse.queries import areas, bulletin
from warehouse.scope import Scope
from warehouse.settings import load_settings, settings_path
from warehouse.store import current_version_file

from factory import load, monthly_file, tiny_city

EVERYTHING = Scope.everything()
ISSUED = date(2026, 4, 20)


def visits(code, period, births, visited, submitted=None):
    return {"facility_code": code, "period": period, "submitted_on": submitted or period + "-25",
            "births": births, "newborn_visits": visited}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Three centers and a station; newborn visits the only indicator with data. Newborn visit
    rates (centers): January 甲 1.0, 乙 0.9, 丙 0.8; February 乙 1.0, 甲 0.9, 丙 0.7; March 甲 1.0,
    乙 0.8, 丙 0.6 — 丙 last three months running. In March 丙 reports late (04-15, after the 10th)
    and the station not at all. One praised, one named (a settings copy)."""
    tmp_path = tmp_path_factory.mktemp("bulletin")
    text = settings_path().read_text(encoding="utf-8")
    text = text.replace("praise_count = 3", "praise_count = 1").replace("name_count = 3", "name_count = 1")
    (tmp_path / "settings.toml").write_text(text, encoding="utf-8")
    db = tiny_city(tmp_path)
    rows = []
    for month, rates in (("2026-01", {"F_CHC1": 10, "F_THC1": 9, "F_CHC2": 8}),
                         ("2026-02", {"F_THC1": 10, "F_CHC1": 9, "F_CHC2": 7}),
                         ("2026-03", {"F_CHC1": 10, "F_THC1": 8, "F_CHC2": 6})):
        for code, visited in rates.items():
            late = "2026-04-15" if (month, code) == ("2026-03", "F_CHC2") else None
            rows.append(visits(code, month, 10, visited, late))
        if month != "2026-03":
            rows.append(visits("F_CHS1", month, 10, 10))
    results = load(db, monthly_file(tmp_path / "m.csv", rows), settings=load_settings(tmp_path / "settings.toml"))
    assert [r.status for r in results] == ["accepted"], [r.problems for r in results]
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    yield db, con
    con.close()


def test_ranking_praise_named_and_last_three_months_running(tiny):
    _, con = tiny
    facts = bulletin.facts(con, EVERYTHING, areas.CITY, parse_period("2026-03"), ISSUED)
    ranking = facts.ranking
    # the station is not ranked (bulletin.rank_stations = false); percentiles of three: 100, 50, 0
    assert list(ranking["name"]) == ["甲街道社区卫生服务中心", "乙镇卫生院", "丙街道社区卫生服务中心"]
    assert list(ranking["score"]) == [100.0, 50.0, 0.0] and list(ranking["rank"]) == [1, 2, 3]
    assert list(ranking["change"]) == [1, -1, 0]                   # February: 乙 1, 甲 2, 丙 3
    assert list(ranking["below_zh"]) == [[], ["新生儿访视率"], ["新生儿访视率"]]   # target 85%
    assert list(facts.praised["name"]) == ["甲街道社区卫生服务中心"]
    assert list(facts.named["name"]) == ["丙街道社区卫生服务中心"]
    assert list(facts.lagging["name"]) == ["丙街道社区卫生服务中心"]
    # February: 甲 was not first, so nobody is praised twice; 丙 last in January and February too
    february = bulletin.facts(con, EVERYTHING, areas.CITY, parse_period("2026-02"), ISSUED)
    assert list(february.praised["name"]) == ["乙镇卫生院"] and february.lagging.empty   # no December


def test_overall_figures_and_requirements_by_hand(tiny):
    _, con = tiny
    facts = bulletin.facts(con, EVERYTHING, areas.CITY, parse_period("2026-03"), ISSUED)
    assert facts.facilities == {"CHC": 2, "CHS": 1, "THC": 1, "VC": 0}
    assert {k: facts.reporting[k] for k in ("expected", "received", "timely")} == {
        "expected": 4, "received": 3, "timely": 2}
    assert (facts.reporting["completeness"], facts.reporting["timeliness"]) == (0.75, 0.5)
    assert [(r.name, list(r.months)) for r in facts.missing.itertuples()] == [("二社区卫生服务站", ["2026-03"])]
    assert [(r.name, list(r.months)) for r in facts.late.itertuples()] == [("丙街道社区卫生服务中心", ["2026-03"])]
    # newborn visits, city: (10+8+6)/30 = 80% against 85%: one indicator judged, none met
    assert facts.indicators == {"met": 0, "judged": 1, "ok": False}
    assert facts.falling == []          # three falls need four months: there is no December
    parts, _, settings = document.compose(con, EVERYTHING, "all", "2026-03", "5", ISSUED)
    text = document.plain_text(parts)
    assert "2026年3月月报应报4份，已报3份，完整率75.0%；按时上报2份，及时率50.0%（目标：完整率90%、及时率75%）。" in text
    assert "有目标且有数据的1项服务指标中，0项达到目标。" in text
    assert "以下机构综合排名居前，予以表扬：甲街道社区卫生服务中心（甲街道）。" in text
    assert "以下机构综合排名靠后，予以通报：丙街道社区卫生服务中心（丙街道）。" in text
    assert "连续3期排名后1位：丙街道社区卫生服务中心（丙街道）。" in text
    assert "2026年3月月报未上报：二社区卫生服务站（甲街道，3月）。" in text
    assert "2026年3月月报迟报（超过次月10日）：丙街道社区卫生服务中心（丙街道，3月）。" in text
    assert "2. 2026年3月月报有1家迟报、1家未报，请各单位于每月10日前按时、完整上报。" in text
    assert "督导发现的问题均未超过整改期限。" in text
    assert "截至2026年3月31日，全市运行中的社区卫生服务中心2个、社区卫生服务站1个、乡镇卫生院1个。" in text
    # two CHCs, neither assessed: 0 of 2 against 2026's 90 %, so both are needed (ceil 1.8)
    assert "标准化建设：截至2026年3月31日，0个中心计入达标，占运行中心（2个）的0.0%，2026年目标为90%，尚差2个中心。" in text
    # at 1,200 m (tests/test_coverage_queries.py): 27,000 of 35,000; urban 22,000 / 30,000; rural 5,000 / 5,000
    assert "15分钟服务圈覆盖常住人口的77.1%（城镇73.3%，目标95%；农村100.0%，目标85%）。" in text
    assert "1. 标准化建设距2026年目标90%尚差2个中心，请相关单位对照标准逐项整改，加快推进达标。" in text
    assert "×卫基层通〔2026〕5号" in text and "1\t甲街道社区卫生服务中心\t中心\t甲街道\t100.0\t↑1\t1/1\t—" in text


def test_the_docx_reads_back_with_its_title_numbers_and_repeating_header_rows(tiny):
    from io import BytesIO

    from docx import Document
    from docx.oxml.ns import qn
    _, con = tiny
    parts, _, _ = document.compose(con, EVERYTHING, "all", "2026-03", "5", ISSUED)
    doc = Document(BytesIO(document.docx(parts)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "关于2026年3月基层医疗卫生机构工作情况的通报" in paragraphs
    title = doc.paragraphs[paragraphs.index("关于2026年3月基层医疗卫生机构工作情况的通报")]
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert any("完整率75.0%" in p for p in paragraphs)
    ranking = doc.tables[0]
    assert [c.text for c in ranking.rows[0].cells][:3] == ["排名", "机构", "类型"]
    assert ranking.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in ranking.rows[1].cells] == ["1", "甲街道社区卫生服务中心", "中心", "甲街道", "100.0", "↑1",
                                                       "1/1", "—"]
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert "PAGE" in section.footer.paragraphs[0]._p.xml


def test_the_pdf_holds_the_chinese_title_and_the_numbers(tiny):
    from io import BytesIO

    from pypdf import PdfReader
    _, con = tiny
    parts, _, _ = document.compose(con, EVERYTHING, "all", "2026-03", "5", ISSUED)
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(document.pdf(parts))).pages)
    squeezed = "".join(text.split())
    assert "关于2026年3月基层医疗卫生机构工作情况的通报" in squeezed
    assert "完整率75.0%" in squeezed and "及时率50.0%" in squeezed and "丙街道社区卫生服务中心" in squeezed


def test_the_sample_districts_bulletin_states_what_its_pages_show(sample_db):
    """城东区, 2026Q3: the data-quality page's rates (161 of 162 reports, 154 on time: 99.4 %,
    95.1 %, tests/test_browser.py dq001); its 9 operating CHCs all counted (the standardization
    page); its worst-ranked center named three quarters running."""
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    try:
        parts, facts, _ = document.compose(con, EVERYTHING, "990102", "2026Q3", "7", date(2026, 11, 25))
    finally:
        con.close()
    text = document.plain_text(parts)
    assert "2026年第3季度月报应报162份，已报161份，完整率99.4%；按时上报154份，及时率95.1%" in text
    assert facts.milestone["counted"] == 9 and facts.milestone["total"] == 9
    assert len(facts.ranking) == 9 and facts.ranking["rank"].tolist() == list(range(1, 10))
    assert "新华社区卫生服务中心（新华街道）" in text.split("连续3期排名后3位：")[1].split("\n")[0]


def test_the_command_line_writes_three_files_and_refuses_a_bad_area_plainly(tiny, tmp_path):
    import json
    db, _ = tiny
    run = subprocess.run([sys.executable, "-m", "dashboard", "bulletin", "--db", str(db), "--area", "all",
                          "--period", "2026-03", "--out", str(tmp_path), "--number", "5", "--today", "2026-04-20"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["通报_all_2026-03.docx", "通报_all_2026-03.json", "通报_all_2026-03.pdf"]
    record = json.loads((tmp_path / "通报_all_2026-03.json").read_text(encoding="utf-8"))
    assert record["warehouse_version"] == current_version_file(db).name and len(record["rules_digest"]) == 64
    assert "完整率75.0%" in record["text"]
    refused = subprocess.run([sys.executable, "-m", "dashboard", "bulletin", "--db", str(db), "--area", "999999",
                              "--period", "2026-03", "--out", str(tmp_path)], capture_output=True, text=True)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "the area must be a district code or 'all'" in refused.stderr


def test_a_template_fills_plain_names_only():
    assert document.fill("{a}与{b}、{a.__class__}、{missing}", a=1, b="乙") == "1与乙、{a.__class__}、{missing}"


def test_a_long_tables_rows_read_back_from_the_docx_as_written():
    """Plain rows are copies of the first one written through python-docx; an empty cell, a line
    break or edge spaces go through python-docx itself. Each reads back as written."""
    import io

    from docx import Document
    rows = [["甲", "1", "91.4%"], ["乙", "", "80.0%"], ["丙", "2", "a\nb"], ["丁", " 3 ", "70.1%"], ["戊", "4", "0.0%"],
            *[[f"机构{n}", str(n), f"{n}.0%"] for n in range(5, 40)]]
    parts = [document.Block("title", "测试"), document.Block("table", header=["名称", "排名", "率"], rows=rows)]
    [table] = Document(io.BytesIO(document.docx(parts))).tables
    read = [[cell.text for cell in row.cells] for row in table.rows]
    assert read[0] == ["名称", "排名", "率"]
    assert read[1:6] == [["甲", "1", "91.4%"], ["乙", "", "80.0%"], ["丙", "2", "a\nb"], ["丁", " 3 ", "70.1%"],
                         ["戊", "4", "0.0%"]]
    assert read[6] == ["机构5", "5", "5.0%"] and read[-1] == ["机构39", "39", "39.0%"] and len(read) == 41
    from docx.oxml.ns import qn
    fonts = [r._element.rPr.rFonts.get(qn("w:eastAsia")) for row in table.rows[1:] for cell in row.cells
             for p in cell.paragraphs for r in p.runs]
    assert set(fonts) == {"仿宋_GB2312"} and len(fonts) == 3 * 40
