"""Like datasette's test_docs: every setting, indicator, view and rejection reason is documented."""
import re
from pathlib import Path

import pytest

from etl.problems import MESSAGES
from warehouse.settings import load_settings

DOCS = Path(__file__).resolve().parent.parent / "docs"
SETTINGS_DOC = (DOCS / "settings.md").read_text(encoding="utf-8")
DATA_DOC = (DOCS / "data.md").read_text(encoding="utf-8")
VIEWS_SQL = (Path(__file__).resolve().parent.parent / "warehouse" / "sql" / "views.sql").read_text(encoding="utf-8")
SETTINGS = load_settings()


@pytest.mark.parametrize("key", sorted(k for k in SETTINGS.scalar_settings()))
def test_every_settings_key_is_documented(key):
    assert f"`{key}`" in SETTINGS_DOC


@pytest.mark.parametrize("code", [i.code for i in SETTINGS.indicators])
def test_every_indicator_is_documented(code):
    assert f"`{code}`" in SETTINGS_DOC


@pytest.mark.parametrize("view", sorted(set(re.findall(r"VIEW (v_\w+)", VIEWS_SQL))))
def test_every_stable_view_is_documented(view):
    assert f"`{view}`" in DATA_DOC


@pytest.mark.parametrize("code", sorted(c for c in MESSAGES if c not in ("rate_above_100", "outlier", "more_than_physicians")))
def test_every_rejection_reason_is_documented(code):
    assert f"`{code}`" in DATA_DOC


@pytest.mark.parametrize("kind", ["admin_units", "facilities", "standardization", "monthly_services", "staffing",
                                  "inspections"])
def test_every_template_example_is_linked_and_recognized(kind):
    from etl.loader import prepare
    example = DOCS / "templates" / f"{kind}.xlsx"
    assert f"(templates/{kind}.xlsx)" in DATA_DOC
    assert prepare(example, SETTINGS).kinds == [kind]


def test_the_permission_table_in_security_md_is_the_one_the_code_checks():
    from warehouse.roles import ROLES, check_table
    lines = [line for line in (DOCS / "security.md").read_text(encoding="utf-8").splitlines()
             if re.match(r"\| `\w+` \|", line)]
    documented = {}
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        documented[cells[0].strip("`")] = {role for role, mark in zip(ROLES, cells[2:]) if mark == "✓"}
    shipped = check_table(SETTINGS.section("permissions"))
    assert documented == {action: set(roles) for action, roles in shipped.items()}


def test_the_indicator_dictionary_in_docs_is_the_one_the_settings_write():
    """docs/indicators.md is written by `python -m etl dictionary --out docs/indicators.md`."""
    from warehouse.dictionary import markdown
    assert (DOCS / "indicators.md").read_text(encoding="utf-8") == markdown(SETTINGS)


def test_the_dictionary_states_each_rule_as_the_warehouse_applies_it():
    from warehouse.dictionary import entries
    by_code = {e.code: e for e in entries(SETTINGS)}
    assert len(by_code) == 24
    htn = by_code["htn_exam_rate"]
    assert (htn.formula("zh"), htn.target_text("zh"), htn.spec) == \
        ("高血压体检人数 / 高血压管理人数 × 100%", "≥ 80%", "高血压患者健康管理服务规范")
    assert htn.numerator.rule("en") == "stock: the last month of the period with data"
    lectures = by_code["health_lectures"]
    assert (lectures.formula("en"), lectures.target_text("zh"), lectures.numerator.kind) == \
        ("Health education lectures (a count)", "≥ 12 次/年", "flow")
    assert by_code["referral_up_rate"].target_text("en") == "—"
